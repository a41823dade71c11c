"""`yesman baseline ...` on real SQLite files; `record` as a real subprocess in private tmux."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baseline.synthetic import baseline
from yesman.baseline import PerformanceBaseline
from yesman.cli._commands import app

WIDE = {"COLUMNS": "200", "LINES": "50"}


def _file(tmp_path: Path, name: str, **kw: object) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(baseline(seed=1, name=name, **kw).to_json(), encoding="utf-8")  # type: ignore[arg-type]
    return path


def test_import_list_show_export_delete(tmp_path: Path) -> None:
    db = str(tmp_path / "y.db")
    runner = CliRunner()
    src = _file(tmp_path, "v1")
    result = runner.invoke(app, ["baseline", "import", str(src), "--db", db], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    result = runner.invoke(app, ["baseline", "import", str(src), "--name", "v2", "--db", db])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["baseline", "import", str(src), "--db", db])
    assert again.exit_code == 2
    assert "already saved" in again.output

    listed = runner.invoke(app, ["baseline", "list", "--db", db, "--json"])
    assert listed.exit_code == 0, listed.output
    assert sorted(r["name"] for r in json.loads(listed.output)) == ["v1", "v2"]

    shown = runner.invoke(app, ["baseline", "show", "v2", "--db", db], env=WIDE)
    assert shown.exit_code == 0, shown.output
    assert "content_capture" in shown.output
    assert "baseline v2" in shown.output

    out = tmp_path / "out.json"
    exported = runner.invoke(app, ["baseline", "export", "v2", "-o", str(out), "--db", db])
    assert exported.exit_code == 0, exported.output
    back = PerformanceBaseline.from_json(out.read_text(encoding="utf-8"))
    original = PerformanceBaseline.from_json(src.read_text(encoding="utf-8"))
    assert back.components == original.components
    assert back.name == "v2"

    deleted = runner.invoke(app, ["baseline", "delete", "v1", "--db", db, "--json"])
    assert json.loads(deleted.output) == {"name": "v1", "deleted": True}
    missing = runner.invoke(app, ["baseline", "delete", "v1", "--db", db])
    assert missing.exit_code == 2
    listed = runner.invoke(app, ["baseline", "list", "--db", db, "--json"])
    assert [r["name"] for r in json.loads(listed.output)] == ["v2"]


def test_show_unknown_name_says_what_to_do(tmp_path: Path) -> None:
    db = str(tmp_path / "y.db")
    runner = CliRunner()
    runner.invoke(app, ["baseline", "import", str(_file(tmp_path, "v1")), "--db", db])
    result = runner.invoke(app, ["baseline", "show", "nope", "--db", db], env=WIDE)
    assert result.exit_code == 2
    assert "yesman baseline list" in result.output


def test_list_without_a_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["baseline", "list", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 0
    assert "No baselines saved yet" in result.output
    assert not (tmp_path / "none.db").exists()  # listing creates nothing


def test_watch_workload_without_history_says_why(tmp_path: Path) -> None:
    db = str(tmp_path / "y.db")
    runner = CliRunner()
    runner.invoke(app, ["baseline", "import", str(_file(tmp_path, "v1")), "--db", db])
    result = runner.invoke(app, ["baseline", "record", "--workload", "watch", "--db", db], env=WIDE)
    assert result.exit_code == 2
    if importlib.util.find_spec("yesman.history") is None:
        assert "metric history" in result.output  # not in this build
    else:
        assert "no performance reports" in result.output  # no watcher wrote to this database


@pytest.mark.tmux
def test_record_demo_workload_as_a_subprocess(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    db = tmp_path / "y.db"
    proc = subprocess.run(
        [sys.executable, "-m", "yesman.cli", "baseline", "record", "--name", "ci", "--duration",
         "4", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, **WIDE},
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    made = PerformanceBaseline.from_json(proc.stdout)
    assert made.name == "ci"
    assert made.environment.workload == "demo"
    assert made.components["content_capture"].count > 0  # the watcher really ran
    assert len(made.components["content_capture"].samples_ms) > 0
    assert 3 <= len(made.monitoring_metrics) <= 5
    listed = subprocess.run(
        [sys.executable, "-m", "yesman.cli", "baseline", "list", "--db", str(db), "--json"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert [r["name"] for r in json.loads(listed.stdout)] == ["ci"]
