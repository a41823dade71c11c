"""Hourly roll-ups and retention pruning, run as one write job on the store's thread.

A pass rolls up every complete hour that has raw rows at or after the newest hour already rolled
up (that hour is redone, so rows that arrived late are counted), then deletes raw rows of whole,
rolled-up hours older than `HistorySettings.raw_retention`, and roll-ups and dialog outcomes older
than `rollup_retention`.
A roll-up row is the merge of the hour's interval rows: sketches merged (so percentiles stay
within 1 %), counters summed, gauges averaged or maximised, and a uniform sample of the hour's
raw latencies (each interval's sample weighted by the operations it stands for).
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from yesman.history._settings import HOUR, HistorySettings
from yesman.metrics import LogSketch, SketchState, pack_samples, unpack_samples

__all__ = [
    "MaintenanceResult",
    "Rollups",
    "apply",
    "compute_rollups",
    "maintain",
    "merge_samples",
]


@dataclass(frozen=True, slots=True)
class MaintenanceResult:
    """What one pass did."""

    hours_rolled_up: int
    raw_rows_deleted: int
    rollup_rows_deleted: int


def merge_samples(
    parts: Iterable[tuple[Sequence[float], int]], limit: int, rng: random.Random
) -> list[float]:
    """A sample of at most `limit` values from several samples, each ``(values, stands_for)``.

    Each part gets a share of the `limit` drawn in proportion to the operations it stands for
    (`random.choices` over the parts), then that many of its values without replacement; so a
    busy interval is not outweighed by a quiet one whose sample happens to be as large. Costs
    O(parts + limit), not O(values): an hour of 1 s intervals is 3600 parts.
    """
    usable = [(values, n) for values, n in parts if values and n > 0]
    if not usable or limit <= 0:
        return []
    if sum(len(values) for values, _ in usable) <= limit:
        return [v for values, _ in usable for v in values]
    wanted = [0] * len(usable)
    for index in rng.choices(range(len(usable)), weights=[n for _, n in usable], k=limit):
        wanted[index] += 1
    out: list[float] = []
    for (values, _), k in zip(usable, wanted, strict=True):
        if k:
            out.extend(rng.sample(list(values), min(k, len(values))))
    return out


_RAW_TO_HOURLY = (
    ("history_components", "history_hourly_components"),
    ("history_reports", "history_hourly_reports"),
    ("history_bus", "history_hourly_bus"),
)


def _hour(t: float) -> float:
    return math.floor(t / HOUR) * HOUR


ComponentRollup = tuple[Any, ...]
"""One `history_hourly_components` row, in column order."""


def _roll_components(
    conn: sqlite3.Connection, hour: float, sample_size: int
) -> list[ComponentRollup]:
    rows = conn.execute(
        "SELECT * FROM history_components WHERE time >= ? AND time < ? ORDER BY time, id",
        (hour, hour + HOUR),
    ).fetchall()
    groups: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        groups.setdefault(row["component"], []).append(row)
    rng = random.Random(int(hour))  # deterministic: redoing an hour gives the same sample
    out: list[ComponentRollup] = []
    for component, group in groups.items():
        sketch: LogSketch | None = None
        for row in group:
            if row["sketch"] is not None:
                part = SketchState.from_bytes(row["sketch"]).to_sketch()
                if sketch is None:
                    sketch = part
                else:
                    sketch.merge(part)
        samples = merge_samples(
            ((unpack_samples(r["samples"]), r["count"]) for r in group if r["samples"]),
            sample_size,
            rng,
        )
        n = len(group)
        out.append(
            (
                hour,
                component,
                sum(r["count"] for r in group),
                sum(r["errors"] for r in group),
                sum(r["cancelled"] for r in group),
                SketchState.of(sketch).to_bytes() if sketch is not None else None,
                pack_samples(samples),
                math.fsum(r["cpu_seconds"] for r in group),
                math.fsum(r["avg_cpu_percent"] for r in group) / n,
                max(r["peak_cpu_percent"] for r in group),
                math.fsum(r["avg_memory_delta_mb"] for r in group) / n,
                max(r["peak_memory_mb"] for r in group),
                group[-1]["retained_memory_mb"],
                sum(r["bytes_sent"] for r in group),
                sum(r["bytes_received"] for r in group),
                n,
                math.fsum(r["interval_seconds"] for r in group),
            )
        )
    return out


def _roll_process(conn: sqlite3.Connection, hour: float) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO history_hourly_reports SELECT ?, count(*), "
        "total(interval_seconds), avg(cpu_percent), max(cpu_percent), avg(memory_mb), "
        "max(memory_mb), max(lag_p99_ms), max(lag_max_ms), total(slow_callbacks), "
        "total(host_bytes_sent), total(host_bytes_received) FROM history_reports "
        "WHERE time >= ? AND time < ? HAVING count(*) > 0",
        (hour, hour, hour + HOUR),
    )
    conn.execute(
        "INSERT OR REPLACE INTO history_hourly_bus SELECT ?, count(*), total(published), "
        "total(processed), total(dropped), total(overflow), total(handler_errors), "
        "avg(average_processing_ms), max(max_queue_depth), max(queue_utilization_percent), "
        "max(queue_capacity), max(worker_count) FROM history_bus "
        "WHERE time >= ? AND time < ? HAVING count(*) > 0",
        (hour, hour, hour + HOUR),
    )


@dataclass(frozen=True, slots=True)
class Rollups:
    """Roll-ups computed on a reading connection, to be written by `apply`."""

    hours: tuple[float, ...]
    components: tuple[ComponentRollup, ...]


def compute_rollups(conn: sqlite3.Connection, now: float, settings: HistorySettings) -> Rollups:
    """The roll-ups due at `now`. Reads only: run it on its own connection, off the store's
    writing thread, so merging an hour of 1 s intervals (about a second) delays no audit write."""
    rolled = conn.execute("SELECT max(hour) FROM history_hourly_components").fetchone()[0]
    since = float(rolled) if rolled is not None else -math.inf
    current = _hour(now)
    hours: set[float] = set()
    for table in ("history_components", "history_reports", "history_bus"):
        for (t,) in conn.execute(
            f"SELECT DISTINCT CAST(time / {HOUR} AS INTEGER) FROM {table} "
            "WHERE time >= ? AND time < ?",
            (since, current),
        ):
            hours.add(float(t) * HOUR)
    ordered = tuple(sorted(hours))
    components: list[ComponentRollup] = []
    for hour in ordered:
        components.extend(_roll_components(conn, hour, settings.sample_size))
    return Rollups(ordered, tuple(components))


def apply(
    conn: sqlite3.Connection, rollups: Rollups, now: float, settings: HistorySettings
) -> MaintenanceResult:
    """Write `rollups` and prune expired rows (inside the caller's transaction; milliseconds)."""
    conn.executemany(
        "INSERT OR REPLACE INTO history_hourly_components (hour, component, count, errors, "
        "cancelled, sketch, samples, cpu_seconds, avg_cpu_percent, peak_cpu_percent, "
        "avg_memory_delta_mb, peak_memory_mb, retained_memory_mb, bytes_sent, "
        "bytes_received, intervals, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rollups.components,
    )
    for hour in rollups.hours:
        _roll_process(conn, hour)
    # Whole hours only, so the oldest raw hour is complete and readers can switch from roll-ups
    # to raw rows at an hour boundary; and only hours already rolled up, so nothing is lost.
    raw_before = _hour(now - settings.raw_retention)
    raw_deleted = 0
    for table, hourly in _RAW_TO_HOURLY:
        raw_deleted += conn.execute(
            f"DELETE FROM {table} WHERE time < ? AND EXISTS (SELECT 1 FROM {hourly} h "
            f"WHERE h.hour = CAST({table}.time / {HOUR} AS INTEGER) * {HOUR})",
            (raw_before,),
        ).rowcount
    rollup_before = now - settings.rollup_retention
    deleted = 0
    for table in ("history_dialogs", "history_pane_events"):
        deleted += conn.execute(f"DELETE FROM {table} WHERE time < ?", (rollup_before,)).rowcount
    for table in ("history_hourly_components", "history_hourly_reports", "history_hourly_bus"):
        deleted += conn.execute(f"DELETE FROM {table} WHERE hour < ?", (rollup_before,)).rowcount
    return MaintenanceResult(len(rollups.hours), raw_deleted, deleted)


def maintain(conn: sqlite3.Connection, now: float, settings: HistorySettings) -> MaintenanceResult:
    """`compute_rollups` then `apply` on one connection (inside the caller's transaction)."""
    return apply(conn, compute_rollups(conn, now, settings), now, settings)
