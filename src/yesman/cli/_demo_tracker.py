"""`yesman demo`, tracker part: four instrumented sample components, then their figures.

The components are chosen so each figure has something to show: one burns CPU, one only sleeps
(its CPU must stay near zero although its wall time is long), one keeps allocating (memory delta,
leak suspicion), one moves bytes through a real subprocess's pipes (I/O, throughput).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time

from rich import box
from rich.console import Console
from rich.table import Table

from yesman.bus import AsyncEventBus
from yesman.metrics import (
    ComponentMetrics,
    ComponentTracker,
    PerformanceReporter,
    counted_pipes,
    find_bottlenecks,
)
from yesman.metrics._bottleneck import BottleneckThresholds

__all__ = ["run_tracker_demo"]

logger = logging.getLogger(__name__)

_ECHO = "import os\nwhile d := os.read(0, 65536):\n    os.write(1, d)\n"
_CHUNK = 256 * 1024
_MB = 1024 * 1024


async def _cpu_heavy(tracker: ComponentTracker, until: float) -> None:
    while time.monotonic() < until:
        async with tracker.track("cpu_heavy"):
            total = 0
            for step in range(4):
                total += sum(i * i for i in range(40_000))
                await asyncio.sleep(0.002 * step)
        await asyncio.sleep(0.01)


async def _sleeper(tracker: ComponentTracker, until: float) -> None:
    while time.monotonic() < until:
        async with tracker.track("sleeper"):
            await asyncio.sleep(0.12)


async def _allocator(tracker: ComponentTracker, until: float) -> None:
    hoard: list[bytes] = []
    while time.monotonic() < until:
        async with tracker.track("allocator"):
            hoard.append(bytes([len(hoard) % 251 + 1]) * _MB)  # written, so resident
            await asyncio.sleep(0)
        if len(hoard) >= 48:
            hoard.clear()
        await asyncio.sleep(0.04)


async def _pipe_io(tracker: ComponentTracker, until: float, console: Console) -> None:
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _ECHO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        console.print(f"[yellow]pipe_io skipped: could not start a subprocess ({exc})[/]")
        return
    pipes = counted_pipes(proc)
    stdin, stdout = pipes.stdin, pipes.stdout
    assert stdin is not None
    assert stdout is not None
    payload = b"y" * _CHUNK

    async def send() -> None:
        stdin.write(payload)
        await stdin.drain()

    try:
        while time.monotonic() < until:
            async with tracker.track("pipe_io") as op:
                # Write and read at once: the echo process blocks once its output pipe is full.
                _, echoed = await asyncio.gather(send(), stdout.readexactly(_CHUNK))
                if echoed != payload:
                    op.fail("corrupted echo")
            await asyncio.sleep(0.05)
    finally:
        stdin.close()
        await proc.wait()


def _table(metrics: dict[str, ComponentMetrics]) -> Table:
    table = Table(
        title="Per component (recent window)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    table.add_column("component", no_wrap=True)
    for heading in ("ops", "avg ms", "p95 ms", "err", "CPU ms", "CPU %", "mem MB", "leak"):
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("I/O MB", justify="right", no_wrap=True)
    table.add_column("MB/s", justify="right", no_wrap=True)
    for name, m in metrics.items():
        ops = max(m.total_count, 1)
        table.add_row(
            name,
            str(m.total_count),
            f"{m.average_ms:.1f}",
            f"{m.p95_ms:.1f}",
            str(m.error_count),
            f"{m.total_cpu_seconds * 1000.0 / ops:.2f}",
            f"{m.avg_cpu_percent:.0f}",
            f"{m.avg_memory_delta_mb:.2f}",
            "[red]yes[/]" if m.suspected_leak else "no",
            f"{(m.bytes_sent + m.bytes_received) / _MB:.1f}",
            f"{m.throughput_mbps:.1f}",
        )
    return table


async def run_tracker_demo(
    console: Console, bus: AsyncEventBus | None = None, *, duration: float = 3.0
) -> None:
    """Run the sample components for ``duration`` seconds, then print their figures.

    With a ``bus``, a `PerformanceReporter` publishes PERFORMANCE_METRICS every second and
    PERFORMANCE_ALERT events as bottlenecks start and end.
    """
    tracker = ComponentTracker(
        ["cpu_heavy", "sleeper", "allocator", "pipe_io"],
        lag_interval=0.05,
        leak_min_samples=10,
        leak_threshold_mb=5.0,
    )
    console.print(
        f"Running four sample components for {duration:.0f} s: cpu_heavy (computes between "
        "awaits), sleeper (only awaits), allocator (keeps 1 MB per operation), pipe_io (256 KB "
        "round trips through a subprocess)..."
    )
    until = time.monotonic() + duration
    async with tracker, contextlib.AsyncExitStack() as stack:
        reporter = None
        if bus is not None:
            reporter = await stack.enter_async_context(
                PerformanceReporter(tracker, bus, "demo", interval=1.0)
            )
        async with asyncio.TaskGroup() as tg:
            tg.create_task(_cpu_heavy(tracker, until))
            tg.create_task(_sleeper(tracker, until))
            tg.create_task(_allocator(tracker, until))
            tg.create_task(_pipe_io(tracker, until, console))
            while time.monotonic() < until:
                tracker.record_loop()
                await asyncio.sleep(0.1)
        if reporter is not None:
            await reporter.report_now()
        health = tracker.loop_health()
    metrics = tracker.get_component_metrics()
    console.print(_table(metrics))
    console.print(
        "[dim]CPU ms: CPU time charged per operation. mem MB: resident memory gained per "
        "operation. leak: kept memory growing through the window. I/O MB: bytes moved; MB/s "
        "while moving them.[/]"
    )
    console.print(
        f"Event loop: lag p50 {health.lag_p50_ms:.1f} ms, p99 {health.lag_p99_ms:.1f} ms, "
        f"max {health.lag_max_ms:.1f} ms; {health.slow_callbacks} slow steps (> 100 ms); "
        f"process memory {tracker.measure_memory_usage():.0f} MB "
        f"({tracker.memory_growth_mb():+.0f} MB since start)."
    )
    found = find_bottlenecks(metrics, BottleneckThresholds())
    if not found:
        console.print("No bottlenecks (avg > 100 ms, mem > 5 MB, CPU > 50 %, I/O > 1 MB/s).")
    for bottleneck in found:
        console.print(f"[yellow]WARNING[/] - {bottleneck.message()}", highlight=False)
    console.print(
        "CPU is charged per event-loop step to the component whose code ran: the sleeper's wall "
        "time is long but its CPU stays near zero."
    )
