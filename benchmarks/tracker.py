"""Added cost per operation of ComponentTracker, next to the references, from one run.

Run: ``uv run python benchmarks/tracker.py``

Rows: timing only; timing + CPU + memory + I/O; prometheus_client ``Histogram.observe`` on the
same operation (the ecosystem's reference); the first implementation's approach (psutil
``memory_info`` twice, ``net_io_counters`` twice, ``cpu_percent`` once per operation). Targets:
timing only <= 1 us, everything on <= 5 us, at least 20x cheaper than the psutil approach. The
primitives each figure is built from are measured too, because they set the floor on this machine.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

import psutil
from ddsketch import DDSketch
from prometheus_client import CollectorRegistry, Histogram

from yesman.metrics import ComponentTracker, LogSketch
from yesman.metrics._memory import RssReader

REPEATS = 7


def work() -> int:
    return 1 + 1


def per_op(loop_body: Callable[[int], None], n: int) -> float:
    """Best-of-REPEATS CPU seconds per operation of ``loop_body(n)``.

    Thread CPU time rather than wall time: other processes on a shared machine then do not count.
    """
    best = float("inf")
    for _ in range(REPEATS):
        start = time.thread_time()
        loop_body(n)
        best = min(best, (time.thread_time() - start) / n)
    return best


def bare(n: int) -> None:
    for _ in range(n):
        work()


def tracked(tracker: ComponentTracker) -> Callable[[int], None]:
    track = tracker.track

    def body(n: int) -> None:
        for _ in range(n):
            with track("op"):
                work()

    return body


def prometheus(n: int) -> None:
    hist = Histogram("op_seconds", "op", registry=CollectorRegistry())
    observe, clock = hist.observe, time.perf_counter
    for _ in range(n):
        start = clock()
        work()
        observe(clock() - start)


def prometheus_labels(n: int) -> None:
    hist = Histogram("op_seconds", "op", ["component"], registry=CollectorRegistry())
    clock = time.perf_counter
    for _ in range(n):
        start = clock()
        work()
        hist.labels("op").observe(clock() - start)


def psutil_per_op(n: int) -> None:
    proc = psutil.Process()
    for _ in range(n):
        mem0 = proc.memory_info().rss
        net0 = psutil.net_io_counters()
        start = time.perf_counter()
        work()
        _elapsed = time.perf_counter() - start
        mem1 = proc.memory_info().rss
        net1 = psutil.net_io_counters()
        _cpu = proc.cpu_percent()
        _deltas = (mem1 - mem0, net1.bytes_sent - net0.bytes_sent)


async def async_tracked(n: int) -> float:
    """``async with`` in a step-accounted task, everything on: seconds per operation."""
    async with ComponentTracker() as tracker:

        async def body() -> float:
            track = tracker.track
            best = float("inf")
            for _ in range(REPEATS):
                start = time.perf_counter()
                for _ in range(n):
                    async with track("op"):
                        work()
                best = min(best, (time.perf_counter() - start) / n)
            return best

        return await asyncio.create_task(body())


def empty(n: int) -> None:
    for _ in range(n):
        pass


def primitive(fn: Callable[[], object], n: int = 200_000) -> float:
    """CPU seconds of one ``fn()`` call, the loop around it subtracted."""

    def body(n: int) -> None:
        for _ in range(n):
            fn()

    return per_op(body, n) - per_op(empty, n)


def sketch_rows(n: int = 200_000) -> tuple[float, float]:
    values = [0.001 * (1 + i % 997) for i in range(n)]
    dd = DDSketch()
    start = time.thread_time()
    for v in values:
        dd.add(v)
    dd_cost = (time.thread_time() - start) / n
    ours = LogSketch()
    start = time.thread_time()
    for i in range(0, n, 256):
        ours.add_many(values[i : i + 256])
    return dd_cost, (time.thread_time() - start) / n


def main() -> None:
    n = 200_000
    base = per_op(bare, n)
    timing_only = ComponentTracker(cpu=False, memory=False, io=False)
    everything = ComponentTracker()
    t_timing = per_op(tracked(timing_only), n) - base
    t_all = per_op(tracked(everything), n) - base
    t_async = asyncio.run(async_tracked(n // 4)) - base
    t_prom = per_op(prometheus, n) - base
    t_prom_labels = per_op(prometheus_labels, n) - base
    t_psutil = per_op(psutil_per_op, 2_000) - base

    rss = RssReader()
    p_perf = primitive(time.perf_counter)
    p_thread = primitive(time.thread_time)
    p_statm = primitive(rss.statm)
    rss.close()
    floor = 2 * p_perf + 2 * p_thread + 2 * p_statm
    dd_cost, ours_cost = sketch_rows()

    us = 1e6
    Row = tuple[str, float | None, str, str]
    rows: list[Row] = [
        ("timing only (with track)", t_timing, "<= 1 us", f"{t_timing * us:.2f}x the target"),
        (
            "timing + CPU + memory + I/O (with track)",
            t_all,
            "<= 5 us",
            f"{t_all * us / 5.0:.2f}x the target",
        ),
        (
            "  its system-call floor",
            floor,
            "",
            f"2 perf_counter + 2 thread_time + 2 statm reads; {(t_all - floor) * us:.2f} us above",
        ),
        ("  same, async with in a step-accounted task", t_async, "", ""),
        (
            "prometheus Histogram.observe (reference)",
            t_prom,
            "",
            f"timing only costs {t_timing / t_prom:.2f}x this",
        ),
        ("prometheus .labels().observe (reference)", t_prom_labels, "", ""),
        (
            "psutil per operation (first implementation)",
            t_psutil,
            ">= 20x ours",
            f"{t_psutil / t_all:.0f}x everything-on, {t_psutil / t_timing:.0f}x timing-only",
        ),
        ("primitives on this machine:", None, "", ""),
        ("  time.perf_counter()", p_perf, "", ""),
        ("  time.thread_time()", p_thread, "", "CPU attribution reads it twice per operation"),
        (
            "  /proc/self/statm pread",
            p_statm,
            "",
            "memory reads it twice per operation, parses only when it changed",
        ),
        ("  DDSketch.add, per sample", dd_cost, "", "not used"),
        ("  LogSketch.add_many, per sample", ours_cost, "", "lifetime quantiles (batches of 256)"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'us/op':>7}  {'target':<11}  result")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 11}  {'-' * 44}")
    for name, seconds, target, note in rows:
        figure = "" if seconds is None else f"{seconds * us:7.2f}"
        print(f"{name:<{width}}  {figure:>7}  {target:<11}  {note}")
    print(
        f"\nCPU time per operation, best of {REPEATS} runs, bare loop ({base * us:.3f} us) "
        f"subtracted; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}."
    )


if __name__ == "__main__":
    main()
