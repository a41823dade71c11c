"""`yesman suggest` on saved baselines and files."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

from typer.testing import CliRunner

from baseline.synthetic import baseline
from history._events import report_event
from yesman.baseline import BusSummary
from yesman.bus import AsyncEventBus, Event, EventType, SessionCreated
from yesman.cli._commands import app
from yesman.history import HistoryWriter
from yesman.metrics import ComponentTracker
from yesman.store import AuditStore, DecisionRecord

WIDE = {"COLUMNS": "200", "LINES": "50"}


def test_suggests_from_the_newest_saved_baseline(tmp_path: Path) -> None:
    db = str(tmp_path / "y.db")
    full = BusSummary(
        events_published=3000, queue_capacity=100, peak_queue_depth=100,
        peak_utilization_percent=100.0, queue_overflow_events=3, worker_count=2,
        average_processing_ms=1.0,
    )  # fmt: skip
    runner = CliRunner()
    path = tmp_path / "full.json"
    path.write_text(baseline(seed=1, name="full", bus=full).to_json(), encoding="utf-8")
    assert runner.invoke(app, ["baseline", "import", str(path), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["suggest", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["baseline"] == "full"
    (s,) = doc["suggestions"]
    assert s["kind"] == "queue"
    assert s["change"] == "AsyncEventBus(max_queue_size=256, worker_count=2)"
    table = runner.invoke(app, ["suggest", "--db", db], env=WIDE)
    assert "evidence" in table.output
    assert "max_queue_size=256" in table.output


def test_healthy_file_and_no_database(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(baseline(seed=1, name="ok").to_json(), encoding="utf-8")
    runner = CliRunner()
    db = str(tmp_path / "n.db")
    ok = runner.invoke(app, ["suggest", str(path), "--db", db], env=WIDE)
    assert ok.exit_code == 0, ok.output
    assert "looks healthy" in ok.output
    none = runner.invoke(app, ["suggest", "--db", db], env=WIDE)
    assert none.exit_code == 2
    assert "record a baseline first" in none.output


def test_history_range_suggests_the_capture_setting_when_capture_slows_with_panes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "y.db"
    rng = random.Random(7)
    start = time.time() - 3600

    async def write() -> None:
        tracker = ComponentTracker(["content_capture"])
        at = start
        async with AuditStore.open(db) as store, AsyncEventBus() as bus, HistoryWriter(store, bus):
            for panes, centre in ((2, 3.0), (20, 9.0)):
                while len(tracker_panes) < panes:
                    pane = f"%{len(tracker_panes)}"
                    tracker_panes.append(pane)
                    payload = SessionCreated(
                        session="s", pane_id=pane, session_id="$1", pane_pid=1, path="/"
                    )
                    await bus.publish(Event(type=EventType.SESSION_CREATED, payload=payload))
                await bus.join()
                for _ in range(8):
                    at += 60
                    values = [centre * rng.uniform(0.8, 1.2) for _ in range(40)]
                    await bus.publish(report_event(tracker, {"content_capture": values}, at=at))
                    await bus.join()
            # A person answered the same held dialog from the dashboard five times.
            for _ in range(5):
                await store.record(
                    DecisionRecord(
                        session="s",
                        pane="%1",
                        prompt_kind="tool_permission",
                        tool="Bash",
                        target="npm run lint",
                        action="answer",
                        rule="human:dashboard",
                        first_seen=time.time(),
                    )
                )

    tracker_panes: list[str] = []
    asyncio.run(write())
    result = CliRunner().invoke(app, ["suggest", "--since", "2h", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    kinds = {s["kind"]: s for s in json.loads(result.output)["suggestions"]}
    assert "--busy-capture-interval" in kinds["pane-scaling"]["change"]
    rule = kinds["policy-rule"]
    assert 'command = "^npm run lint$"' in rule["change"]
