"""Pane counts recorded with each report, and latency grouped by them (real bus, real SQLite)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from history._events import NOW, report_event
from yesman.bus import AsyncEventBus, Event, EventType, SessionCreated, SessionStopped
from yesman.history import HistoryWriter, read_pane_scaling
from yesman.metrics import ComponentTracker, percentile
from yesman.store import AuditStore


def _created(pane: str, at: float) -> Event:
    return Event(
        type=EventType.SESSION_CREATED,
        payload=SessionCreated(
            session="work", pane_id=pane, session_id="$1", pane_pid=1, path="/tmp"
        ),
        timestamp=at,
    )


def _stopped(pane: str, at: float) -> Event:
    return Event(
        type=EventType.SESSION_STOPPED,
        payload=SessionStopped(session="work", pane_id=pane, reason="pane closed"),
        timestamp=at,
    )


async def test_each_report_records_the_panes_watched_and_latency_groups_by_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "yesman.db"
    tracker = ComponentTracker(["content_capture"])
    rng = random.Random(3)
    expected: dict[int, list[float]] = {}
    at = NOW
    async with AuditStore.open(path) as store, AsyncEventBus() as bus, HistoryWriter(store, bus):
        # Two panes for 4 intervals, then 6 panes for 4, then back to 3 (3 stop).
        for plan in ((2, 0), (4, 0), (0, 3)):
            add, remove = plan
            for i in range(add):
                assert await bus.publish(_created(f"%{len(expected) * 10 + i}", at))
            for i in range(remove):
                assert await bus.publish(_stopped(f"%{10 + i}", at))
            await bus.join()
            panes = {2: 2, 4: 6, 0: 3}[add]
            for _ in range(4):
                at += 60
                values = [rng.uniform(1, 3) * panes for _ in range(50)]
                expected.setdefault(panes, []).extend(values)
                assert await bus.publish(report_event(tracker, {"content_capture": values}, at=at))
                await bus.join()
    with sqlite3.connect(path) as conn:
        counts = [row[0] for row in conn.execute("SELECT panes FROM history_reports ORDER BY time")]
    assert counts == [2] * 4 + [6] * 4 + [3] * 4
    (scaling,) = await read_pane_scaling(path, component="content_capture")
    assert [load.panes for load in scaling.loads] == [2, 3, 6]
    for load in scaling.loads:
        assert load.intervals == 4
        assert load.count == 200
        assert len(load.interval_p95_ms) == 4
        exact = percentile(sorted(expected[load.panes]), 95)
        assert abs(load.p95_ms - exact) <= 0.011 * exact


async def test_reports_written_before_panes_were_counted_read_as_no_scaling(
    tmp_path: Path,
) -> None:
    path = tmp_path / "yesman.db"
    tracker = ComponentTracker(["content_capture"])
    async with AuditStore.open(path) as store, AsyncEventBus() as bus, HistoryWriter(store, bus):
        # No SESSION_CREATED: zero panes known, so the row says 0 and is left out.
        assert await bus.publish(report_event(tracker, {"content_capture": [1.0, 2.0]}))
        await bus.join()
    assert await read_pane_scaling(path) == ()
