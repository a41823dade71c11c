"""The read API of the performance history. Every function is a coroutine:

    summaries = await read_components(db, since=time.time() - 3600)
    for s in summaries:
        print(s.component, s.p95_ms, len(s.samples_ms))

``db`` is a path (opened read-only for the call; None means `yesman.store.default_db_path()`) or
an open `AuditStore` (reused, for callers that read several things). Times are epoch seconds
(`time.time()`); ``since`` is inclusive, ``until`` exclusive, None means unbounded. A row belongs to
the range when its interval *ended* inside it.

Where the range reaches back past the raw retention (14 days by default) the hourly roll-ups
stand in for the pruned interval rows, so a range's edges are then rounded to whole hours.
Percentiles come from merged sketches and are within 1 % (relative) of the exact percentile of
every latency recorded in the range. A database written before the history existed (schema
version 1) reads as empty.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from yesman.history._maintain import merge_samples
from yesman.history._rows import DialogOutcome
from yesman.history._settings import HOUR
from yesman.metrics import LogSketch, SketchState, percentile, unpack_samples
from yesman.store import AuditStore

__all__ = [
    "BusSummary",
    "ComponentSeries",
    "ComponentSummary",
    "DialogRecord",
    "DialogSummary",
    "HistoryDB",
    "ProcessSummary",
    "SeriesPoint",
    "TimeRange",
    "read_bus",
    "read_components",
    "read_dialog_records",
    "read_dialogs",
    "read_process",
    "read_series",
    "read_time_range",
]

HistoryDB = str | Path | AuditStore | None
"""Where to read: a database path, an open store, or None for the default path."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class TimeRange:
    """The span the history covers: from the first interval's end to the last one's."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class ComponentSummary:
    """One component over a time range.

    Latencies in ms: ``p50_ms``/``p95_ms``/``p99_ms``/``mean_ms``/``max_ms`` over every operation
    in the range (percentiles within 1 %, from ``sketch``). ``samples_ms``: a uniform random sample
    of the range's raw latencies (at most the ``max_samples`` asked for), for statistical tests.
    ``count``/``error_count``/``cancelled_count``: operations. ``cpu_seconds``: CPU time charged;
    ``avg_cpu_percent``: the mean of the intervals' average CPU percent (100 = one core) and
    ``peak_cpu_percent`` their maximum. Memory in MB: ``avg_memory_delta_mb`` (mean per-operation
    delta), ``peak_memory_mb`` (largest delta), ``retained_memory_mb`` at the end of the range and
    ``memory_growth_mb`` (retained at the end minus at the start). ``bytes_*``: I/O counted.
    ``intervals``: report intervals behind the figures; ``start``/``end``: the first and last of
    their end times.
    """

    component: str
    start: float
    end: float
    intervals: int
    count: int
    error_count: int
    cancelled_count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    cpu_seconds: float
    avg_cpu_percent: float
    peak_cpu_percent: float
    avg_memory_delta_mb: float
    peak_memory_mb: float
    retained_memory_mb: float
    memory_growth_mb: float
    bytes_sent: int
    bytes_received: int
    samples_ms: tuple[float, ...] = field(repr=False)
    sketch: SketchState = field(repr=False)

    @property
    def error_rate(self) -> float:
        return self.error_count / self.count if self.count else 0.0

    def quantile(self, q: float) -> float:
        """Any quantile (0..1) of the range's latencies in ms, within 1 %."""
        return self.sketch.to_sketch().quantile(q)


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One bucket of a component's series: the intervals that ended in ``[start, end)``."""

    start: float
    end: float
    count: int
    error_count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_seconds: float
    retained_memory_mb: float
    bytes: int


@dataclass(frozen=True, slots=True)
class ComponentSeries:
    """Equal-width buckets over the asked range, oldest first; empty buckets have count 0."""

    component: str
    points: tuple[SeriesPoint, ...]


@dataclass(frozen=True, slots=True)
class DialogRecord:
    """One dialog outcome. ``latency_ms``: answer latency (answered/denied only). ``ended`` and
    ``wait_ms``: when a held dialog left the screen and how long it waited (None while open).
    ``agent``/``agent_version``: the pane's agent (``""``: not known, as in rows written before
    yesman kept them)."""

    time: float
    session: str
    pane: str
    outcome: DialogOutcome
    prompt_kind: str
    tool: str
    target: str
    fingerprint: str
    rule: str
    reason: str
    latency_ms: float | None
    ended: float | None
    wait_ms: float | None
    agent: str = ""
    agent_version: str = ""


