"""`yesman history` against a real SQLite file written by `HistoryWriter`."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import yesman.cli._history  # noqa: F401  (registers `yesman history`)
from history._events import answered, held, report_event, status
from yesman.bus import AsyncEventBus
from yesman.cli._app import app
from yesman.cli._history import parse_when, sparkline
from yesman.history import HistoryWriter
from yesman.metrics import ComponentTracker
from yesman.store import AuditStore

WIDE = {"COLUMNS": "220", "LINES": "50"}


async def _populate(path: Path, now: float) -> None:
    tracker = ComponentTracker(["capture", "detect"])
    async with AuditStore.open(path) as store, AsyncEventBus() as bus, HistoryWriter(store, bus):
        for n in range(12):  # one report every 5 minutes over the last hour
            at = now - 3600 + 300 * n + 1
            capture = [2.0 + n] * 50  # grows: the sparkline climbs
            detect = [0.5] * 20
            await bus.publish(
                report_event(
                    tracker, {"capture": capture, "detect": detect}, at=at, errors={"detect": 1}
                )
            )
        await bus.publish(
            answered("%1", now - 600, latency_ms=35.0, agent="codex", agent_version="0.171.0")
        )
        await bus.publish(held("%2", now - 500))
        await bus.publish(status("%2", now - 440))
        await bus.join()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "yesman.db"
    asyncio.run(_populate(path, time.time()))
    return path


def test_table_shows_percentiles_errors_and_a_sparkline(db: Path) -> None:
    result = CliRunner().invoke(app, ["history", "--db", str(db)], env=WIDE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    capture = next(line for line in lines if line.lstrip("│ ").startswith("capture"))
    assert " 600 " in capture  # 12 intervals x 50 operations
    assert "13.0" in capture  # the p99: the last interval's 13 ms
    bars = [ch for ch in capture if ch in "▁▂▃▄▅▆▇█"]
    assert bars[0] == "▁"
    assert bars[-1] == "█"
    detect = next(line for line in lines if line.lstrip("│ ").startswith("detect"))
    assert " 12 " in detect  # one error per interval
    assert "Dialogs" in result.output
    assert "60 s" in result.output  # the hold on %2 waited a minute
    assert any("%1" in line and "codex@0.171.0" in line for line in lines)


def test_json_output_and_component_filter(db: Path) -> None:
    result = CliRunner().invoke(
        app, ["history", "--db", str(db), "--json", "--component", "capture", "--since", "2h"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (capture,) = data["components"]
    assert capture["component"] == "capture"
    assert capture["count"] == 600
    assert capture["p50_ms"] == pytest.approx(7.0, rel=0.01)
    assert len(capture["series_p95_ms"]) == 24
    assert data["process"]["intervals"] == 12
    assert {d["pane"]: d["held"] for d in data["dialogs"]} == {"%1": 0, "%2": 1}
    assert {d["pane"]: d["agent_version"] for d in data["dialogs"]} == {"%1": "0.171.0", "%2": ""}
    assert data["covered"]["end"] <= data["until"]


def test_an_empty_range_says_what_the_history_covers(db: Path) -> None:
    result = CliRunner().invoke(
        app, ["history", "--db", str(db), "--since", "3d", "--until", "2d"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "Nothing recorded" in result.output
    assert "the history covers" in result.output


def test_errors_name_the_problem(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["history", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 1
    assert "no database at" in missing.output
    assert not (tmp_path / "nope.db").exists()
    bad = CliRunner().invoke(app, ["history", "--db", str(tmp_path / "x.db"), "--since", "soon"])
    assert bad.exit_code == 1
    assert "cannot read 'soon' as a time" in bad.output


def test_parse_when_and_sparkline() -> None:
    assert parse_when("90s", 1000.0) == 910.0
    assert parse_when("1.5h", 10_000.0) == 10_000.0 - 5400.0
    assert parse_when("now", 5.0) == 5.0
    assert parse_when("2026-01-01T00:00+00:00", 0.0) == 1767225600.0
    assert sparkline([1.0, None, 2.0, 3.0]) == "▁ ▅█"
    assert sparkline([4.0, 4.0]) == "▁▁"
