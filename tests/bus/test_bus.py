"""Behaviour of AsyncEventBus: dispatch, priorities, overflow, failures, lifecycle, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator

import pytest

from yesman.bus import (
    AsyncEventBus,
    Event,
    EventPriority,
    EventType,
    OverflowPolicy,
)


def ev(
    i: int = 0,
    priority: EventPriority = EventPriority.NORMAL,
    type: EventType = EventType.CUSTOM,
) -> Event:
    return Event(type=type, data={"i": i}, source="test", priority=priority)


@pytest.fixture
async def bus() -> AsyncIterator[AsyncEventBus]:
    b = AsyncEventBus(max_queue_size=100, worker_count=2, metrics_interval=0)
    async with b:
        yield b


# ---------------------------------------------------------------- dispatch


async def test_async_and_sync_handlers_receive_events(bus: AsyncEventBus) -> None:
    got_async: list[int] = []
    got_sync: list[int] = []

    async def on_async(e: Event) -> None:
        got_async.append(e.data["i"])

    def on_sync(e: Event) -> None:
        got_sync.append(e.data["i"])

    bus.subscribe(EventType.CUSTOM, on_async)
    bus.subscribe(EventType.CUSTOM, on_sync)
    for i in range(5):
        assert await bus.publish(ev(i))
    await bus.join()
    assert sorted(got_async) == list(range(5))
    assert sorted(got_sync) == list(range(5))
    m = bus.get_metrics()
    assert m.events_published == 5
    assert m.events_processed == 5
    assert m.events_by_type == {"custom": 5}


async def test_wildcard_and_type_filtering(bus: AsyncEventBus) -> None:
    everything: list[EventType] = []
    alerts: list[EventType] = []
    bus.subscribe("*", lambda e: everything.append(e.type))
    bus.subscribe(EventType.PERFORMANCE_ALERT, lambda e: alerts.append(e.type))
    await bus.publish(ev(type=EventType.CUSTOM))
    await bus.publish(ev(type=EventType.PERFORMANCE_ALERT))
    await bus.join()
    assert sorted(everything) == sorted([EventType.CUSTOM, EventType.PERFORMANCE_ALERT])
    assert alerts == [EventType.PERFORMANCE_ALERT]


async def test_unsubscribe_stops_delivery(bus: AsyncEventBus) -> None:
    got: list[int] = []
    sub = bus.subscribe(EventType.CUSTOM, lambda e: got.append(e.data["i"]))
    await bus.publish(ev(1))
    await bus.join()
    assert sub.unsubscribe() is True
    assert sub.unsubscribe() is False
    await bus.publish(ev(2))
    await bus.join()
    assert got == [1]
    assert bus.get_metrics().subscriber_count == 0


async def test_subscription_as_context_manager(bus: AsyncEventBus) -> None:
    got: list[int] = []
    with bus.subscribe(EventType.CUSTOM, lambda e: got.append(1)):
        await bus.publish(ev())
        await bus.join()
    await bus.publish(ev())
    await bus.join()
    assert got == [1]


async def test_sync_handler_returning_awaitable_is_awaited(bus: AsyncEventBus) -> None:
    done: list[bool] = []

    async def work() -> None:
        await asyncio.sleep(0)
        done.append(True)

    bus.subscribe(EventType.CUSTOM, lambda e: work())
    await bus.publish(ev())
    await bus.join()
    assert done == [True]


async def test_events_published_before_start_are_handled_after_start() -> None:
    b = AsyncEventBus(max_queue_size=10, worker_count=1, metrics_interval=0)
    got: list[int] = []
    b.subscribe(EventType.CUSTOM, lambda e: got.append(e.data["i"]))
    assert await b.publish(ev(1))
    assert b.get_metrics().queue_size == 1
    assert got == []
    async with b:
        await b.join()
    assert got == [1]


# ---------------------------------------------------------------- priorities


async def test_waiting_critical_event_is_dispatched_before_waiting_low_ones() -> None:
    b = AsyncEventBus(max_queue_size=1000, worker_count=1, metrics_interval=0)
    order: list[str] = []
    b.subscribe(EventType.CUSTOM, lambda e: order.append(e.priority.name))
    # Queue before starting so everything waits at once: 50 LOW, then one of each other.
    for i in range(50):
        b.publish_nowait(ev(i, EventPriority.LOW))
    b.publish_nowait(ev(0, EventPriority.NORMAL))
    b.publish_nowait(ev(0, EventPriority.CRITICAL))
    b.publish_nowait(ev(0, EventPriority.HIGH))
    async with b:
        await b.join()
    assert order[:3] == ["CRITICAL", "HIGH", "NORMAL"]
    assert order[3:] == ["LOW"] * 50


async def test_priorities_under_load_with_fifo_within_a_priority() -> None:
    b = AsyncEventBus(max_queue_size=10_000, worker_count=1, metrics_interval=0)
    seen: list[tuple[int, int]] = []
    release = asyncio.Event()

    async def slow(e: Event) -> None:
        if e.data["i"] == -1:
            await release.wait()
        seen.append((int(e.priority), e.data["i"]))

    b.subscribe(EventType.CUSTOM, slow)
    async with b:
        b.publish_nowait(ev(-1, EventPriority.LOW))  # occupies the only worker
        await asyncio.sleep(0.01)
        for i in range(300):
            b.publish_nowait(ev(i, EventPriority(i % 4)))
        release.set()
        await b.join()
    assert seen[0] == (0, -1)
    rest = seen[1:]
    assert [p for p, _ in rest] == sorted((p for p, _ in rest), reverse=True)
    for p in range(4):
        ids = [i for q, i in rest if q == p]
        assert ids == sorted(ids), f"priority {p} not FIFO"


# ---------------------------------------------------------------- overflow


async def test_full_queue_refuses_and_counts() -> None:
    b = AsyncEventBus(max_queue_size=5, worker_count=1, metrics_interval=0)
    results = [b.publish_nowait(ev(i)) for i in range(8)]  # not started: nothing drains
    assert results == [True] * 5 + [False] * 3
    m = b.get_metrics()
    assert m.queue_size == 5
    assert m.events_dropped == 3
    assert m.queue_overflow_events == 3
    assert m.events_rejected == 3
    assert m.events_evicted == 0
    assert m.queue_utilization_percent == pytest.approx(100.0)
    assert m.events_published == 5


async def test_full_queue_evicts_lower_priority_for_higher() -> None:
    b = AsyncEventBus(max_queue_size=3, worker_count=1, metrics_interval=0)
    got: list[tuple[str, int]] = []
    b.subscribe(EventType.CUSTOM, lambda e: got.append((e.priority.name, e.data["i"])))
    assert b.publish_nowait(ev(1, EventPriority.LOW))
    assert b.publish_nowait(ev(2, EventPriority.LOW))
    assert b.publish_nowait(ev(3, EventPriority.NORMAL))
    assert b.publish_nowait(ev(4, EventPriority.CRITICAL))  # evicts LOW #1 (oldest lowest)
    assert not b.publish_nowait(ev(5, EventPriority.LOW))  # nothing lower: refused
    assert b.publish_nowait(ev(6, EventPriority.HIGH))  # evicts LOW #2
    assert not b.publish_nowait(ev(7, EventPriority.NORMAL))  # only NORMAL+ left: refused
    m = b.get_metrics()
    assert (m.events_evicted, m.events_rejected) == (2, 2)
    assert m.events_dropped == m.queue_overflow_events == 4
    async with b:
        await b.join()
    assert got == [("CRITICAL", 4), ("HIGH", 6), ("NORMAL", 3)]
    m = b.get_metrics()
    # Every offered event is accounted for: handled or dropped.
    assert m.events_processed + m.events_dropped == 7


async def test_reject_policy_never_evicts() -> None:
    b = AsyncEventBus(
        max_queue_size=2, worker_count=1, metrics_interval=0, overflow_policy=OverflowPolicy.REJECT
    )
    b.publish_nowait(ev(1, EventPriority.LOW))
    b.publish_nowait(ev(2, EventPriority.LOW))
    assert not b.publish_nowait(ev(3, EventPriority.CRITICAL))
    m = b.get_metrics()
    assert (m.events_rejected, m.events_evicted, m.queue_overflow_events) == (1, 0, 1)


async def test_overflow_is_logged_without_flooding(caplog: pytest.LogCaptureFixture) -> None:
    b = AsyncEventBus(max_queue_size=1, worker_count=1, metrics_interval=0)
    b.publish_nowait(ev())
    with caplog.at_level(logging.WARNING, logger="yesman.bus"):
        for _ in range(1000):
            b.publish_nowait(ev())
    overflow_lines = [r for r in caplog.records if "queue full" in r.getMessage()]
    assert 1 <= len(overflow_lines) <= 3
    assert b.get_metrics().queue_overflow_events == 1000


# ---------------------------------------------------------------- failures


async def test_failing_handler_is_counted_logged_reported_once_and_worker_survives(
    caplog: pytest.LogCaptureFixture,
) -> None:
    b = AsyncEventBus(max_queue_size=100, worker_count=1, metrics_interval=0)
    errors: list[Event] = []
    ok: list[int] = []

    def broken(e: Event) -> None:
        raise RuntimeError(f"boom {e.data['i']}")

    b.subscribe(EventType.CUSTOM, broken)
    b.subscribe(EventType.CUSTOM, lambda e: ok.append(e.data["i"]))
    b.subscribe(EventType.SYSTEM_ERROR, errors.append)
    with caplog.at_level(logging.ERROR, logger="yesman.bus"):
        async with b:
            for i in range(3):
                await b.publish(ev(i))
            await b.join()
    assert ok == [0, 1, 2], "a failing handler must not stop the others or the worker"
    m = b.get_metrics()
    assert m.handler_errors == 3
    assert len(errors) == 3, "each failure is reported exactly once"
    assert errors[0].data["handler"].endswith("broken")
    assert errors[0].data["event_type"] == "custom"
    assert errors[0].data["error_type"] == "RuntimeError"
    logged = [r for r in caplog.records if "broken" in r.getMessage()]
    assert logged, "the failure is logged with the handler name"
    assert "custom" in logged[0].getMessage()


async def test_failing_system_error_handler_does_not_cause_a_storm() -> None:
    b = AsyncEventBus(max_queue_size=1000, worker_count=2, metrics_interval=0)
    calls = {"n": 0}

    def fails_on_everything(e: Event) -> None:
        calls["n"] += 1
        raise ValueError("always")

    b.subscribe("*", fails_on_everything)
    async with b:
        await b.publish(ev())
        await b.join()
        await asyncio.sleep(0.05)
        await b.join()
    m = b.get_metrics()
    # One failure on the custom event, one on the system-error event reporting it; that's all.
    assert calls["n"] == 2
    assert m.handler_errors == 2
    assert m.events_by_type == {"custom": 1, "system.error": 1}


# ---------------------------------------------------------------- publish_and_wait


async def test_publish_and_wait_returns_each_result_or_exception(bus: AsyncEventBus) -> None:
    async def doubles(e: Event) -> int:
        return int(e.data["i"]) * 2

    def fails(e: Event) -> None:
        raise KeyError("nope")

    bus.subscribe(EventType.CUSTOM, doubles)
    bus.subscribe(EventType.CUSTOM, fails)
    results = await bus.publish_and_wait(ev(21), timeout=1.0)
    assert [r.result for r in results if r.ok] == [42]
    errs = [r for r in results if not r.ok]
    assert len(errs) == 1
    assert isinstance(errs[0].error, KeyError)
    assert errs[0].handler.endswith("fails")


async def test_publish_and_wait_honours_timeout(bus: AsyncEventBus) -> None:
    cancelled = asyncio.Event()

    async def hangs(e: Event) -> None:
        try:
            await asyncio.sleep(30)
        finally:
            cancelled.set()

    bus.subscribe(EventType.CUSTOM, hangs)
    bus.subscribe(EventType.CUSTOM, lambda e: "quick")
    t0 = time.monotonic()
    results = await bus.publish_and_wait(ev(), timeout=0.1)
    assert time.monotonic() - t0 < 2.0
    assert cancelled.is_set()
    by_ok = {r.ok: r for r in results}
    assert by_ok[True].result == "quick"
    assert isinstance(by_ok[False].error, TimeoutError)


# ---------------------------------------------------------------- lifecycle


async def test_idle_bus_stops_in_milliseconds() -> None:
    b = AsyncEventBus(metrics_interval=60)
    await b.start()
    t0 = time.monotonic()
    await b.stop(timeout=10.0)
    assert time.monotonic() - t0 < 0.5


async def test_busy_bus_drains_then_stops_promptly() -> None:
    b = AsyncEventBus(max_queue_size=100, worker_count=2, metrics_interval=0)
    got: list[int] = []

    async def slowish(e: Event) -> None:
        await asyncio.sleep(0.005)
        got.append(e.data["i"])

    b.subscribe(EventType.CUSTOM, slowish)
    await b.start()
    for i in range(40):
        b.publish_nowait(ev(i))
    t0 = time.monotonic()
    await b.stop(timeout=10.0)
    elapsed = time.monotonic() - t0
    assert sorted(got) == list(range(40)), "stop() drains what was queued"
    assert elapsed < 5.0, "stop() returns when drained, not after its timeout"
    assert b.get_metrics().events_dropped == 0


async def test_stop_timeout_counts_what_was_left() -> None:
    b = AsyncEventBus(max_queue_size=100, worker_count=1, metrics_interval=0)

    async def stuck(e: Event) -> None:
        await asyncio.sleep(30)

    b.subscribe(EventType.CUSTOM, stuck)
    await b.start()
    for i in range(5):
        b.publish_nowait(ev(i))
    t0 = time.monotonic()
    await b.stop(timeout=0.2)
    assert time.monotonic() - t0 < 2.0
    m = b.get_metrics()
    assert m.events_processed == 0
    assert m.events_dropped == 5  # 4 queued + 1 interrupted
    assert m.queue_size == 0


async def test_start_and_stop_are_idempotent_and_publish_after_stop_is_refused() -> None:
    b = AsyncEventBus(metrics_interval=0)
    await b.stop()  # never started: harmless
    await b.start()
    await b.start()
    assert b.is_running
    await b.stop()
    await b.stop()
    assert [b.is_running] == [False]  # a list: mypy would keep the narrowing above
    assert await b.publish(ev()) is False
    assert b.get_metrics().events_dropped == 1


async def test_bus_can_be_restarted_and_counters_carry_on() -> None:
    b = AsyncEventBus(metrics_interval=0)
    got: list[int] = []
    b.subscribe(EventType.CUSTOM, lambda e: got.append(1))
    async with b:
        await b.publish(ev())
        await b.join()
    async with b:
        await b.publish(ev())
        await b.join()
    assert got == [1, 1]
    assert b.get_metrics().events_processed == 2


# ---------------------------------------------------------------- metrics


async def test_queue_depth_figures_and_backlog_estimate() -> None:
    b = AsyncEventBus(
        max_queue_size=200, worker_count=1, metrics_interval=0, queue_sample_interval=0.02
    )
    gate = asyncio.Event()

    async def handler(e: Event) -> None:
        await gate.wait()
        await asyncio.sleep(0.002)  # ~500 events/s once released

    b.subscribe(EventType.CUSTOM, handler)
    async with b:
        for i in range(101):
            b.publish_nowait(ev(i))
        await asyncio.sleep(0.05)
        m = b.get_metrics()
        # One event is with the worker, 100 wait.
        assert m.queue_size == 100
        assert m.queue_utilization_percent == pytest.approx(50.0)
        assert m.max_queue_depth >= 100
        assert m.peak_queue_depth >= 100
        assert m.active_handlers == 1
        assert math.isinf(m.queue_backlog_duration_ms), "nothing drains: unbounded backlog"
        assert max(m.queue_depth_history) == 100
        gate.set()
        await asyncio.sleep(0.1)
        m = b.get_metrics()
        assert 0 < m.queue_size < 100
        assert m.drain_rate_per_second > 50
        expected = m.queue_size / m.drain_rate_per_second * 1000
        assert m.queue_backlog_duration_ms == pytest.approx(expected)
        await b.join()
        m = b.get_metrics()
        assert m.queue_backlog_duration_ms == 0.0
        assert m.queue_size == 0
        assert m.average_processing_time > 0


async def test_history_retention_is_configurable() -> None:
    b = AsyncEventBus(metrics_interval=0, queue_sample_interval=0.01, queue_history_size=5)
    async with b:
        await asyncio.sleep(0.2)
        assert len(b.get_metrics().queue_depth_history) == 5
    b2 = AsyncEventBus(metrics_interval=0, queue_history_size=3)
    for _ in range(4):
        b2._update_queue_depth_metrics()
    assert b2.get_metrics().queue_depth_history == (0, 0, 0)


async def test_bus_publishes_its_metrics_each_interval_and_starts_a_new_one() -> None:
    b = AsyncEventBus(max_queue_size=50, worker_count=1, metrics_interval=0)
    reports: list[Event] = []
    b.subscribe(EventType.PERFORMANCE_METRICS, reports.append)
    for i in range(30):  # depth 30 while not started
        b.publish_nowait(ev(i))
    async with b:
        await b.join()
        assert b.get_metrics().max_queue_depth == 30
        b._metrics_interval = 0.05  # the seed's knob, applied while running
        await asyncio.sleep(0.3)
        await b.join()
    assert len(reports) >= 2
    first = reports[0]
    assert first.source == "event_bus"
    assert first.data["component"] == "event_bus"
    assert first.data["max_queue_depth"] == 30
    assert first.data["events_processed"] >= 30
    # A new interval started: its max depth no longer remembers the burst...
    assert reports[-1].data["max_queue_depth"] <= 1
    # ...but the peak since start does.
    assert reports[-1].data["peak_queue_depth"] == 30


async def test_metrics_snapshot_is_immutable(bus: AsyncEventBus) -> None:
    await bus.publish(ev())
    await bus.join()
    m = bus.get_metrics()
    with pytest.raises(AttributeError):
        m.events_processed = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.events_by_type["custom"] = 0  # type: ignore[index]
    assert m.to_dict()["events_by_type"] == {"custom": 1}


# ---------------------------------------------------------------- bad input


async def test_bad_input_gets_clear_errors(bus: AsyncEventBus) -> None:
    with pytest.raises(TypeError, match="takes an Event, got dict"):
        await bus.publish({"type": "custom"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="handler must be callable"):
        bus.subscribe(EventType.CUSTOM, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown event type 'nope'"):
        bus.subscribe("nope", print)
    with pytest.raises(ValueError, match="max_queue_size must be at least 1, got 0"):
        AsyncEventBus(max_queue_size=0)
    with pytest.raises(ValueError, match="max_queue_size must be at least 1, got -5"):
        AsyncEventBus(max_queue_size=-5)
    with pytest.raises(ValueError, match="worker_count must be at least 1"):
        AsyncEventBus(worker_count=0)
    with pytest.raises(TypeError, match="max_queue_size must be an int"):
        AsyncEventBus(max_queue_size=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Event type must be an EventType"):
        Event(type="no.such.type")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Event data must be a mapping"):
        Event(type=EventType.CUSTOM, data=[1, 2])  # type: ignore[arg-type]


def test_event_accepts_plain_values_and_is_frozen() -> None:
    e = Event(type="prompt.detected", priority=3)  # type: ignore[arg-type]
    assert e.type is EventType.PROMPT_DETECTED
    assert e.priority is EventPriority.CRITICAL
    assert abs(e.timestamp - time.time()) < 5
    with pytest.raises(AttributeError):
        e.source = "x"  # type: ignore[misc]


# ---------------------------------------------------------------- backpressure: publish(wait=True)


def gated_bus(capacity: int) -> tuple[AsyncEventBus, asyncio.Event, list[int]]:
    """A one-worker bus whose handler records each event once `gate` is set."""
    b = AsyncEventBus(max_queue_size=capacity, worker_count=1, metrics_interval=0)
    gate = asyncio.Event()
    handled: list[int] = []

    async def handler(e: Event) -> None:
        await gate.wait()
        handled.append(e.data["i"])

    b.subscribe(EventType.CUSTOM, handler)
    return b, gate, handled


async def test_waiting_publish_holds_the_producer_until_a_worker_makes_room() -> None:
    b, gate, handled = gated_bus(capacity=2)
    async with b:
        assert b.publish_nowait(ev(0))
        await asyncio.sleep(0.01)  # the worker holds it
        assert b.publish_nowait(ev(1))
        assert b.publish_nowait(ev(2))  # the queue is full
        waiting = asyncio.create_task(b.publish(ev(3), wait=True))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        assert b.get_metrics().publishers_waiting == 1
        gate.set()
        assert await waiting is True
        await b.join()
    assert handled == [0, 1, 2, 3]
    m = b.get_metrics()
    assert (m.events_dropped, m.queue_overflow_events, m.events_rejected) == (0, 0, 0)
    assert m.events_published == m.events_processed == 4
    assert m.events_by_type == {"custom": 4}
    assert (m.publishers_waiting, m.publish_waits) == (0, 1)


async def test_waiting_producer_loses_nothing_where_a_nowait_one_drops() -> None:
    async def run(wait: bool) -> tuple[int, int]:
        b = AsyncEventBus(max_queue_size=5, worker_count=2, metrics_interval=0)

        async def slow(e: Event) -> None:
            await asyncio.sleep(0.001)

        b.subscribe(EventType.CUSTOM, slow)
        async with b:
            for i in range(200):
                await b.publish(ev(i), wait=wait)
            await b.join()
        m = b.get_metrics()
        return m.events_processed, m.events_dropped

    assert await run(wait=True) == (200, 0)
    processed, dropped = await run(wait=False)
    assert dropped > 0, "the comparison needs a producer that outruns the workers"
    assert processed + dropped == 200


async def test_waiting_publishers_are_served_first_come_first_served() -> None:
    b, gate, handled = gated_bus(capacity=1)
    async with b:
        assert b.publish_nowait(ev(0))  # with the worker
        await asyncio.sleep(0.01)
        assert b.publish_nowait(ev(1))  # queued: full
        waiters = []
        for i, priority in [
            (2, EventPriority.LOW),
            (3, EventPriority.CRITICAL),
            (4, EventPriority.NORMAL),
        ]:
            waiters.append(asyncio.create_task(b.publish(ev(i, priority), wait=True)))
            await asyncio.sleep(0.005)
        assert b.get_metrics().publishers_waiting == 3
        gate.set()
        assert await asyncio.gather(*waiters) == [True, True, True]
        await b.join()
    assert handled == [0, 1, 2, 3, 4]


async def test_waiting_publish_never_evicts() -> None:
    b, gate, handled = gated_bus(capacity=2)
    b.publish_nowait(ev(1, EventPriority.LOW))
    b.publish_nowait(ev(2, EventPriority.LOW))
    # Not started: nothing drains, so the CRITICAL event can only get in by waiting.
    assert await b.publish(ev(3, EventPriority.CRITICAL), wait=True, timeout=0.05) is False
    gate.set()
    async with b:
        await b.join()
    assert handled == [1, 2]
    m = b.get_metrics()
    assert (m.events_evicted, m.events_rejected, m.events_dropped) == (0, 1, 1)


async def test_waiting_publish_timeout_returns_false_and_counts_one_drop() -> None:
    b, gate, handled = gated_bus(capacity=1)
    async with b:
        b.publish_nowait(ev(0))
        await asyncio.sleep(0.01)
        b.publish_nowait(ev(1))
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        assert await b.publish(ev(2), wait=True, timeout=0.1) is False
        assert 0.09 <= loop.time() - t0 < 2.0
        m = b.get_metrics()
        assert (m.events_dropped, m.events_rejected, m.queue_overflow_events) == (1, 1, 1)
        assert m.publishers_waiting == 0
        gate.set()
        await b.join()
    assert handled == [0, 1]
    assert b.get_metrics().events_processed + b.get_metrics().events_dropped == 3


async def test_stop_turns_waiting_publishers_away_at_once() -> None:
    b, gate, handled = gated_bus(capacity=1)
    await b.start()
    b.publish_nowait(ev(0))
    await asyncio.sleep(0.01)
    b.publish_nowait(ev(1))
    waiters = [asyncio.create_task(b.publish(ev(i), wait=True)) for i in (2, 3)]
    await asyncio.sleep(0.01)
    stopping = asyncio.create_task(b.stop(timeout=5.0))
    results = await asyncio.wait_for(asyncio.gather(*waiters), timeout=1.0)
    assert results == [False, False], "stop() must wake waiting publishers, not leave them hanging"
    assert not stopping.done(), "stop() is still draining what was accepted"
    gate.set()
    await stopping
    assert handled == [0, 1]
    m = b.get_metrics()
    assert m.events_dropped == 2, "refused after stop(): counted like any publish after stop()"
    assert await b.publish(ev(9), wait=True) is False


async def test_cancelled_waiting_publisher_queues_nothing() -> None:
    b, gate, handled = gated_bus(capacity=1)
    async with b:
        b.publish_nowait(ev(0))
        await asyncio.sleep(0.01)
        b.publish_nowait(ev(1))
        waiter = asyncio.create_task(b.publish(ev(2), wait=True))
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert b.get_metrics().publishers_waiting == 0
        gate.set()
        await b.join()
    assert handled == [0, 1]
    assert b.get_metrics().events_published == 2


async def test_waiting_publish_arguments_are_checked(bus: AsyncEventBus) -> None:
    with pytest.raises(ValueError, match="needs wait=True"):
        await bus.publish(ev(), timeout=1.0)
    with pytest.raises(ValueError, match="timeout must be >= 0"):
        await bus.publish(ev(), wait=True, timeout=-1)
    with pytest.raises(TypeError, match="takes an Event"):
        await bus.publish("event", wait=True)  # type: ignore[arg-type]


# ---------------------------------------------------------------- lifecycle rule


async def test_aclose_and_aclosing_stop_the_bus() -> None:
    b = AsyncEventBus(metrics_interval=0)
    async with contextlib.aclosing(b):
        await b.start()
        assert b.is_running
    assert [b.is_running] == [False]
    await b.aclose()  # idempotent
    assert await b.publish(ev()) is False


async def test_concurrent_stops_both_return_once_stopped() -> None:
    b = AsyncEventBus(max_queue_size=10, worker_count=1, metrics_interval=0)
    got: list[int] = []

    async def slowish(e: Event) -> None:
        await asyncio.sleep(0.02)
        got.append(e.data["i"])

    b.subscribe(EventType.CUSTOM, slowish)
    await b.start()
    for i in range(3):
        b.publish_nowait(ev(i))
    first = asyncio.create_task(b.stop())
    await asyncio.sleep(0)
    await b.stop()
    assert got == [0, 1, 2], "the second stop() must not return before the drain finished"
    await first
    assert not b.is_running


async def test_start_while_stopping_starts_afresh_once_stopped() -> None:
    b = AsyncEventBus(max_queue_size=10, worker_count=1, metrics_interval=0)
    got: list[int] = []

    async def slowish(e: Event) -> None:
        await asyncio.sleep(0.02)
        got.append(e.data["i"])

    b.subscribe(EventType.CUSTOM, slowish)
    await b.start()
    b.publish_nowait(ev(0))
    stopping = asyncio.create_task(b.stop())
    await asyncio.sleep(0)
    await b.start()
    assert stopping.done()
    assert b.is_running
    assert b.publish_nowait(ev(1))
    await b.stop()
    assert got == [0, 1]


async def test_bus_runs_its_tasks_under_one_runner_and_leaves_none_behind() -> None:
    before = asyncio.all_tasks()
    b = AsyncEventBus(worker_count=3, metrics_interval=0)
    for _ in range(2):  # restartable
        await b.start()
        names = {t.get_name() for t in asyncio.all_tasks() - before}
        assert "yesman.bus" in names
        assert {"yesman.bus.worker-0", "yesman.bus.worker-2", "yesman.bus.sampler"} <= names
        await b.stop()
        assert asyncio.all_tasks() - before == set()
