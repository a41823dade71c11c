"""`yesman watch` and `yesman status` as real subprocesses against a private tmux server."""

from __future__ import annotations

import contextlib
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
        check=False,
    )
    assert done.returncode == 0, done.stderr
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


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--keep-raw", "fortnight"), "cannot read the duration 'fortnight'"),
        (("--keep-raw", "30d", "--keep-rollups", "7d"), "shorter than --keep-raw"),
    ],
)
def test_bad_history_retention_is_refused_before_anything_starts(
    tmp_path: Path, flags: tuple[str, ...], message: str
) -> None:
    db = tmp_path / "a.db"
    done = subprocess.run(
        yesman("watch", "-L", f"yesman-none-{os.getpid()}", "--no-live", "--db", str(db), *flags),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert not db.exists()


class Watcher:
    """`yesman watch --no-live` as a subprocess; what it prints goes to files we can poll."""

    def __init__(self, tmux: PrivateTmuxServer, db: Path, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        self.out = db.with_suffix(".out")
        self.err = db.with_suffix(".err")
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                yesman("watch", "-L", tmux.socket_name, "--no-live", "--db", str(db), *extra),
                stdout=out,
                stderr=err,
                text=True,
                env=env,
            )

    def printed(self) -> str:
        return self.out.read_text() + self.err.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=20)


def test_a_second_watcher_on_the_same_server_is_refused_and_says_who_answers(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    tmux.new_session("plain", ["cat"])
    first = Watcher(tmux, tmp_path / "a.db")
    try:
        eventually(lambda: "yesman watching" in first.printed(), timeout=20)
        second = subprocess.run(
            yesman("watch", "-L", tmux.socket_name, "--no-live", "--db", str(tmp_path / "b.db")),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        first.stop()
    assert second.returncode == 2
    assert f"pid {first.proc.pid}" in second.stderr
    assert "--dry-run" in second.stderr
    assert second.stdout == ""


def test_a_missing_session_is_waited_for_with_a_message_or_refused_with_no_wait(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    tmux.new_session("plain", ["cat"])
    refused = subprocess.run(
        yesman("watch", "-L", tmux.socket_name, "--no-live", "--db", str(tmp_path / "a.db"),
               "--no-wait", "nosuch"),
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "no session or pane named nosuch" in refused.stderr
    waiting = Watcher(tmux, tmp_path / "b.db", "nosuch")
    try:
        eventually(lambda: "waiting for nosuch to appear" in waiting.printed(), timeout=20)
        # ...and once it appears, it is watched (here it runs no agent: nothing to answer).
        tmux.new_session("nosuch", ["cat"])
        time.sleep(0.5)
    finally:
        assert waiting.stop() == 0


def test_sighup_stops_the_watcher_cleanly(tmux: PrivateTmuxServer, tmp_path: Path) -> None:
    tmux.new_session("plain", ["cat"])
    watcher = Watcher(tmux, tmp_path / "a.db")
    eventually(lambda: "yesman watching" in watcher.printed(), timeout=20)
    assert watcher.stop(signal.SIGHUP) == 0
    assert "yesman stopped" in watcher.printed()


def test_ctrl_c_while_starting_ends_without_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        yesman("status", "-L", f"yesman-none-{os.getpid()}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Interrupt once yesman's own code runs (it has loaded psutil's extension, which only
    # main() imports): a SIGINT while the interpreter itself starts up is Python's to report.
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 20
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if "_psutil_linux" in maps.read_text():
                break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err
    # Interrupted (130), or already failed on the missing server (2); or the signal came while
    # the interpreter was shutting down, when Python has put back the default action (-SIGINT).
    assert proc.returncode in (130, 2, -signal.SIGINT)


def test_status_json_errors_go_to_stderr(tmp_path: Path) -> None:
    done = subprocess.run(
        yesman("status", "-L", f"yesman-none-{os.getpid()}", "--json"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "no tmux server" in done.stderr


def test_a_deleted_audit_database_stops_answers_and_the_exit_line_says_so(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    db = tmp_path / "audit.db"
    tmux.new_session("plain", ["cat"])
    watcher = Watcher(tmux, db, "--agent-cmd", SIMULATED_AGENT)
    try:
        eventually(lambda: "yesman watching" in watcher.printed(), timeout=20)
        eventually(db.exists, timeout=10)
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)
        _, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", hold_timeout=2.0)
        eventually(lambda: "HELD" in watcher.printed(), timeout=20)
        agent_keys = [k["key"] for k in agent.events("key")]
    finally:
        code = watcher.stop()
    printed = watcher.printed()
    assert code == 0, printed
    assert agent_keys == []  # nothing typed without a record
    assert "could not record this decision" in printed
    assert "every decision is in the audit log" not in printed
    assert "1 decision(s) could not be written" in printed
