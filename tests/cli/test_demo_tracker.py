"""The tracker part of `yesman demo`: what it prints and the reports it publishes."""

from __future__ import annotations

import io

from rich.console import Console

from yesman.bus import AsyncEventBus, Event, EventType
from yesman.cli._demo_tracker import run_tracker_demo


async def test_demo_prints_every_component_and_publishes_reports() -> None:
    out = io.StringIO()
    console = Console(file=out, width=160, color_system=None)
    async with AsyncEventBus() as bus:
        reports: list[Event] = []
        bus.subscribe(EventType.PERFORMANCE_METRICS, reports.append)
        await run_tracker_demo(console, bus, duration=1.2)
        await bus.join()
    text = out.getvalue()
    for component in ("cpu_heavy", "sleeper", "allocator", "pipe_io"):
        assert component in text
    assert "Bottleneck in sleeper: avg=" in text  # sleeps 120 ms a time: a latency bottleneck
    assert reports
    figures = reports[-1].data["component_response_times"]
    pipe = figures["pipe_io"]
    # Whole 256 KiB round trips, one per operation.
    assert pipe["bytes_sent"] == pipe["bytes_received"] == pipe["total_count"] * 256 * 1024 > 0
    assert figures["sleeper"]["avg_cpu_percent"] < 5
    assert figures["cpu_heavy"]["avg_cpu_percent"] > figures["sleeper"]["avg_cpu_percent"]
