"""`yesman compare A B` on exported files and saved names; exit codes a CI job can use."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from pathlib import Path

from typer.testing import CliRunner, Result

from baseline.synthetic import baseline
from history._events import answered, held
from yesman.bus import AsyncEventBus
from yesman.cli._commands import app
from yesman.history import HistoryWriter
from yesman.store import AuditStore

WIDE = {"COLUMNS": "200", "LINES": "50"}


def _file(tmp_path: Path, name: str, seed: int, scale: float = 1.0) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(baseline(seed=seed, scale=scale, name=name).to_json(), encoding="utf-8")
    return str(path)


def test_doubled_latency_regresses_and_fails_the_build(tmp_path: Path) -> None:
    a, b = _file(tmp_path, "a", 1), _file(tmp_path, "b", 2, scale=2.0)
    db = str(tmp_path / "none.db")
    result = CliRunner().invoke(app, ["compare", a, b, "--json", "--db", db])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    capture = doc["components"]["content_capture"]
    assert capture["verdict"] == "regressed"
    assert {"verdict", "ratio_p50", "ratio_p95", "p_value", "n_a", "n_b"} <= set(capture)
    assert doc["components"]["prompt_detection"]["verdict"] == "unchanged"
    failed = CliRunner().invoke(
        app, ["compare", a, b, "--fail-on-regression", "--db", db], env=WIDE
    )
    assert failed.exit_code == 1
    assert "regressed: content_capture" in failed.output


def test_same_workload_passes(tmp_path: Path) -> None:
    a, b = _file(tmp_path, "a", 1), _file(tmp_path, "b", 2)
    result = CliRunner().invoke(
        app, ["compare", a, b, "--fail-on-regression", "--db", str(tmp_path / "n.db")], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "regressed" not in result.output
    assert "unchanged" in result.output


def test_saved_names_and_threshold(tmp_path: Path) -> None:
    db = str(tmp_path / "y.db")
    runner = CliRunner()
    for name, scale in (("v1", 1.0), ("v2", 1.3)):
        path = _file(tmp_path, name, int(scale * 10), scale=scale)
        assert runner.invoke(app, ["baseline", "import", path, "--db", db]).exit_code == 0
    loose = runner.invoke(app, ["compare", "v1", "v2", "--json", "--threshold", "0.5", "--db", db])
    strict = runner.invoke(app, ["compare", "v1", "v2", "--json", "--db", db])

    def verdict(r: Result) -> str:
        return str(json.loads(r.output)["components"]["content_capture"]["verdict"])

    assert (verdict(loose), verdict(strict)) == ("unchanged", "regressed")


def test_unknown_baseline_and_history_options(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "n.db")
    missing = runner.invoke(app, ["compare", "nope", "nada", "--db", db], env=WIDE)
    assert missing.exit_code == 2
    assert "neither a saved baseline" in missing.output
    by = runner.invoke(app, ["compare", "--by", "session", "--since", "24h", "--db", db], env=WIDE)
    assert by.exit_code == 2
    if importlib.util.find_spec("yesman.history") is None:
        assert "metric history" in by.output  # not in this build
    else:
        assert "no audit database" in by.output  # the history is read from --db


def test_sessions_are_ranked_with_their_agent(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    now = time.time()

    async def populate() -> None:
        async with AuditStore.open(db) as store, AsyncEventBus() as bus, HistoryWriter(store, bus):
            await bus.publish(
                answered("%1", now - 60, 30.0, agent="codex", agent_version="0.171.0")
            )
            await bus.publish(held("%2", now - 50, agent="gemini"))
            await bus.join()

    asyncio.run(populate())
    runner = CliRunner()
    args = ["compare", "--by", "session", "--since", "1h", "--db", str(db)]
    table = runner.invoke(app, args, env=WIDE)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert any("%1" in line and "codex@0.171.0" in line for line in lines)
    assert any("%2" in line and "gemini" in line for line in lines)
    ranks = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert {r["pane"]: (r["agent"], r["agent_version"]) for r in ranks} == {
        "%1": ("codex", "0.171.0"),
        "%2": ("gemini", ""),
    }