@dataclass(frozen=True, slots=True)
class DialogSummary:
    """Dialog outcomes of one pane of one session over a range.

    ``answer_*_ms``: exact percentiles of the answer latency of answered and denied dialogs.
    ``wait_*``: time held dialogs waited for a human (ended ones only; ``open_holds`` had not
    ended when the range was read), in seconds. ``agent``/``agent_version``: the agent of the
    pane's latest dialog that named one (``""``: none did).
    """

    session: str
    pane: str
    answered: int
    denied: int
    held: int
    open_holds: int
    answer_p50_ms: float
    answer_p95_ms: float
    wait_total_s: float
    wait_p50_s: float
    wait_max_s: float
    agent: str = ""
    agent_version: str = ""


@dataclass(frozen=True, slots=True)
class ProcessSummary:
    """The watcher process over a range: CPU percent (100 = one core), memory MB, event-loop lag,
    slow loop steps (sum), host network bytes (sum). All zero when the range has no report."""

    intervals: int
    avg_cpu_percent: float
    peak_cpu_percent: float
    avg_memory_mb: float
    peak_memory_mb: float
    lag_p99_ms: float
    lag_max_ms: float
    slow_callbacks: int
    host_bytes_sent: int
    host_bytes_received: int


@dataclass(frozen=True, slots=True)
class BusSummary:
    """The event bus over a range: events (sums of per-interval deltas), the mean processing
    time, the deepest queue and highest utilisation seen, the largest capacity and worker count."""

    reports: int
    published: int
    processed: int
    dropped: int
    overflow: int
    handler_errors: int
    avg_processing_ms: float
    max_queue_depth: int
    peak_utilization_percent: float
    queue_capacity: int
    worker_count: int


# -- plumbing


async def _run(db: HistoryDB, fn: Callable[[sqlite3.Connection], _T]) -> _T:
    if isinstance(db, AuditStore):
        return await db.run_read(fn)
    async with AuditStore.open(db, read_only=True) as store:
        return await store.run_read(fn)


def _has_history(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history_components'"
    ).fetchone()
    return row is not None


def _bounds(since: float | None, until: float | None) -> tuple[float, float]:
    low = -math.inf if since is None else float(since)
    high = math.inf if until is None else float(until)
    if high < low:
        raise ValueError(f"until ({until}) is before since ({since})")
    return low, high


def _cutoff(conn: sqlite3.Connection, raw: str) -> float:
    """Hourly roll-ups are used for the hours before the returned time, raw rows from it on.

    Pruning removes whole hours, so raw rows are complete from the hour of the oldest one.
    """
    oldest = conn.execute(f"SELECT min(time) FROM {raw}").fetchone()[0]
    if oldest is None:
        return math.inf
    return float(math.floor(oldest / HOUR) * HOUR)


@dataclass(slots=True)
class _Part:
    """One interval row or one hourly roll-up row of a component, decoded."""

    time: float
    count: int
    errors: int
    cancelled: int
    sketch: LogSketch | None
    samples: tuple[float, ...]
    cpu_seconds: float
    avg_cpu: float
    peak_cpu: float
    avg_mem: float
    peak_mem: float
    retained: float
    sent: int
    received: int
    intervals: int


def _part(row: sqlite3.Row, time: float, intervals: int) -> _Part:
    blob = row["sketch"]
    return _Part(
        time=time,
        count=row["count"],
        errors=row["errors"],
        cancelled=row["cancelled"],
        sketch=SketchState.from_bytes(blob).to_sketch() if blob is not None else None,
        samples=unpack_samples(row["samples"]) if row["samples"] else (),
        cpu_seconds=row["cpu_seconds"],
        avg_cpu=row["avg_cpu_percent"],
        peak_cpu=row["peak_cpu_percent"],
        avg_mem=row["avg_memory_delta_mb"],
        peak_mem=row["peak_memory_mb"],
        retained=row["retained_memory_mb"],
        sent=row["bytes_sent"],
        received=row["bytes_received"],
        intervals=intervals,
    )


