"""Event-bus throughput against a bare asyncio.Queue, and memory under a flood.

Run: uv run python benchmarks/bus.py [--events N] [--flood N]

(a) a bare `asyncio.Queue(10000)` drained by 4 worker tasks that await one trivial async handler;
(b) `AsyncEventBus(max_queue_size=10000, worker_count=4)` with the same handler, metrics on,
    fed through `await bus.publish()` (the seed's API) and through `publish_nowait()`;
(c) the ratio b/a. Target: >= 0.7.

Both sides are fed the same way: fill the queue to capacity, wait until it is drained, repeat,
so neither pays for a blocked producer. Each figure is the best of several rounds, interleaved,
because a shared 2-core machine is noisy; only the ratio is meant to be compared.

Backpressure: one producer offers events faster than the workers drain them (the handler yields
to the loop once, the producer does not), so the queue stays full and the producer waits for
room again and again (once per round of the workers; both sides print their count of waits):
(a) a bare `asyncio.Queue(1000)` fed with `await queue.put()`, 4 workers;
(b) `AsyncEventBus(max_queue_size=1000, worker_count=4)` fed with
    `await bus.publish(event, wait=True)`, the same handler;
(c) the ratio b/a. Target: >= 0.7. Both must deliver every event; the bus must drop none.

Then 1,000,000 events are pushed at a bus whose only handler is slow: RSS must stay bounded by
the queue capacity, and every event must be either handled or counted as dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time

import psutil

from yesman.bus import AsyncEventBus, Event, EventType

CAPACITY = 10_000
WORKERS = 4


async def trivial_handler(event: Event) -> None:
    return None


async def bare_queue(n: int) -> float:
    queue: asyncio.Queue[Event] = asyncio.Queue(CAPACITY)

    async def worker() -> None:
        while True:
            event = await queue.get()
            await trivial_handler(event)
            queue.task_done()

    event = Event(type=EventType.CUSTOM)
    async with asyncio.TaskGroup() as tg:
        workers = [tg.create_task(worker()) for _ in range(WORKERS)]
        start = time.perf_counter()
        for _ in range(n // CAPACITY):
            for _ in range(CAPACITY):
                queue.put_nowait(event)
            await queue.join()
        elapsed = time.perf_counter() - start
        for w in workers:
            w.cancel()
    return n / elapsed


async def bus_throughput(n: int, *, nowait: bool) -> float:
    bus = AsyncEventBus(max_queue_size=CAPACITY, worker_count=WORKERS)
    bus.subscribe(EventType.CUSTOM, trivial_handler)
    event = Event(type=EventType.CUSTOM)
    async with bus:
        start = time.perf_counter()
        for _ in range(n // CAPACITY):
            if nowait:
                for _ in range(CAPACITY):
                    bus.publish_nowait(event)
            else:
                for _ in range(CAPACITY):
                    await bus.publish(event)
            await bus.join()
        elapsed = time.perf_counter() - start
    m = bus.get_metrics()
    if m.events_processed != n or m.events_dropped:
        raise RuntimeError(f"bus lost events in the throughput run: {m}")
    return n / elapsed


BP_CAPACITY = 1_000


async def yielding_handler(event: Event) -> None:
    await asyncio.sleep(0)  # one trip through the loop: slower than the producer


async def bare_backpressure(n: int) -> tuple[float, int]:
    """Events/s through a bare queue fed with `await put()`, and how often the producer waited."""
    queue: asyncio.Queue[Event] = asyncio.Queue(BP_CAPACITY)
    handled = 0

    async def worker() -> None:
        nonlocal handled
        while True:
            event = await queue.get()
            await yielding_handler(event)
            handled += 1
            queue.task_done()

    event = Event(type=EventType.CUSTOM)
    waits = 0
    async with asyncio.TaskGroup() as tg:
        workers = [tg.create_task(worker()) for _ in range(WORKERS)]
        start = time.perf_counter()
        for _ in range(n):
            if queue.full():
                waits += 1
            await queue.put(event)
        await queue.join()
        elapsed = time.perf_counter() - start
        for w in workers:
            w.cancel()
    if handled != n:
        raise RuntimeError(f"bare queue handled {handled} of {n} events")
    return n / elapsed, waits


async def bus_backpressure(n: int) -> tuple[float, int]:
    """Events/s through the bus fed with `publish(wait=True)`, and how often the producer waited."""
    bus = AsyncEventBus(max_queue_size=BP_CAPACITY, worker_count=WORKERS)
    bus.subscribe(EventType.CUSTOM, yielding_handler)
    event = Event(type=EventType.CUSTOM)
    async with bus:
        start = time.perf_counter()
        for _ in range(n):
            await bus.publish(event, wait=True)
        await bus.join()
        elapsed = time.perf_counter() - start
    m = bus.get_metrics()
    if m.events_processed != n or m.events_dropped:
        raise RuntimeError(f"bus lost events in the backpressure run: {m}")
    return n / elapsed, m.publish_waits


async def flood(n: int) -> None:
    proc = psutil.Process()
    bus = AsyncEventBus(max_queue_size=CAPACITY, worker_count=WORKERS)
    handled = 0

    async def slow(event: Event) -> None:
        nonlocal handled
        await asyncio.sleep(0.001)
        handled += 1

    bus.subscribe(EventType.CUSTOM, slow)
    gc.collect()
    rss_before = proc.memory_info().rss
    rss_peak = rss_before
    accepted = 0
    async with bus:
        for i in range(n):
            # A fresh event each time, as a real producer would make.
            if await bus.publish(Event(type=EventType.CUSTOM, data={"i": i})):
                accepted += 1
            if i % 50_000 == 0:
                await asyncio.sleep(0)
                rss_peak = max(rss_peak, proc.memory_info().rss)
        rss_peak = max(rss_peak, proc.memory_info().rss)
        await bus.stop(timeout=0.5)
    m = bus.get_metrics()
    growth_mb = (rss_peak - rss_before) / 2**20
    print(f"\nflood: {n:,} events at a bus whose handler sleeps 1 ms (capacity {CAPACITY:,})")
    print(f"  accepted {accepted:,}  handled {m.events_processed:,}  dropped {m.events_dropped:,}")
    print(f"  overflow events {m.queue_overflow_events:,}  peak depth {m.peak_queue_depth:,}")
    accounted = m.events_processed + m.events_dropped
    verdict = "OK" if accounted == n else "LOST"
    print(f"  handled + dropped = {accounted:,} of {n:,} offered: {verdict}")
    print(
        f"  RSS growth during the flood: {growth_mb:.1f} MB (bounded by capacity: "
        f"{'OK' if growth_mb < 50 else 'TOO HIGH'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backpressure-events", type=int, default=200_000)
    parser.add_argument("--flood", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.events - args.events % CAPACITY

    bare: list[float] = []
    bus_await: list[float] = []
    bus_nowait: list[float] = []
    for _ in range(args.rounds):  # interleaved, so drift in machine load hits all three
        bare.append(asyncio.run(bare_queue(n)))
        bus_await.append(asyncio.run(bus_throughput(n, nowait=False)))
        bus_nowait.append(asyncio.run(bus_throughput(n, nowait=True)))
    a, b, b2 = max(bare), max(bus_await), max(bus_nowait)
    print(f"throughput, {n:,} events, {WORKERS} workers, queue {CAPACITY:,}, best of {args.rounds}")
    print(f"  (a) bare asyncio.Queue + {WORKERS} workers     {a:>12,.0f} events/s")
    print(f"  (b) AsyncEventBus, await publish()     {b:>12,.0f} events/s")
    print(f"      AsyncEventBus, publish_nowait()    {b2:>12,.0f} events/s")
    print(f"  (c) ratio b/a = {b / a:.2f}  (target >= 0.70; the original system: 0.024)")
    print(f"      ratio publish_nowait/a = {b2 / a:.2f}")

    m = args.backpressure_events
    bp_bare: list[tuple[float, int]] = []
    bp_bus: list[tuple[float, int]] = []
    for _ in range(args.rounds):
        bp_bare.append(asyncio.run(bare_backpressure(m)))
        bp_bus.append(asyncio.run(bus_backpressure(m)))
    (pa, wa), (pb, wb) = max(bp_bare), max(bp_bus)
    print(
        f"\nbackpressure, {m:,} events offered faster than {WORKERS} workers drain them, "
        f"queue {BP_CAPACITY:,}, best of {args.rounds}"
    )
    print(f"  (a) bare asyncio.Queue, await put()           {pa:>10,.0f} events/s  ({wa:,} waits)")
    print(f"  (b) AsyncEventBus, publish(wait=True)         {pb:>10,.0f} events/s  ({wb:,} waits)")
    print(f"  (c) ratio b/a = {pb / pa:.2f}  (target >= 0.70); bus dropped 0 of {m:,}")
    asyncio.run(flood(args.flood))


if __name__ == "__main__":
    main()
