"""`yesman watch --alerts` and `yesman alerts ...` as real subprocesses: the issue's example as
written, listing, ack and silence against the database a running watcher reads."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.http_receiver import Receiver, serve
from yesman._simagent.harness import SIMULATED_AGENT, start_simulated_agent
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer, eventually

ISSUE_EXAMPLE = """\
[[sink]]
name = "ops"
type = "webhook"
url = "http://127.0.0.1:9099/hook"

[[rule]]
kind = "dialog-held"
for = "2s"
sinks = ["ops"]
"""


def yesman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "yesman.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"yesman {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done


async def create(db: Path) -> None:
    async with AuditStore.open(db):
        pass


def firing_now(db: Path) -> dict[str, Any]:
    (alert,) = json.loads(yesman("alerts", "--db", str(db), "--json").stdout)["firing"]
    return dict(alert)


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@pytest.fixture
def example_receiver() -> Iterator[tuple[Receiver, str]]:
    """A receiver on 9099, the example's port, and the example's text; if another program holds
    that port, the same example on a free port (only the port differs)."""
    try:
        receiver = serve(9099)
        text = ISSUE_EXAMPLE
    except OSError:
        receiver = serve(0)
        text = ISSUE_EXAMPLE.replace("http://127.0.0.1:9099", receiver.url)
    try:
        yield receiver, text
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.mark.tmux
def test_the_issue_example_with_yesman_watch_then_list_ack_and_silence(
    tmux: PrivateTmuxServer, tmp_path: Path, example_receiver: tuple[Receiver, str]
) -> None:
    receiver, text = example_receiver
    rules = tmp_path / "alerts.toml"
    rules.write_text(text)
    db = tmp_path / "audit.db"
    pane, _ = start_simulated_agent(tmux, tmp_path / "project", "dangerous")
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yesman.cli",
            "watch",
            "-L",
            tmux.socket_name,
            "--no-live",
            "--db",
            str(db),
            "--agent-cmd",
            SIMULATED_AGENT,
            "--alerts",
            str(rules),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        (firing,) = receiver.wait_for(1, timeout=30)
        assert (firing["status"], firing["rule"], firing["labels"]["tool"]) == (
            "firing",
            "dialog-held",
            "Bash",
        )
        listing = json.loads(yesman("alerts", "--db", str(db), "--json").stdout)
        (listed,) = listing["firing"]
        assert (listed["id"], listed["state"], listed["notifications"]) == (1, "firing", 1)
        table = yesman("alerts", "--db", str(db)).stdout
        assert "dialog-held" in table
        assert "Firing" in table

        assert (
            "acknowledged alert 1 (dialog-held"
            in yesman("alerts", "ack", "1", "--db", str(db)).stdout
        )
        silenced = yesman(
            "alerts",
            "silence",
            "dialog-held",
            "--for",
            "1h",
            "--match",
            "session=work",
            "--comment",
            "at lunch",
            "--db",
            str(db),
        ).stdout
        assert silenced.startswith("silence 1: no notifications for rule 'dialog-held' with ")
        listing = json.loads(yesman("alerts", "--db", str(db), "--json").stdout)
        assert listing["firing"][0]["acknowledged"] is not None
        (silence,) = listing["silences"]
        assert (silence["rule"], silence["matchers"], silence["comment"]) == (
            "dialog-held",
            {"session": "work"},
            "at lunch",
        )
        # The running watcher reads the silence back and marks its alert silenced, then not.
        eventually(lambda: firing_now(db)["silenced"], timeout=10)
        assert "silence 1 ended" in yesman("alerts", "unsilence", "1", "--db", str(db)).stdout
        eventually(lambda: not firing_now(db)["silenced"], timeout=10)

        missing = yesman("alerts", "ack", "99", "--db", str(db), check=False)
        assert missing.returncode == 2
        assert "no firing alert 99" in missing.stderr

        tmux.run("send-keys", "-t", pane, "2")  # the human says No: the alert resolves
        _, resolved = receiver.wait_for(2, timeout=15)
        assert resolved["status"] == "resolved"
    finally:
        watcher.send_signal(signal.SIGTERM)
        _, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    assert "alert dialog-held firing" in err  # the watcher's log says so too
    listing = json.loads(yesman("alerts", "--db", str(db), "--json").stdout)
    assert listing["firing"] == []
    assert [(a["id"], a["state"]) for a in listing["recent"]] == [(1, "resolved")]
    shown = json.loads(yesman("alerts", "show", "1", "--db", str(db), "--json").stdout)
    assert [(d["status"], d["outcome"]) for d in shown["deliveries"]] == [
        ("firing", "delivered"),
        ("resolved", "delivered"),
    ]


def test_a_bad_rules_file_stops_watch_before_it_starts_and_names_the_line(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "alerts.toml"
    rules.write_text(ISSUE_EXAMPLE.replace('for = "2s"', 'for = "2 seconds"'))
    done = yesman("watch", "-L", "yesman-no-such-server", "--alerts", str(rules), check=False)
    assert done.returncode == 2
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert f"alert rules file {rules}, line 8: rule 'dialog-held': for: expected" in said
    assert "Traceback" not in done.stderr
    checked = yesman("alerts", "check", str(rules), check=False)
    assert checked.returncode == 2
    assert "line 8:" in " ".join(checked.stderr.split())


def test_init_writes_the_default_and_check_reads_it(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "alerts.toml"
    assert f"wrote {target}" in yesman("alerts", "init", str(target)).stdout
    again = yesman("alerts", "init", str(target), check=False)
    assert again.returncode == 2
    assert "--force" in again.stderr
    checked = yesman("alerts", "check", str(target)).stdout
    assert "dialog-held" in checked
    assert checked.rstrip().endswith("ok")
    assert yesman("alerts", "init", "-").stdout == target.read_text()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = serve()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def dead_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


def test_alerts_test_sends_through_each_sink_and_fails_when_one_cannot(
    tmp_path: Path, receiver: Receiver, dead_url: str
) -> None:
    rules = tmp_path / "alerts.toml"
    rules.write_text(
        f'[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "{receiver.url}/hook"\n'
        f'[[sink]]\nname = "dead"\ntype = "webhook"\nurl = "{dead_url}"\ntimeout = "300ms"\n'
        "retries = 0\n"
    )
    ok = yesman("alerts", "test", str(rules), "--sink", "ops")
    assert ok.stdout == "ops: delivered after 1 attempt(s)\n"
    (body,) = receiver.bodies()
    assert (body["rule"], body["labels"]) == ("yesman-test", {"session": "yesman-test"})
    both = yesman("alerts", "test", str(rules), check=False)
    assert both.returncode == 1
    assert "dead: undelivered after 1 attempt(s): no answer within 0.3s" in both.stdout


def test_listing_a_database_without_alerts_and_a_missing_one(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    missing = yesman("alerts", "--db", str(db), check=False)
    assert missing.returncode == 2
    assert f"no audit database at {db}" in " ".join(missing.stderr.split())
    asyncio.run(create(db))  # as a watcher would, with no alert yet
    assert "No alert is firing" in yesman("alerts", "--db", str(db)).stdout
    assert json.loads(yesman("alerts", "--db", str(db), "--json").stdout) == {
        "firing": [],
        "recent": [],
        "silences": [],
    }
