"""Hourly roll-ups and retention pruning, run as one write job on the store's thread.

A pass rolls up every complete hour that has raw rows at or after the newest hour already rolled
up (that hour is redone, so rows that arrived late are counted), then deletes raw rows older than
`HistorySettings.raw_retention` and roll-ups and dialog outcomes older than `rollup_retention`.
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

from yesman.history._settings import HOUR, HistorySettings
from yesman.metrics import LogSketch, SketchState, pack_samples, unpack_samples

__all__ = ["MaintenanceResult", "maintain", "merge_samples"]


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

    Weighted sampling without replacement (Efraimidis-Spirakis keys ``u ** (1 / w)``) with each
    value weighted by how many operations it stands for, so a busy interval is not outweighed by
    a quiet one whose sample happens to be as large.
    """
    keyed: list[tuple[float, float]] = []
    for values, stands_for in parts:
        if not values or stands_for <= 0:
            continue
        weight = stands_for / len(values)
        for value in values:
            keyed.append((math.log(1.0 - rng.random()) / weight, value))
    if len(keyed) <= limit:
        return [v for _, v in keyed]
    keyed.sort(reverse=True)  # log(u) / w == log(u ** (1 / w)): the largest keys win
    return [v for _, v in keyed[:limit]]


def _hour(t: float) -> float:
    return math.floor(t / HOUR) * HOUR


def _roll_components(conn: sqlite3.Connection, hour: float, sample_size: int) -> None:
    rows = conn.execute(
        "SELECT * FROM history_components WHERE time >= ? AND time < ? ORDER BY time, id",
        (hour, hour + HOUR),
    ).fetchall()
    groups: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        groups.setdefault(row["component"], []).append(row)
    rng = random.Random(int(hour))  # deterministic: redoing an hour gives the same sample
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
        conn.execute(
            "INSERT OR REPLACE INTO history_hourly_components (hour, component, count, errors, "
            "cancelled, sketch, samples, cpu_seconds, avg_cpu_percent, peak_cpu_percent, "
            "avg_memory_delta_mb, peak_memory_mb, retained_memory_mb, bytes_sent, "
            "bytes_received, intervals, seconds) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ),
        )


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


def maintain(conn: sqlite3.Connection, now: float, settings: HistorySettings) -> MaintenanceResult:
    """One roll-up and prune pass (inside the caller's transaction)."""
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
    for hour in sorted(hours):
        _roll_components(conn, hour, settings.sample_size)
        _roll_process(conn, hour)
    raw_before = now - settings.raw_retention
    raw_deleted = 0
    for table in ("history_components", "history_reports", "history_bus"):
        raw_deleted += conn.execute(
            f"DELETE FROM {table} WHERE time < ?",
            (raw_before,),
        ).rowcount
    rollup_before = now - settings.rollup_retention
    rollup_deleted = conn.execute("DELETE FROM history_dialogs WHERE time < ?", (rollup_before,))
    deleted = rollup_deleted.rowcount
    for table in ("history_hourly_components", "history_hourly_reports", "history_hourly_bus"):
        deleted += conn.execute(
            f"DELETE FROM {table} WHERE hour < ?",
            (rollup_before,),
        ).rowcount
    return MaintenanceResult(len(hours), raw_deleted, deleted)
