"""The event-bus part of `yesman demo`: a burst through a deliberately small queue, watched live."""

from __future__ import annotations

import asyncio
import math

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table

from yesman.bus import AsyncEventBus, Event, EventMetrics, EventPriority, EventType

__all__ = ["metrics_table", "run_bus_demo"]


def _ms(value: float) -> str:
    return "∞ (not draining)" if math.isinf(value) else f"{value:,.1f} ms"


def _live_view(m: EventMetrics, offered: int) -> Group:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="bold")
    grid.add_column()
    bar = ProgressBar(total=m.queue_capacity, completed=m.queue_size, width=40)
    grid.add_row("queue depth", Group(bar, f"{m.queue_size} / {m.queue_capacity}"))
    grid.add_row("utilization", f"{m.queue_utilization_percent:5.1f} %")
    grid.add_row("backlog", _ms(m.queue_backlog_duration_ms))
    grid.add_row("drain rate", f"{m.drain_rate_per_second:,.0f} events/s")
    grid.add_row(
        "offered / handled / dropped",
        f"{offered:,} / {m.events_processed:,} / {m.events_dropped:,}",
    )
    return Group("[bold]Event bus under a burst[/]", grid)


def metrics_table(m: EventMetrics, title: str = "EventMetrics") -> Table:
    """Every field of an `EventMetrics` snapshot as a two-column table."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("field")
    table.add_column("value", justify="right")
    for name, value in m.to_dict().items():
        if name == "queue_depth_history":
            shown = " ".join(str(v) for v in value[-12:]) + (" …" if len(value) > 12 else "")
            text = f"[{shown}]"
        elif name == "events_by_type":
            text = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        elif isinstance(value, float):
            in_ms = name.endswith("_ms") or name == "average_processing_time"
            text = _ms(value) if in_ms else f"{value:,.3f}"
        else:
            text = f"{value:,}" if isinstance(value, int) else str(value)
        table.add_row(name, text)
    return table


async def run_bus_demo(console: Console, *, burst: int = 400, capacity: int = 50) -> EventMetrics:
    """Push `burst` events of mixed priority at a `capacity`-slot bus with slow handlers."""
    bus = AsyncEventBus(
        max_queue_size=capacity, worker_count=2, queue_sample_interval=0.05, metrics_interval=0
    )

    async def handler(event: Event) -> None:
        await asyncio.sleep(0.004)  # a slow subscriber: the queue fills up

    def flaky(event: Event) -> None:
        if event.data["i"] % 97 == 0:
            raise RuntimeError("demo handler failure (counted, logged, reported once)")

    bus.subscribe(EventType.CUSTOM, handler)
    bus.subscribe(EventType.CUSTOM, flaky)
    offered = 0
    async with bus:
        with Live(_live_view(bus.get_metrics(), 0), console=console, refresh_per_second=12) as live:
            for i in range(burst):
                priority = EventPriority.HIGH if i % 10 == 0 else EventPriority.LOW
                await bus.publish(
                    Event(type=EventType.CUSTOM, data={"i": i}, source="demo", priority=priority)
                )
                offered += 1
                if i % 8 == 0:
                    await asyncio.sleep(0.002)  # the burst arrives faster than it drains
                    live.update(_live_view(bus.get_metrics(), offered))
            while bus.get_metrics().queue_size:
                await asyncio.sleep(0.05)
                live.update(_live_view(bus.get_metrics(), offered))
            await bus.join()
            live.update(_live_view(bus.get_metrics(), offered))
    final = bus.get_metrics()
    console.print(metrics_table(final, title="Final EventMetrics"))
    reports = (final.events_by_type or {}).get(EventType.SYSTEM_ERROR.value, 0)
    console.print(
        f"{offered} offered + {reports} error reports = {final.events_processed} handled + "
        f"{final.events_dropped} dropped "
        f"({final.events_evicted} low-priority evicted for high-priority ones, "
        f"{final.events_rejected} refused); handler errors: {final.handler_errors}"
    )
    return final
