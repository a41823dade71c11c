"""`yesman suggest` on saved baselines and files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from baseline.synthetic import baseline
from yesman.baseline import BusSummary
from yesman.cli._commands import app

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
