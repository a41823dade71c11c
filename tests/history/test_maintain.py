"""Hourly roll-ups and retention pruning on a real SQLite file."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from history._events import NOW, held, report_event
from yesman.bus import AsyncEventBus, Event
from yesman.history import HistorySettings, HistoryWriter, read_components, read_dialog_records
from yesman.history._maintain import Rollups, apply, merge_samples
from yesman.history._rows import Deltas, insert_report
from yesman.history._settings import DAY, HOUR
from yesman.metrics import ComponentTracker, PerformanceReport, percentile
from yesman.store import AuditStore


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


async def _write_and_maintain(path: Path, events: list[Event], settings: HistorySettings) -> None:
    async with AuditStore.open(path) as store, AsyncEventBus() as bus:
        writer = HistoryWriter(store, bus, settings, clock=lambda: NOW)
        async with writer:  # a first pass runs at start, before the rows arrive
            for event in events:
                assert await bus.publish(event)
            await bus.join()
            await store.flush()
            result = await writer.maintain_now()
        assert result.hours_rolled_up > 0


async def test_old_rows_are_rolled_up_then_pruned(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    rng = random.Random(3)
    tracker = ComponentTracker(["capture"])
    events = []
    old_values: list[float] = []
    start = NOW - 20 * DAY  # 20 days ago: past the 14-day raw retention
    for n in range(24):  # two hours of 5-minute intervals, starting on an hour boundary
        values = [rng.lognormvariate(2.0, 0.7) for _ in range(200)]
        old_values.extend(values)
        at = (start // HOUR) * HOUR + 150 + 300 * n
        events.append(report_event(tracker, {"capture": values}, at=at))
    recent = [rng.uniform(1.0, 2.0) for _ in range(100)]
    events.append(report_event(tracker, {"capture": recent}, at=NOW - DAY))
    events.append(report_event(tracker, {"capture": [9.0]}, at=NOW - 400 * DAY))  # past a year
    events.append(held("%1", NOW - 400 * DAY))
    events.append(held("%2", NOW - 3 * DAY))
    await _write_and_maintain(path, events, HistorySettings())

    # Raw rows: only the recent interval is left; roll-ups: every complete hour but the one
    # older than a year (the two old hours and the recent one).
    assert _count(path, "history_components") == 1
    assert _count(path, "history_reports") == 1
    assert _count(path, "history_hourly_components") == 3
    assert _count(path, "history_hourly_reports") == 3
    assert [r.pane for r in await read_dialog_records(path)] == ["%2"]

    # The pruned range is still readable from the roll-ups, percentiles within 1 %.
    (old,) = await read_components(path, start - HOUR, start + 3 * HOUR)
    assert old.count == len(old_values)
    assert old.intervals == 24
    ordered = sorted(old_values)
    for q, got in ((50, old.p50_ms), (95, old.p95_ms), (99, old.p99_ms)):
        assert abs(got - percentile(ordered, q)) / percentile(ordered, q) <= 0.01
    assert len(old.samples_ms) == 400  # 200 kept per hourly roll-up
    # The whole history: roll-ups before the raw rows, then the raw rows.
    (everything,) = await read_components(path)
    assert everything.count == len(old_values) + len(recent)


async def test_retention_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    tracker = ComponentTracker(["capture"])
    events = [
        report_event(tracker, {"capture": [1.0]}, at=NOW - 3 * HOUR),
        report_event(tracker, {"capture": [2.0]}, at=NOW - 10),
    ]
    settings = HistorySettings(raw_retention=HOUR, rollup_retention=2 * HOUR)
    await _write_and_maintain(path, events, settings)
    assert _count(path, "history_components") == 1
    # Both hours were rolled up; the 3-hour-old one's roll-up expired too.
    conn = sqlite3.connect(path)
    try:
        hours = [row[0] for row in conn.execute("SELECT hour FROM history_hourly_components")]
    finally:
        conn.close()
    assert hours == [NOW - HOUR]


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="raw_retention"):
        HistorySettings(raw_retention=0)
    with pytest.raises(ValueError, match="sample_size"):
        HistorySettings(sample_size=0)


def test_merged_samples_follow_the_operations_they_stand_for() -> None:
    rng = random.Random(4)
    busy = ([1.0] * 100, 10_000)  # 100 values standing for 10 000 operations
    quiet = ([2.0] * 100, 100)
    merged = merge_samples([busy, quiet], 100, rng)
    assert len(merged) <= 100
    assert merged.count(1.0) >= 95  # the busy part gets ~99 % of the draws
    assert merged.count(2.0) <= 5
    small = merge_samples([([3.0, 4.0], 2), ([5.0], 1)], 200, rng)
    assert sorted(small) == [3.0, 4.0, 5.0]  # fewer values than the limit: all kept


async def test_raw_rows_of_an_hour_not_rolled_up_are_never_pruned(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    tracker = ComponentTracker(["capture"])
    old = report_event(tracker, {"capture": [1.0]}, at=NOW - 30 * DAY)
    async with AuditStore.open(path) as store:
        payload = old.payload
        assert isinstance(payload, PerformanceReport)
        await store.run_write(lambda conn: insert_report(conn, old.timestamp, payload, Deltas()))
        # A pass that computed its roll-ups before the row arrived: it must leave the row.
        result = await store.run_write(
            lambda conn: apply(conn, Rollups((), ()), NOW, HistorySettings())
        )
    assert result.raw_rows_deleted == 0
    assert _count(path, "history_components") == 1