def _component_parts(
    conn: sqlite3.Connection, low: float, high: float, component: str | None
) -> dict[str, list[_Part]]:
    parts: dict[str, list[_Part]] = {}
    if not _has_history(conn):
        return parts
    cutoff = _cutoff(conn, "history_components")
    where = " AND component = ?" if component is not None else ""
    extra: tuple[str, ...] = (component,) if component is not None else ()
    if low < cutoff:
        for row in conn.execute(
            "SELECT * FROM history_hourly_components WHERE hour >= ? AND hour < ? AND hour < ?"
            + where
            + " ORDER BY hour",
            (math.floor(low / HOUR) * HOUR if math.isfinite(low) else low, high, cutoff, *extra),
        ):
            parts.setdefault(row["component"], []).append(
                _part(row, row["hour"] + HOUR, row["intervals"])
            )
    for row in conn.execute(
        "SELECT * FROM history_components WHERE time >= ? AND time < ? AND time >= ?"
        + where
        + " ORDER BY time, id",
        (low, high, cutoff if math.isfinite(cutoff) else math.inf, *extra),
    ):
        parts.setdefault(row["component"], []).append(_part(row, row["time"], 1))
    return parts


def _merged(parts: Sequence[_Part]) -> LogSketch:
    sketch = LogSketch()
    for part in parts:
        if part.sketch is not None:
            sketch.merge(part.sketch)
    return sketch


def _summarize(name: str, parts: list[_Part], max_samples: int) -> ComponentSummary:
    sketch = _merged(parts)
    n = len(parts)
    samples = merge_samples(((p.samples, p.count) for p in parts), max_samples, random.Random(0))
    return ComponentSummary(
        component=name,
        start=parts[0].time,
        end=parts[-1].time,
        intervals=sum(p.intervals for p in parts),
        count=sum(p.count for p in parts),
        error_count=sum(p.errors for p in parts),
        cancelled_count=sum(p.cancelled for p in parts),
        p50_ms=sketch.quantile(0.5),
        p95_ms=sketch.quantile(0.95),
        p99_ms=sketch.quantile(0.99),
        mean_ms=sketch.mean,
        max_ms=max(sketch.maximum, 0.0),
        cpu_seconds=math.fsum(p.cpu_seconds for p in parts),
        avg_cpu_percent=math.fsum(p.avg_cpu for p in parts) / n,
        peak_cpu_percent=max(p.peak_cpu for p in parts),
        avg_memory_delta_mb=math.fsum(p.avg_mem for p in parts) / n,
        peak_memory_mb=max(p.peak_mem for p in parts),
        retained_memory_mb=parts[-1].retained,
        memory_growth_mb=parts[-1].retained - parts[0].retained,
        bytes_sent=sum(p.sent for p in parts),
        bytes_received=sum(p.received for p in parts),
        samples_ms=tuple(samples),
        sketch=SketchState.of(sketch),
    )


# -- the API


async def read_components(
    db: HistoryDB = None,
    since: float | None = None,
    until: float | None = None,
    component: str | None = None,
    *,
    max_samples: int = 1000,
) -> tuple[ComponentSummary, ...]:
    """Per-component summaries over ``[since, until)``, sorted by component name; only
    `component` when given. Components with no interval in the range are left out."""
    low, high = _bounds(since, until)
    if max_samples < 0:
        raise ValueError(f"max_samples must be >= 0, got {max_samples!r}")

    def run(conn: sqlite3.Connection) -> tuple[ComponentSummary, ...]:
        parts = _component_parts(conn, low, high, component)
        return tuple(_summarize(name, parts[name], max_samples) for name in sorted(parts))

    return await _run(db, run)


async def read_series(
    db: HistoryDB = None,
    since: float | None = None,
    until: float | None = None,
    component: str | None = None,
    *,
    points: int = 40,
) -> tuple[ComponentSeries, ...]:
    """Per component, `points` equal-width buckets from `since` (or the first row) to `until`
    (or the last row), each merging the intervals that ended in it: for sparklines."""
    low, high = _bounds(since, until)
    if points < 1:
        raise ValueError(f"points must be >= 1, got {points!r}")

    def run(conn: sqlite3.Connection) -> tuple[ComponentSeries, ...]:
        parts = _component_parts(conn, low, high, component)
        if not parts:
            return ()
        first = low if math.isfinite(low) else min(p[0].time for p in parts.values())
        last = high if math.isfinite(high) else max(p[-1].time for p in parts.values())
        width = max(last - first, 1e-9) / points
        out = []
        for name in sorted(parts):
            buckets: list[list[_Part]] = [[] for _ in range(points)]
            for part in parts[name]:
                index = min(points - 1, max(0, int((part.time - first) / width)))
                buckets[index].append(part)
            series = []
            for i, bucket in enumerate(buckets):
                sketch = _merged(bucket)
                series.append(
                    SeriesPoint(
                        start=first + i * width,
                        end=first + (i + 1) * width,
                        count=sum(p.count for p in bucket),
                        error_count=sum(p.errors for p in bucket),
                        p50_ms=sketch.quantile(0.5),
                        p95_ms=sketch.quantile(0.95),
                        p99_ms=sketch.quantile(0.99),
                        cpu_seconds=math.fsum(p.cpu_seconds for p in bucket),
                        retained_memory_mb=bucket[-1].retained if bucket else 0.0,
                        bytes=sum(p.sent + p.received for p in bucket),
                    )
                )
            out.append(ComponentSeries(name, tuple(series)))
        return tuple(out)

    return await _run(db, run)


