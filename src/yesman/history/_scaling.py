"""How a component's latency relates to the number of panes watched.

Each report row records how many panes were watched during its interval (schema 4); each of
the interval's component rows carries a latency sketch. Grouping the intervals by pane count
shows whether capture or detection slows down as panes are added:

    for s in await read_pane_scaling(db, since, until, component="content_capture"):
        for load in s.loads:
            print(s.component, load.panes, load.p95_ms, load.intervals)

Only raw interval rows count (hourly roll-ups do not keep pane counts), so the range is at
most the raw retention (14 days by default). Intervals recorded before schema 4, or with no
pane watched, are left out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from yesman.history._read import HistoryDB, _bounds, _has_history, _run
from yesman.metrics import LogSketch, SketchState

__all__ = ["PaneLoad", "PaneScaling", "read_pane_scaling"]


@dataclass(frozen=True, slots=True)
class PaneLoad:
    """A component's latency over the intervals during which ``panes`` panes were watched.

    ``p50_ms``/``p95_ms``: over every operation of those intervals (merged sketches, within
    1 %); ``interval_p95_ms``: each interval's own p95, oldest first, for statistical tests.
    """

    panes: int
    intervals: int
    count: int
    p50_ms: float
    p95_ms: float
    interval_p95_ms: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class PaneScaling:
    """One component's `PaneLoad` per pane count seen, fewest panes first."""

    component: str
    loads: tuple[PaneLoad, ...]


async def read_pane_scaling(
    db: HistoryDB = None,
    since: float | None = None,
    until: float | None = None,
    component: str | None = None,
) -> tuple[PaneScaling, ...]:
    """Per component (only `component` when given), its latency grouped by pane count."""
    low, high = _bounds(since, until)

    def run(conn: sqlite3.Connection) -> tuple[PaneScaling, ...]:
        if not _has_history(conn) or not _has_panes(conn):
            return ()
        where = " AND c.component = ?" if component is not None else ""
        extra: tuple[str, ...] = (component,) if component is not None else ()
        groups: dict[str, dict[int, list[tuple[int, LogSketch]]]] = {}
        # A component row and its report row share the report's time (one insert_report).
        for row in conn.execute(
            "SELECT c.component, c.count, c.sketch, r.panes FROM history_components c "
            "JOIN history_reports r ON r.time = c.time "
            "WHERE c.time >= ? AND c.time < ? AND r.panes > 0 AND c.sketch IS NOT NULL"
            + where
            + " ORDER BY c.time, c.id",
            (low, high, *extra),
        ):
            sketch = SketchState.from_bytes(row["sketch"]).to_sketch()
            by_panes = groups.setdefault(row["component"], {})
            by_panes.setdefault(row["panes"], []).append((row["count"], sketch))
        return tuple(
            PaneScaling(name, tuple(_load(n, groups[name][n]) for n in sorted(groups[name])))
            for name in sorted(groups)
        )

    return await _run(db, run)


def _has_panes(conn: sqlite3.Connection) -> bool:
    return any(row[1] == "panes" for row in conn.execute("PRAGMA table_info(history_reports)"))


def _load(panes: int, parts: list[tuple[int, LogSketch]]) -> PaneLoad:
    merged = LogSketch()
    for _, sketch in parts:
        merged.merge(sketch)
    return PaneLoad(
        panes=panes,
        intervals=len(parts),
        count=sum(count for count, _ in parts),
        p50_ms=merged.quantile(0.5),
        p95_ms=merged.quantile(0.95),
        interval_p95_ms=tuple(sketch.quantile(0.95) for count, sketch in parts if count > 0),
    )
