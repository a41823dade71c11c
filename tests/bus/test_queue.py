"""PriorityQueue: dispatch order, overflow policies, waiting puts, close/clear, honest counts."""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from yesman.bus import EventPriority, OverflowPolicy
from yesman.bus._queue import PriorityQueue

LOW, NORMAL, HIGH, CRITICAL = EventPriority

Item = tuple[EventPriority, int]


def filled(
    capacity: int, *items: Item, policy: OverflowPolicy = OverflowPolicy.EVICT_LOWER
) -> PriorityQueue[Item]:
    q: PriorityQueue[Item] = PriorityQueue(capacity, policy)
    for item in items:
        assert q.put_nowait(item, item[0])
    return q


def drain(q: PriorityQueue[Item]) -> list[Item]:
    out = []
    while len(q):
        out.append(q.get_nowait())
    return out


# ---------------------------------------------------------------- order and overflow


def test_highest_priority_first_fifo_within_one() -> None:
    q = filled(10, (LOW, 1), (NORMAL, 2), (LOW, 3), (CRITICAL, 4), (HIGH, 5), (NORMAL, 6))
    assert drain(q) == [(CRITICAL, 4), (HIGH, 5), (NORMAL, 2), (NORMAL, 6), (LOW, 1), (LOW, 3)]
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()


def test_full_queue_evicts_the_oldest_of_the_lowest_priority_below_the_new_one() -> None:
    seen: list[tuple[Item, Item | None]] = []
    q: PriorityQueue[Item] = PriorityQueue(
        3, on_overflow=lambda item, victim: seen.append((item, victim))
    )
    for item in [(NORMAL, 1), (LOW, 2), (LOW, 3)]:
        q.put_nowait(item, item[0])
    assert q.put_nowait((HIGH, 4), HIGH)  # evicts LOW 2: lowest priority, oldest
    assert q.put_nowait((NORMAL, 5), NORMAL)  # evicts LOW 3
    assert not q.put_nowait((NORMAL, 6), NORMAL)  # nothing strictly lower left
    assert seen == [((HIGH, 4), (LOW, 2)), ((NORMAL, 5), (LOW, 3)), ((NORMAL, 6), None)]
    s = q.stats()
    assert (s.depth, s.accepted, s.evicted, s.refused, s.taken) == (3, 5, 2, 1, 0)
    assert drain(q) == [(HIGH, 4), (NORMAL, 1), (NORMAL, 5)]


def test_reject_policy_never_evicts() -> None:
    q = filled(2, (LOW, 1), (LOW, 2), policy=OverflowPolicy.REJECT)
    assert not q.put_nowait((CRITICAL, 3), CRITICAL)
    s = q.stats()
    assert (s.refused, s.evicted, s.depth) == (1, 0, 2)


def test_closed_queue_turns_puts_away_but_still_hands_out_what_it_holds() -> None:
    q = filled(4, (NORMAL, 1))
    q.close()
    assert q.closed
    assert not q.put_nowait((CRITICAL, 2), CRITICAL)
    assert q.get_nowait() == (NORMAL, 1)
    q.open()
    assert q.put_nowait((LOW, 3), LOW)
    s = q.stats()
    assert (s.turned_away, s.refused, s.accepted) == (1, 0, 2)


def test_clear_discards_and_counts() -> None:
    q = filled(5, (LOW, 1), (HIGH, 2))
    assert q.clear() == 2
    assert len(q) == 0
    assert q.stats().discarded == 2


def test_high_water_restarts_each_interval_but_the_peak_is_kept() -> None:
    q = filled(10, *[(NORMAL, i) for i in range(6)])
    for _ in range(5):
        q.get_nowait()
    assert (q.stats().high_water, q.stats().peak) == (6, 6)
    q.reset_high_water()
    q.put_nowait((LOW, 9), LOW)
    s = q.stats()
    assert (s.depth, s.high_water, s.peak) == (2, 2, 6)