async def read_dialog_records(
    db: HistoryDB = None,
    since: float | None = None,
    until: float | None = None,
    session: str | None = None,
) -> tuple[DialogRecord, ...]:
    """Every dialog outcome in ``[since, until)`` (of `session`), oldest first."""
    low, high = _bounds(since, until)

    def run(conn: sqlite3.Connection) -> tuple[DialogRecord, ...]:
        if not _has_history(conn):
            return ()
        where = " AND session = ?" if session is not None else ""
        rows = conn.execute(
            "SELECT * FROM history_dialogs WHERE time >= ? AND time < ?" + where + " ORDER BY id",
            (low, high, *((session,) if session is not None else ())),
        ).fetchall()
        # A read-only store of a database from before migration 8 has no agent columns.
        known = bool(rows) and "agent" in rows[0].keys()  # noqa: SIM118 (a Row's `in` is values)
        return tuple(
            DialogRecord(
                time=r["time"],
                session=r["session"],
                pane=r["pane"],
                outcome=DialogOutcome(r["outcome"]),
                prompt_kind=r["prompt_kind"],
                tool=r["tool"],
                target=r["target"],
                fingerprint=r["fingerprint"],
                rule=r["rule"],
                reason=r["reason"],
                latency_ms=r["latency_ms"],
                ended=r["ended"],
                wait_ms=r["wait_ms"],
                agent=r["agent"] if known else "",
                agent_version=r["agent_version"] if known else "",
            )
            for r in rows
        )

    return await _run(db, run)


async def read_dialogs(
    db: HistoryDB = None,
    since: float | None = None,
    until: float | None = None,
    session: str | None = None,
) -> tuple[DialogSummary, ...]:
    """Dialog outcomes per (session, pane) over ``[since, until)``, sorted by session, pane."""
    records = await read_dialog_records(db, since, until, session)
    groups: dict[tuple[str, str], list[DialogRecord]] = {}
    for record in records:
        groups.setdefault((record.session, record.pane), []).append(record)
    out = []
    for (sess, pane), group in sorted(groups.items()):
        latencies = sorted(r.latency_ms for r in group if r.latency_ms is not None)
        holds = [r for r in group if r.outcome is DialogOutcome.HELD]
        waits = sorted(r.wait_ms / 1000.0 for r in holds if r.wait_ms is not None)
        named = next((r for r in reversed(group) if r.agent), None)
        out.append(
            DialogSummary(
                session=sess,
                pane=pane,
                answered=sum(1 for r in group if r.outcome is DialogOutcome.ANSWERED),
                denied=sum(1 for r in group if r.outcome is DialogOutcome.DENIED),
                held=len(holds),
                open_holds=sum(1 for r in holds if r.ended is None),
                answer_p50_ms=percentile(latencies, 50.0),
                answer_p95_ms=percentile(latencies, 95.0),
                wait_total_s=math.fsum(waits),
                wait_p50_s=percentile(waits, 50.0),
                wait_max_s=waits[-1] if waits else 0.0,
                agent=named.agent if named is not None else "",
                agent_version=named.agent_version if named is not None else "",
            )
        )
    return tuple(out)


