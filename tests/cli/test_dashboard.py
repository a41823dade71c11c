"""`yesman dashboard` and `yesman watch --http [--alerts]` as real subprocesses, reached over
real HTTP (and a real webhook receiver for the alerts)."""

from __future__ import annotations

import asyncio
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.http_receiver import Receiver, serve
from yesman._simagent.harness import SIMULATED_AGENT, start_simulated_agent
from yesman.cli._dashboard import TOKEN_ENV
from yesman.dashboard import TOKEN_ENV as DASHBOARD_TOKEN_ENV
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer, eventually

URL = re.compile(r"dashboard: (http://[^/\s]+/)\?token=(\S+)")


def yesman(*args: str) -> list[str]:
    return [sys.executable, "-m", "yesman.cli", *args]


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("TMUX", TOKEN_ENV)}
    return subprocess.Popen(
        yesman(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, **(env or {})},
    )


def empty_db(path: Path) -> Path:
    """A database as a watcher leaves it before anything happened."""

    async def create() -> None:
        async with AuditStore.open(path):
            pass

    asyncio.run(create())
    return path


def dashboard_url(
    proc: subprocess.Popen[str], timeout: float = 30.0, seen: list[str] | None = None
) -> tuple[str, str]:
    """The URL and token the process printed on stderr (lines before it go to `seen`)."""
    assert proc.stderr is not None
    seen = seen if seen is not None else []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=0.2):
                if proc.poll() is not None:
                    break
                continue
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            found = URL.search(line)
            if found:
                return found.group(1), found.group(2)
    raise AssertionError(f"no dashboard URL printed; stderr so far: {''.join(seen)!r}")


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGINT) -> tuple[str, str]:
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    return out, err


def test_history_dashboard_serves_with_its_printed_token_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    db = empty_db(tmp_path / "audit.db")
    proc = start("dashboard", "--db", str(db), "--http", "127.0.0.1:0")
    try:
        url, token = dashboard_url(proc)
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "api/agents").status_code == 401
        ok = httpx.get(url + "api/agents", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert ok.json()["live"] is False
    finally:
        _, err = stop(proc)
    assert proc.returncode == 0, err


def test_token_from_the_environment(tmp_path: Path) -> None:
    assert TOKEN_ENV == DASHBOARD_TOKEN_ENV
    db = tmp_path / "audit.db"
    proc = start("dashboard", "--db", str(db), "--http", "0")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "audit.db" in err  # no database there: said, with the path

    chosen = "a-token-chosen-by-the-user"
    empty_db(db)
    proc = start("dashboard", "--db", str(db), "--http", "0", env={TOKEN_ENV: chosen})
    try:
        url, token = dashboard_url(proc)
        assert token == chosen
        response = httpx.get(url + "api/held", headers={"Authorization": f"Bearer {chosen}"})
        assert response.status_code == 200
    finally:
        stop(proc, signal.SIGTERM)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["--http", "eighty"], "not a port number", id="bad-port"),
        pytest.param(["--http", "0.0.0.0:0"], "--allow-remote", id="remote-not-allowed"),
        pytest.param(["--http", "0", "--http-token", "short"], "at least 16", id="short-token"),
    ],
)
@pytest.mark.parametrize("command", ["dashboard", "watch"])
def test_bad_http_options_are_usage_errors(command: str, args: list[str], says: str) -> None:
    done = subprocess.run(
        yesman(command, *args), capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert says in " ".join(done.stderr.split())


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = serve()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.mark.tmux
def test_watch_serves_the_live_dashboard(
    tmux: PrivateTmuxServer, tmp_path: Path, receiver: Receiver
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "dangerous")
    rules = tmp_path / "alerts.toml"
    rules.write_text(
        f'[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "{receiver.url}/hook"\n'
        '[[rule]]\nkind = "dialog-held"\nfor = "0s"\nsinks = ["ops"]\n'
    )
    proc = start(
        "watch",
        "--alerts",
        str(rules),
        "-L",
        tmux.socket_name,
        "--no-live",
        "--db",
        str(tmp_path / "audit.db"),
        "--agent-cmd",
        SIMULATED_AGENT,
        "--http",
        "127.0.0.1:0",
    )
    try:
        url, token = dashboard_url(proc)
        headers = {"Authorization": f"Bearer {token}"}

        def held() -> list[dict[str, object]]:
            rows: list[dict[str, object]] = httpx.get(url + "api/held", headers=headers).json()[
                "held"
            ]
            return rows

        (row,) = eventually(held, timeout=20)
        assert row["pane_id"] == pane

        # The dashboard has the watcher's alerts, and notifications link to them there.
        def stored() -> list[dict[str, Any]]:
            rows = httpx.get(url + "api/alerts", headers=headers).json()["active"]
            return [r for r in rows if r["id"] is not None]  # fired and stored

        (alert,) = eventually(stored, timeout=20)
        assert (alert["rule"], alert["labels"]["pane"]) == ("dialog-held", pane)
        (notified,) = receiver.wait_for(1, 20.0)
        assert notified["dashboard"] == f"{url}alerts/{alert['id']}"
        linked = httpx.get(notified["dashboard"], headers=headers)
        assert linked.status_code == 200
        assert "rm -rf /" in linked.text
        denied = httpx.post(
            url + f"api/held/{row['id']}/deny",
            headers=headers,
            json={"fingerprint": row["fingerprint"]},
            timeout=20,
        )
        assert denied.status_code == 200, denied.text
        eventually(lambda: agent.events("answered"), timeout=20)
    finally:
        _, err = stop(proc, signal.SIGTERM)
    assert proc.returncode == 0, err
    assert agent.events("answered")[0]["label"] == "No"


def test_allow_remote_serves_with_a_warning(tmp_path: Path) -> None:
    db = empty_db(tmp_path / "audit.db")
    proc = start("dashboard", "--db", str(db), "--http", "0.0.0.0:0", "--allow-remote")
    before: list[str] = []
    try:
        dashboard_url(proc, seen=before)
    finally:
        stop(proc)
    assert proc.returncode == 0
    warning = " ".join("".join(before).split())
    assert "warning: the dashboard listens on 0.0.0.0:" in warning
    assert "reachable from other machines" in warning
