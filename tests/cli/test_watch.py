"""`yesman watch` and `yesman status` as real subprocesses against a private tmux server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from yesman._simagent.harness import SIMULATED_AGENT, start_simulated_agent
from yesman.testing import PrivateTmuxServer, eventually

pytestmark = pytest.mark.tmux


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


def yesman(*args: str) -> list[str]:
    return [sys.executable, "-m", "yesman.cli", *args]


def test_watch_answers_records_and_stops_cleanly_on_sigterm(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    db = tmp_path / "audit.db"
    _, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", "dangerous")
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    # The pane runs the simulated agent, not Claude Code: tell yesman to treat it as the agent.
    proc = subprocess.Popen(
        yesman(
            "watch",
            "-L",
            tmux.socket_name,
            "--no-live",
            "--db",
            str(db),
            "--agent-cmd",
            "yesman._simagent",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        eventually(lambda: agent.events("answered"), timeout=20)
        eventually(lambda: agent.events("dialog_shown")[1:], timeout=20)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "every decision is in the audit log" in out + err
    assert "answered work %0: Bash 'npm test' with 1" in out + err
    assert "HELD work %0: Bash 'rm -rf /'" in out + err
    audit = subprocess.run(
        yesman("audit", "--db", str(db), "--json"), capture_output=True, text=True, check=True
    )
    records = json.loads(audit.stdout)
    assert [(r["tool"], r["action"]) for r in records] == [("Bash", "answer"), ("Bash", "hold")]
    assert [k["key"] for k in agent.events("key")] == ["1"]


def test_status_lists_agent_panes_as_json(tmux: PrivateTmuxServer, tmp_path: Path) -> None:
    tmux.new_session("plain", ["cat"])
    done = subprocess.run(
        yesman("status", "-L", tmux.socket_name, "--json"),
        capture_output=True,
        text=True,
        check=True,
    )
    # `cat` is not Claude Code: nothing to list.
    assert json.loads(done.stdout) == []


def test_status_names_the_agent_and_its_dialog(tmux: PrivateTmuxServer, tmp_path: Path) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", hold_timeout=30)
    eventually(lambda: agent.events("dialog_shown"), timeout=20)
    done = subprocess.run(
        yesman("status", "-L", tmux.socket_name, "--json", "--agent-cmd", SIMULATED_AGENT),
        capture_output=True,
        text=True,
        check=True,
    )
    [row] = json.loads(done.stdout)
    assert (row["pane_id"], row["agent"], row["state"]) == (pane, "claude-code", "waiting")
    assert row["prompt"]["tool"] == "Bash"
    table = subprocess.run(
        yesman("status", "-L", tmux.socket_name, "--agent-cmd", SIMULATED_AGENT),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "Claude Code" in table.stdout


def test_watch_reports_a_missing_server_clearly(tmp_path: Path) -> None:
    done = subprocess.run(
        yesman(
            "watch", "-L", f"yesman-none-{os.getpid()}", "--no-live", "--db", str(tmp_path / "a.db")
        ),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "no tmux server" in done.stderr
    assert "new-session" in done.stderr