async def read_process(
    db: HistoryDB = None, since: float | None = None, until: float | None = None
) -> ProcessSummary:
    """The watcher process's figures over ``[since, until)``."""
    low, high = _bounds(since, until)

    def run(conn: sqlite3.Connection) -> ProcessSummary:
        if not _has_history(conn):
            return ProcessSummary(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0)
        cutoff = _cutoff(conn, "history_reports")
        raw = conn.execute(
            "SELECT count(*), total(cpu_percent), max(cpu_percent), total(memory_mb), "
            "max(memory_mb), max(lag_p99_ms), max(lag_max_ms), total(slow_callbacks), "
            "total(host_bytes_sent), total(host_bytes_received) FROM history_reports "
            "WHERE time >= ? AND time < ? AND time >= ?",
            (low, high, cutoff),
        ).fetchone()
        hourly = conn.execute(
            "SELECT total(intervals), total(cpu_percent * intervals), max(peak_cpu_percent), "
            "total(memory_mb * intervals), max(peak_memory_mb), max(lag_p99_ms), "
            "max(lag_max_ms), total(slow_callbacks), total(host_bytes_sent), "
            "total(host_bytes_received) FROM history_hourly_reports "
            "WHERE hour >= ? AND hour < ? AND hour < ?",
            (math.floor(low / HOUR) * HOUR if math.isfinite(low) else low, high, cutoff),
        ).fetchone()
        n = int(raw[0] + hourly[0])
        if n == 0:
            return ProcessSummary(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0)
        return ProcessSummary(
            intervals=n,
            avg_cpu_percent=(raw[1] + hourly[1]) / n,
            peak_cpu_percent=max(raw[2] or 0.0, hourly[2] or 0.0),
            avg_memory_mb=(raw[3] + hourly[3]) / n,
            peak_memory_mb=max(raw[4] or 0.0, hourly[4] or 0.0),
            lag_p99_ms=max(raw[5] or 0.0, hourly[5] or 0.0),
            lag_max_ms=max(raw[6] or 0.0, hourly[6] or 0.0),
            slow_callbacks=int(raw[7] + hourly[7]),
            host_bytes_sent=int(raw[8] + hourly[8]),
            host_bytes_received=int(raw[9] + hourly[9]),
        )

    return await _run(db, run)


async def read_bus(
    db: HistoryDB = None, since: float | None = None, until: float | None = None
) -> BusSummary:
    """The event bus's figures over ``[since, until)``."""
    low, high = _bounds(since, until)

    def run(conn: sqlite3.Connection) -> BusSummary:
        if not _has_history(conn):
            return BusSummary(0, 0, 0, 0, 0, 0, 0.0, 0, 0.0, 0, 0)
        cutoff = _cutoff(conn, "history_bus")
        columns = (
            "total(published), total(processed), total(dropped), total(overflow), "
            "total(handler_errors), {avg}, max(max_queue_depth), "
            "max(queue_utilization_percent), max(queue_capacity), max(worker_count)"
        )
        raw = conn.execute(
            "SELECT count(*), "
            + columns.format(avg="total(average_processing_ms)")
            + " FROM history_bus WHERE time >= ? AND time < ? AND time >= ?",
            (low, high, cutoff),
        ).fetchone()
        hourly = conn.execute(
            "SELECT total(reports), "
            + columns.format(avg="total(average_processing_ms * reports)")
            + " FROM history_hourly_bus WHERE hour >= ? AND hour < ? AND hour < ?",
            (math.floor(low / HOUR) * HOUR if math.isfinite(low) else low, high, cutoff),
        ).fetchone()
        n = int(raw[0] + hourly[0])
        if n == 0:
            return BusSummary(0, 0, 0, 0, 0, 0, 0.0, 0, 0.0, 0, 0)
        return BusSummary(
            reports=n,
            published=int(raw[1] + hourly[1]),
            processed=int(raw[2] + hourly[2]),
            dropped=int(raw[3] + hourly[3]),
            overflow=int(raw[4] + hourly[4]),
            handler_errors=int(raw[5] + hourly[5]),
            avg_processing_ms=(raw[6] + hourly[6]) / n,
            max_queue_depth=int(max(raw[7] or 0, hourly[7] or 0)),
            peak_utilization_percent=float(max(raw[8] or 0.0, hourly[8] or 0.0)),
            queue_capacity=int(max(raw[9] or 0, hourly[9] or 0)),
            worker_count=int(max(raw[10] or 0, hourly[10] or 0)),
        )

    return await _run(db, run)


async def read_time_range(db: HistoryDB = None) -> TimeRange | None:
    """The span of every interval and roll-up stored, or None when the history is empty."""

    def run(conn: sqlite3.Connection) -> TimeRange | None:
        if not _has_history(conn):
            return None
        row = conn.execute(
            "SELECT min(t), max(t) FROM ("
            "SELECT min(time) AS t FROM history_components "
            "UNION ALL SELECT max(time) FROM history_components "
            f"UNION ALL SELECT min(hour) + {HOUR} FROM history_hourly_components "
            f"UNION ALL SELECT max(hour) + {HOUR} FROM history_hourly_components "
            "UNION ALL SELECT min(time) FROM history_reports "
            "UNION ALL SELECT max(time) FROM history_reports)"
        ).fetchone()
        if row[0] is None:
            return None
        return TimeRange(float(row[0]), float(row[1]))

    return await _run(db, run)
