"""Time series for the Performance page, read from the history (``yesman.history``).

One call gives every chart the same buckets: ``points`` equal slices of ``[since, until)``, and
for each slice the components' p50/p95 latency, CPU seconds, retained memory and I/O bytes
(`read_series`), the watcher process's CPU, memory and event-loop lag (`read_process` per
slice), the bus's depth, utilisation, overflow and drops (`read_bus` per slice), and the answer
latency of dialogs answered in the slice (`read_dialog_records`). A slice with no report is
``null``, so charts draw a gap rather than a false zero.

Cost: two small indexed queries per slice on the dashboard's own read-only connection (not the
watcher's writer thread); 60 slices read in a few milliseconds on a day of 1-second reports.
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from yesman.history import (
    DialogOutcome,
    read_bus,
    read_dialog_records,
    read_process,
    read_series,
    read_time_range,
)
from yesman.metrics import percentile
from yesman.store import AuditStore

__all__ = ["MAX_POINTS", "read_performance"]

MAX_POINTS: Final = 240


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits)


async def read_performance(
    store: AuditStore, since: float, until: float, points: int = 60
) -> dict[str, Any]:
    """The Performance page's series over ``[since, until)`` (see the module docstring)."""
    if not 1 <= points <= MAX_POINTS:
        raise ValueError(f"points={points}: must be between 1 and {MAX_POINTS}")
    if until <= since:
        raise ValueError("until must be after since")
    width = (until - since) / points
    edges = [since + i * width for i in range(points + 1)]
    components: dict[str, dict[str, list[float | None]]] = {}
    for series in await read_series(store, since, until, points=points):
        pts = series.points
        components[series.component] = {
            "count": [p.count for p in pts],
            # An empty slice is a gap, not a zero.
            "p50_ms": [_round(p.p50_ms) if p.count else None for p in pts],
            "p95_ms": [_round(p.p95_ms) if p.count else None for p in pts],
            "cpu_percent": [
                _round(p.cpu_seconds / width * 100.0) if p.count else None for p in pts
            ],
            "memory_mb": [_round(p.retained_memory_mb) if p.count else None for p in pts],
            "bytes": [p.bytes if p.count else None for p in pts],
        }
    process: dict[str, list[float | None]] = {
        k: [] for k in ("cpu_percent", "memory_mb", "lag_p99_ms", "lag_max_ms")
    }
    bus: dict[str, list[float | None]] = {
        k: [] for k in ("max_queue_depth", "utilization_percent", "overflow", "dropped")
    }
    for low, high in itertools.pairwise(edges):
        proc = await read_process(store, low, high)
        seen = proc.intervals > 0
        process["cpu_percent"].append(_round(proc.avg_cpu_percent) if seen else None)
        process["memory_mb"].append(_round(proc.peak_memory_mb) if seen else None)
        process["lag_p99_ms"].append(_round(proc.lag_p99_ms) if seen else None)
        process["lag_max_ms"].append(_round(proc.lag_max_ms) if seen else None)
        b = await read_bus(store, low, high)
        seen = b.reports > 0
        bus["max_queue_depth"].append(b.max_queue_depth if seen else None)
        bus["utilization_percent"].append(_round(b.peak_utilization_percent) if seen else None)
        bus["overflow"].append(b.overflow if seen else None)
        bus["dropped"].append(b.dropped if seen else None)
    latencies: list[list[float]] = [[] for _ in range(points)]
    held = [0] * points
    for rec in await read_dialog_records(store, since, until):
        index = min(points - 1, max(0, int((rec.time - since) / width)))
        if rec.outcome is DialogOutcome.HELD:
            held[index] += 1
        elif rec.latency_ms is not None:
            latencies[index].append(rec.latency_ms)
    answers = {
        "count": [len(values) for values in latencies],
        "held": held,
        "p50_ms": [_round(percentile(sorted(v), 50.0)) if v else None for v in latencies],
        "p95_ms": [_round(percentile(sorted(v), 95.0)) if v else None for v in latencies],
    }
    span = await read_time_range(store)
    return {
        "since": since,
        "until": until,
        "step_s": width,
        # Each slice is plotted at its middle.
        "t": [_round(low + width / 2) for low in edges[:-1]],
        "components": components,
        "process": process,
        "bus": bus,
        "answers": answers,
        "history": None if span is None else {"start": span.start, "end": span.end},
    }