def test_stats_are_an_immutable_snapshot() -> None:
    q = filled(3, (LOW, 1))
    s = q.stats()
    q.put_nowait((LOW, 2), LOW)
    assert s.depth == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.depth = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("capacity", "error", "message"),
    [
        (0, ValueError, "capacity must be at least 1, got 0"),
        (True, TypeError, "capacity must be an int, got bool"),
        (2.5, TypeError, "capacity must be an int, got float"),
    ],
    ids=["zero", "bool", "float"],
)
def test_bad_capacity_is_refused(capacity: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        PriorityQueue(capacity)  # type: ignore[arg-type]


def test_bad_policy_is_refused() -> None:
    with pytest.raises(TypeError, match="policy must be an OverflowPolicy"):
        PriorityQueue(3, "reject")  # type: ignore[arg-type]


# ---------------------------------------------------------------- waiting


async def test_get_waits_for_a_put() -> None:
    q: PriorityQueue[Item] = PriorityQueue(2)
    getter = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    assert not getter.done()
    assert q.stats().getters_waiting == 1
    q.put_nowait((LOW, 1), LOW)
    assert await getter == (LOW, 1)


async def test_a_cancelled_getter_passes_its_wake_up_on() -> None:
    q: PriorityQueue[Item] = PriorityQueue(2)
    first = asyncio.create_task(q.get())
    second = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.put_nowait((LOW, 1), LOW)  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    assert await second == (LOW, 1)
    assert first.cancelled()


async def test_put_waits_for_room_and_never_evicts() -> None:
    q = filled(2, (LOW, 1), (LOW, 2))
    putter = asyncio.create_task(q.put((CRITICAL, 3), CRITICAL))
    await asyncio.sleep(0.01)
    assert not putter.done(), "a waiting put must not evict the LOW items"
    s = q.stats()
    assert (s.putters_waiting, s.evicted, s.waited) == (1, 0, 1)
    assert q.get_nowait() == (LOW, 1)  # frees a slot: handed to the waiting put at once
    assert len(q) == 2
    assert await putter is True
    assert drain(q) == [(CRITICAL, 3), (LOW, 2)]
    s = q.stats()
    assert (s.accepted, s.taken, s.refused, s.timed_out, s.putters_waiting) == (3, 3, 0, 0, 0)


async def test_waiting_puts_are_served_in_the_order_they_began_waiting() -> None:
    q = filled(1, (LOW, 0))
    putters = []
    for i, priority in enumerate([LOW, CRITICAL, NORMAL], start=1):
        putters.append(asyncio.create_task(q.put((priority, i), priority)))
        await asyncio.sleep(0)
    # A put_nowait arriving between gets finds the queue full: freed slots are not up for grabs.
    order = [q.get_nowait()]
    for _ in putters:
        assert not q.put_nowait((LOW, 99), LOW)
        order.append(q.get_nowait())
    await asyncio.gather(*putters)
    assert [i for _, i in order] == [0, 1, 2, 3]


async def test_put_times_out_counts_it_and_leaves_no_trace() -> None:
    q = filled(1, (LOW, 1))
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    assert await q.put((HIGH, 2), HIGH, timeout=0.05) is False
    assert 0.04 <= loop.time() - t0 < 1.0
    s = q.stats()
    assert (s.timed_out, s.putters_waiting, s.accepted, s.depth) == (1, 0, 1, 1)
    assert drain(q) == [(LOW, 1)]


async def test_put_with_zero_timeout_does_not_wait() -> None:
    q = filled(1, (LOW, 1))
    assert await q.put((HIGH, 2), HIGH, timeout=0) is False
    assert q.stats().timed_out == 1
    assert await q.put((HIGH, 3), HIGH, timeout=0) is False
    q.get_nowait()
    assert await q.put((HIGH, 4), HIGH, timeout=0) is True


async def test_close_turns_waiting_puts_away() -> None:
    q = filled(1, (LOW, 1))
    putters = [asyncio.create_task(q.put((NORMAL, i), NORMAL)) for i in range(3)]
    await asyncio.sleep(0)
    q.close()
    assert await asyncio.gather(*putters) == [False, False, False]
    s = q.stats()
    assert (s.turned_away, s.putters_waiting, s.depth) == (3, 0, 1)
    assert await q.put((NORMAL, 9), NORMAL) is False
    assert q.stats().turned_away == 4


async def test_a_cancelled_put_is_not_queued_and_the_next_one_is_served() -> None:
    q = filled(1, (LOW, 1))
    doomed = asyncio.create_task(q.put((HIGH, 2), HIGH))
    served = asyncio.create_task(q.put((NORMAL, 3), NORMAL))
    await asyncio.sleep(0)
    doomed.cancel()  # its slot is freed before the cancelled task even gets to run
    assert q.get_nowait() == (LOW, 1)
    assert await served is True
    assert drain(q) == [(NORMAL, 3)]
    assert doomed.cancelled()
    s = q.stats()
    assert (s.accepted, s.timed_out, s.turned_away, s.refused) == (2, 0, 0, 0)


async def test_clear_on_an_open_queue_lets_waiting_puts_in() -> None:
    q = filled(2, (LOW, 1), (LOW, 2))
    putters = [asyncio.create_task(q.put((NORMAL, i), NORMAL)) for i in (3, 4, 5)]
    await asyncio.sleep(0)
    assert q.clear() == 2
    assert len(q) == 2
    await asyncio.sleep(0)
    assert [p.done() for p in putters] == [True, True, False]
    q.close()
    assert await putters[2] is False
    assert drain(q) == [(NORMAL, 3), (NORMAL, 4)]


# ---------------------------------------------------------------- properties


class QueueModel(RuleBasedStateMachine):
    """The queue against a list kept in the obvious (slow) way, one random operation at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.q: PriorityQueue[Item] = PriorityQueue(1)
        self.model: list[Item] = []
        self.capacity = 1
        self.policy = OverflowPolicy.EVICT_LOWER
        self.closed = False
        self.offered = 0
        self.seq = 0
        self.max_depth = 0

    @initialize(capacity=st.integers(1, 6), policy=st.sampled_from(OverflowPolicy))
    def make(self, capacity: int, policy: OverflowPolicy) -> None:
        self.q = PriorityQueue(capacity, policy)
        self.capacity, self.policy = capacity, policy

    @rule(priority=st.sampled_from(EventPriority))
    def put_nowait(self, priority: EventPriority) -> None:
        item = (priority, self.seq)
        self.seq += 1
        self.offered += 1
        expected = not self.closed
        if expected and len(self.model) >= self.capacity:
            lower = [x for x in self.model if x[0] < priority]
            expected = self.policy is OverflowPolicy.EVICT_LOWER and bool(lower)
            if expected:
                self.model.remove(min(lower))  # lowest priority, then oldest
        if expected:
            self.model.append(item)
        assert self.q.put_nowait(item, priority) is expected
        self.max_depth = max(self.max_depth, len(self.model))

    @precondition(lambda self: bool(self.model))
    @rule()
    def get_nowait(self) -> None:
        expected = min(self.model, key=lambda x: (-x[0], x[1]))
        self.model.remove(expected)
        assert self.q.get_nowait() == expected

    @precondition(lambda self: not self.model)
    @rule()
    def get_from_empty(self) -> None:
        with pytest.raises(asyncio.QueueEmpty):
            self.q.get_nowait()

    @rule()
    def clear(self) -> None:
        assert self.q.clear() == len(self.model)
        self.model.clear()

    @rule(closed=st.booleans())
    def close_or_open(self, closed: bool) -> None:
        if closed:
            self.q.close()
        else:
            self.q.open()
        self.closed = closed

    @invariant()
    def never_over_capacity(self) -> None:
        assert len(self.q) == len(self.model) <= self.capacity

    @invariant()
    def counts_add_up(self) -> None:
        s = self.q.stats()
        assert s.accepted == s.taken + s.evicted + s.discarded + s.depth
        assert self.offered == s.accepted + s.refused + s.turned_away
        assert s.peak == self.max_depth
        if self.policy is OverflowPolicy.REJECT:
            assert s.evicted == 0


TestQueueModel = QueueModel.TestCase
TestQueueModel.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)


@settings(max_examples=60, deadline=None)
@given(
    capacity=st.integers(1, 4),
    producers=st.lists(
        st.lists(st.sampled_from(EventPriority), max_size=12), min_size=1, max_size=4
    ),
    seed=st.integers(0, 2**16),
)
def test_waiting_puts_lose_nothing_and_stay_within_capacity(
    capacity: int, producers: list[list[EventPriority]], seed: int
) -> None:
    """Producers putting with wait against a slow consumer: every item arrives exactly once, in
    FIFO order per producer and priority, the queue never holds more than its capacity, and
    nothing is counted as refused."""
    rng = random.Random(seed)

    async def scenario() -> None:
        q: PriorityQueue[tuple[int, int, EventPriority]] = PriorityQueue(capacity)
        total = sum(map(len, producers))
        got: list[tuple[int, int, EventPriority]] = []

        async def produce(pid: int, priorities: list[EventPriority]) -> None:
            for n, p in enumerate(priorities):
                assert await q.put((pid, n, p), p) is True
                if rng.random() < 0.3:
                    await asyncio.sleep(0)

        async def consume() -> None:
            while len(got) < total:
                assert len(q) <= capacity
                got.append(await q.get())
                for _ in range(rng.randrange(3)):
                    await asyncio.sleep(0)

        async with asyncio.TaskGroup() as tg:
            tg.create_task(consume())
            for pid, priorities in enumerate(producers):
                tg.create_task(produce(pid, priorities))
        expected = sorted((pid, n, p) for pid, ps in enumerate(producers) for n, p in enumerate(ps))
        assert sorted(got) == expected
        for pid in range(len(producers)):
            for p in EventPriority:
                mine = [n for g_pid, n, g_p in got if g_pid == pid and g_p == p]
                assert mine == sorted(mine)
        s = q.stats()
        assert (s.accepted, s.taken, s.refused, s.timed_out, s.evicted) == (total, total, 0, 0, 0)
        assert s.peak <= capacity

    asyncio.run(scenario())
