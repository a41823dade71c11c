"""`HistoryWriter` on a real bus into a real SQLite file: reports, dialogs, percentiles."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from history._events import answered, held, report_event, status
from yesman.bus import AsyncEventBus, BusReport, Event, EventMetrics, EventType, PromptHeld
from yesman.history import (
    DialogOutcome,
    HistoryWriter,
    read_bus,
    read_components,
    read_dialog_records,
    read_dialogs,
    read_process,
    read_time_range,
)
from yesman.metrics import ComponentTracker, percentile
from yesman.store import SCHEMA_VERSION, AuditStore


async def _write(path: Path, events: list[Event], clock: Callable[[], float] = time.time) -> None:
    async with AuditStore.open(path) as store, AsyncEventBus() as bus:
        async with HistoryWriter(store, bus, clock=clock) as writer:
            for event in events:
                assert await bus.publish(event)
            await bus.join()
        assert writer.write_errors == 0


async def test_reports_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    tracker = ComponentTracker(["capture", "detect"])
    tracker.record_component_network_io("capture", 1000, 2000, 0.01)
    tracker.record_component_memory("detect", 2.5)
    tracker.record_component_cpu("detect", 40.0)
    one = report_event(tracker, {"capture": [5.0] * 10, "detect": [1.0] * 4}, errors={"detect": 2})
    two = report_event(tracker, {"capture": [7.0] * 30})
    bus_report = Event(
        type=EventType.PERFORMANCE_METRICS,
        payload=BusReport(
            metrics=EventMetrics(
                events_published=10, events_dropped=1, queue_overflow_events=1,
                max_queue_depth=4, queue_utilization_percent=0.4, queue_capacity=1000,
                worker_count=2,
            )
        ),
    )  # fmt: skip
    bus_later = Event(
        type=EventType.PERFORMANCE_METRICS,
        payload=BusReport(metrics=EventMetrics(events_published=25, events_dropped=1)),
    )
    await _write(path, [one, two, bus_report, bus_later])

    summaries = {s.component: s for s in await read_components(path)}
    assert set(summaries) == {"capture", "detect"}
    capture = summaries["capture"]
    assert (capture.count, capture.error_count, capture.intervals) == (40, 0, 2)
    assert capture.p50_ms == pytest.approx(7.0, rel=0.01)
    assert capture.p99_ms == pytest.approx(7.0, rel=0.01)
    assert (capture.bytes_sent, capture.bytes_received) == (1000, 2000)
    assert sorted(set(capture.samples_ms)) == [5.0, 7.0]
    detect = summaries["detect"]
    assert (detect.count, detect.error_count) == (6, 2)
    assert detect.peak_memory_mb == pytest.approx(2.5)
    assert detect.peak_cpu_percent == pytest.approx(40.0)
    only = await read_components(path, component="detect")
    assert [s.component for s in only] == ["detect"]

    bus = await read_bus(path)
    assert (bus.reports, bus.published, bus.dropped, bus.overflow) == (2, 25, 1, 1)
    assert (bus.max_queue_depth, bus.queue_capacity) == (4, 1000)
    process = await read_process(path)
    assert process.intervals == 2
    assert process.peak_memory_mb > 1.0  # this Python process's RSS
    span = await read_time_range(path)
    assert span is not None
    assert span.start == one.timestamp
    assert span.end == two.timestamp

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


async def test_percentiles_of_a_merged_range_are_within_one_percent(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    rng = random.Random(11)
    tracker = ComponentTracker(["capture"])
    everything: list[float] = []
    events = []
    for n in range(60):
        # A drifting, heavy-tailed latency: each interval differs from the others.
        values = [rng.lognormvariate(1.0 + n / 40, 0.8) for _ in range(rng.randint(50, 400))]
        everything.extend(values)
        events.append(report_event(tracker, {"capture": values}, at=1_700_000_000.0 + 60 * n))
    # "now" just after the last interval: nothing is old enough to prune.
    await _write(path, events, clock=lambda: 1_700_000_000.0 + 3600 + 60)

    (summary,) = await read_components(path)
    ordered = sorted(everything)
    assert summary.count == len(everything)
    for q, got in ((50, summary.p50_ms), (95, summary.p95_ms), (99, summary.p99_ms)):
        exact = percentile(ordered, q)
        assert abs(got - exact) / exact <= 0.01, (q, got, exact)
    # A sub-range merges only its intervals.
    (part,) = await read_components(path, 1_700_000_000.0, 1_700_000_000.0 + 60 * 10)
    assert part.intervals == 10
    # The raw sample is bounded and drawn from the whole range.
    assert len(summary.samples_ms) == 1000
    assert min(summary.samples_ms) >= ordered[0] * 0.999
    assert percentile(sorted(summary.samples_ms), 50) == pytest.approx(
        percentile(ordered, 50), rel=0.1
    )


async def test_dialog_outcomes_and_how_long_holds_waited(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    t = time.time() - 100
    await _write(
        path,
        [
            answered("%1", t, latency_ms=40.0),
            answered("%1", t + 1, latency_ms=60.0, action="deny"),
            held("%2", t + 2),
            status("%2", t + 14.5),  # the human answered: the pane works again
            status("%2", t + 20.0),  # later changes do not touch the ended hold
            held("%3", t + 30),  # still open when the writer stops
        ],
    )
    records = await read_dialog_records(path)
    assert [r.outcome for r in records] == [
        DialogOutcome.ANSWERED,
        DialogOutcome.DENIED,
        DialogOutcome.HELD,
        DialogOutcome.HELD,
    ]
    assert records[2].wait_ms == pytest.approx(12_500.0)
    assert records[2].tool == "Write"
    assert records[3].ended is None
    by_pane = {(d.session, d.pane): d for d in await read_dialogs(path)}
    one = by_pane["work", "%1"]
    assert (one.answered, one.denied, one.held) == (1, 1, 0)
    assert one.answer_p50_ms == pytest.approx(50.0)
    two = by_pane["work", "%2"]
    assert (two.held, two.open_holds) == (1, 0)
    assert two.wait_total_s == pytest.approx(12.5)
    assert by_pane["work", "%3"].open_holds == 1


async def test_a_hook_hold_waits_from_the_request_until_the_dialog_goes(tmp_path: Path) -> None:
    # A hook holds a dialog before the agent draws it: the pane's changes before that (busy,
    # then waiting as the dialog comes up) do not end the hold; leaving "waiting" does.
    path = tmp_path / "yesman.db"
    t = time.time() - 50
    hook_hold = held("%1", t)
    payload = hook_hold.payload
    assert isinstance(payload, PromptHeld)
    hook_hold = Event(
        type=EventType.PROMPT_HELD, payload=replace(payload, channel="hook"), timestamp=t
    )
    changes = [
        status("%1", t + 0.1, new="busy", old="idle"),
        status("%1", t + 0.5, new="waiting", old="busy"),
        status("%1", t + 9.0, new="busy", old="waiting"),
    ]
    await _write(path, [hook_hold, *changes])
    (record,) = await read_dialog_records(path)
    assert record.wait_ms == pytest.approx(9000.0)


async def test_a_new_dialog_on_the_pane_ends_the_hold(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    t = time.time() - 50
    await _write(path, [held("%1", t), answered("%1", t + 3, latency_ms=10.0)])
    first, _ = await read_dialog_records(path)
    assert first.wait_ms == pytest.approx(3000.0)


async def test_each_dialog_outcome_keeps_the_agent_and_its_version(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    t = time.time() - 100
    await _write(
        path,
        [
            answered("%1", t, latency_ms=40.0, agent="codex", agent_version="0.171.0"),
            held("%2", t + 1, agent="gemini", agent_version="0.61.0"),
            answered("%3", t + 2, latency_ms=10.0),  # an event that names no agent
        ],
    )
    records = await read_dialog_records(path)
    assert [(r.pane, r.agent, r.agent_version) for r in records] == [
        ("%1", "codex", "0.171.0"),
        ("%2", "gemini", "0.61.0"),
        ("%3", "", ""),
    ]
    by_pane = {d.pane: (d.agent, d.agent_version) for d in await read_dialogs(path)}
    assert by_pane == {"%1": ("codex", "0.171.0"), "%2": ("gemini", "0.61.0"), "%3": ("", "")}


async def test_dialogs_from_before_agents_read_with_no_agent(tmp_path: Path) -> None:
    from yesman.store._schema import _MIGRATIONS  # noqa: PLC0415

    path = tmp_path / "v7.db"
    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[: SCHEMA_VERSION - 1]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO history_dialogs (time, session, pane, outcome, latency_ms) "
        "VALUES (?, 'work', '%1', 'answered', 12.0)",
        (time.time() - 10,),
    )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1:d}")
    conn.commit()
    conn.close()
    (record,) = await read_dialog_records(path)  # read-only: the columns are not there
    assert (record.agent, record.agent_version, record.latency_ms) == ("", "", 12.0)
    (summary,) = await read_dialogs(path)
    assert (summary.answered, summary.agent) == (1, "")
