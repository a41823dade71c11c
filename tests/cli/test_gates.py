"""`yesman gates`: usage errors exit 2 before anything runs; the performance gates as real
subprocesses on the real demo workload (a 3x faster baseline fails, no baseline is a skip that
fails only under --strict); reports written and the run kept in the history."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from yesman.cli._commands import app
from yesman.history import read_gate_runs

WIDE = {"COLUMNS": "200", "LINES": "50"}


def _yesman(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yesman.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **WIDE},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        pytest.param(["--policy", "{tmp}/missing.toml"], "missing.toml", id="missing-policy"),
        pytest.param(["--policy", "{tmp}/bad.toml"], "bad.toml", id="bad-policy"),
        pytest.param(["--baseline", "{tmp}/nope.json"], "neither a saved baseline", id="baseline"),
        pytest.param(["--baseline", "{tmp}/bad.toml"], "not JSON", id="baseline-not-json"),
        pytest.param(["--junit", "{tmp}/no/such/dir/j.xml"], "does not exist", id="junit-dir"),
        pytest.param(["--markdown", "{tmp}"], "is a directory", id="markdown-folder"),
        pytest.param(["--project", "{tmp}/missing"], "missing", id="project"),
        pytest.param(["--duration", "0"], "--duration", id="duration"),
        pytest.param(["--perf"], "--perf", id="unknown-flag"),
    ],
)
def test_usage_errors_exit_2_before_anything_runs(
    tmp_path: Path, args: list[str], said: str
) -> None:
    (tmp_path / "bad.toml").write_text("[[rules]\nanswer = ", encoding="utf-8")
    db = tmp_path / "y.db"
    argv = ["gates", "--performance-monitoring", "--db", str(db)]
    argv += [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(app, argv, env=WIDE)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split())  # rich may wrap long paths
    assert not db.exists()  # nothing ran, nothing was recorded


def _tmux_or_skip() -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")


@pytest.mark.tmux
def test_a_baseline_three_times_faster_fails_the_gate(tmp_path: Path) -> None:
    _tmux_or_skip()
    db = tmp_path / "y.db"
    recorded = _yesman("baseline", "record", "--name", "ref", "--duration", "3", "--db", str(db),
                       "--json")  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    doc = json.loads(recorded.stdout)
    for c in doc["components"].values():  # the exported raw samples made three times faster
        c["samples_ms"] = [x / 3 for x in c["samples_ms"]]
    faster = tmp_path / "faster.json"
    faster.write_text(json.dumps(doc), encoding="utf-8")

    junit, markdown = tmp_path / "gates.xml", tmp_path / "gates.md"
    proc = _yesman("gates", "--performance-monitoring", "--baseline", str(faster), "--duration",
                   "3", "--db", str(db), "--json", "--junit", str(junit), "--markdown",
                   str(markdown))  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)  # only the JSON on stdout
    assert report["exit_code"] == 1
    gate = {g["name"]: g for g in report["gates"]}["baseline-regression"]
    assert gate["status"] == "failed"
    assert "content_capture" in gate["summary"]
    assert "'ref'" in gate["summary"]
    assert "baseline-regression" in proc.stderr  # the table went to stderr

    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert cases["baseline-regression"].find("failure") is not None
    assert set(cases) == {"baseline-regression", "bus-overflow", "memory-leak", "loop-lag"}
    text = markdown.read_text(encoding="utf-8")
    assert "❌ failed (exit 1)" in text
    assert "### Performance" in text

    (run,) = asyncio.run(read_gate_runs(db, with_reports=True))
    assert (run.exit_code, run.families) == (1, ("performance-monitoring",))
    assert json.loads(run.report)["gates"][0]["status"] == "failed"


@pytest.mark.tmux
def test_no_baseline_is_a_skip_that_fails_only_under_strict(tmp_path: Path) -> None:
    _tmux_or_skip()
    db = tmp_path / "y.db"
    proc = _yesman("gates", "--performance-monitoring", "--duration", "3", "--db", str(db))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no saved baseline" in proc.stdout
    assert "passed (exit 0)" in proc.stdout
    for gate, status in (("baseline-regression", "skipped"), ("bus-overflow", "passed")):
        row = next(x for x in proc.stdout.splitlines() if f"performance-monitoring/{gate}" in x)
        assert status in row

    strict = _yesman("gates", "--performance-monitoring", "--duration", "3", "--db", str(db),
                     "--strict")  # fmt: skip
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "skipped (strict)" in strict.stdout
    assert "FAILED (exit 1)" in strict.stdout

    runs = asyncio.run(read_gate_runs(db))
    assert [(r.strict, r.exit_code) for r in runs] == [(True, 1), (False, 0)]
    assert runs[0].counts["skipped"] >= 1
