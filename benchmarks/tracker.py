"""Added cost per operation of ComponentTracker, next to the references, from one run.

Run: ``uv run python benchmarks/tracker.py``

Each row is the CPU time one operation adds to the same loop without tracking (the bare loop is
measured in the run and subtracted). Rows:

* ``with track()`` on a timing-only tracker (target <= 1 us) and on a default tracker (CPU, memory
  and I/O on; target <= 5 us);
* ``async with track()`` around an awaited empty coroutine in a step-accounted task (a task created
  after the tracker started: exact CPU) and in the main task (created before: CPU unknown);
* prometheus_client ``Histogram.observe`` timing the same operation, the ecosystem's reference;
* the first implementation's approach (psutil ``memory_info`` and ``net_io_counters`` twice,
  ``cpu_percent`` once per operation);
* the primitives the figures are made of, which set the floor on this machine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable

import psutil
from ddsketch import DDSketch
from prometheus_client import CollectorRegistry, Histogram

from yesman.metrics import ComponentTracker, LogSketch
from yesman.metrics._memory import RssReader

REPEATS = 7
N = 200_000


def work() -> int:
    return 1 + 1


async def awork() -> int:
    return 1 + 1


def per_op(loop_body: Callable[[int], None], n: int = N) -> float:
    """Best-of-REPEATS CPU seconds per operation of ``loop_body(n)``.

    Thread CPU time rather than wall time: other processes on a shared machine then do not count.
    """
    best = float("inf")
    for _ in range(REPEATS):
        start = time.thread_time()
        loop_body(n)
        best = min(best, (time.thread_time() - start) / n)
    return best


async def per_op_async(loop_body: Callable[[int], Awaitable[None]], n: int = N // 4) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.thread_time()
        await loop_body(n)
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


async def abare(n: int) -> None:
    for _ in range(n):
        await awork()


def atracked(tracker: ComponentTracker) -> Callable[[int], Awaitable[None]]:
    track = tracker.track

    async def body(n: int) -> None:
        for _ in range(n):
            async with track("op"):
                await awork()

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


async def async_rows() -> tuple[float, float, float]:
    """(bare await loop, async with in a step-accounted task, async with in the main task)."""
    async with ComponentTracker() as tracker:
        # Created after the tracker started: its steps are accounted, CPU is exact.
        accounted = await asyncio.create_task(per_op_async(atracked(tracker)))
        base = await asyncio.create_task(per_op_async(abare))
    # The main task predates the tracker: its operations are timed, CPU and memory unknown (the
    # tracker's one warning saying so is expected here).
    logging.getLogger("yesman.metrics").setLevel(logging.ERROR)
    main_task = await per_op_async(atracked(ComponentTracker()))
    return base, accounted, main_task


def empty(n: int) -> None:
    for _ in range(n):
        pass


def primitive(fn: Callable[[], object], n: int = N) -> float:
    """CPU seconds of one ``fn()`` call, the loop around it subtracted."""

    def body(n: int) -> None:
        for _ in range(n):
            fn()

    return per_op(body, n) - per_op(empty, n)


def sketch_rows(n: int = N) -> tuple[float, float]:
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
    base = per_op(bare)
    t_timing = per_op(tracked(ComponentTracker(cpu=False, memory=False, io=False))) - base
    t_all = per_op(tracked(ComponentTracker())) - base
    a_base, a_accounted, a_main = asyncio.run(async_rows())
    t_accounted, t_main = a_accounted - a_base, a_main - a_base
    t_prom = per_op(prometheus) - base
    t_prom_labels = per_op(prometheus_labels) - base
    t_psutil = per_op(psutil_per_op, 2_000) - base

    rss = RssReader()
    p_perf = primitive(time.perf_counter)
    p_thread = primitive(time.thread_time)
    p_statm = primitive(rss.statm)
    rss.close()
    dd_cost, ours_cost = sketch_rows()

    us = 1e6
    Row = tuple[str, float | None, str, str]
    rows: list[Row] = [
        ("timing only: with track()", t_timing, "<= 1 us", f"{t_timing * us:.2f}x the target"),
        ("default: with track()", t_all, "<= 5 us", f"{t_all * us / 5.0:.2f}x the target"),
        (
            "default: async with, accounted task",
            t_accounted,
            "<= 5 us",
            f"{t_accounted * us / 5.0:.2f}x the target; exact CPU",
        ),
        ("default: async with, main task", t_main, "", "CPU and memory unknown there"),
        (
            "prometheus Histogram.observe (reference)",
            t_prom,
            "",
            f"default with costs {t_all / t_prom:.1f}x this, timing only {t_timing / t_prom:.2f}x",
        ),
        ("prometheus .labels().observe (reference)", t_prom_labels, "", ""),
        (
            "psutil per operation (first implementation)",
            t_psutil,
            ">= 20x ours",
            f"{t_psutil / t_all:.0f}x default, {t_psutil / t_timing:.0f}x timing only",
        ),
        ("primitives on this machine:", None, "", ""),
        ("  time.perf_counter()", p_perf, "", ""),
        ("  time.thread_time()", p_thread, "", "CPU: read at both ends of an operation"),
        (
            "  /proc/self/statm pread",
            p_statm,
            "",
            "memory: both ends of every 16th short operation",
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
        f"\nCPU time per operation, best of {REPEATS} runs, bare loop subtracted "
        f"({base * us:.3f} us sync, {a_base * us:.3f} us awaiting); {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}."
    )


if __name__ == "__main__":
    main()
