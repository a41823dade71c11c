"""A real watcher with its dashboard: private tmux, the simulated Claude Code, real SQLite, real
HTTP on a loopback port; with `live_alerts`, the watcher's alert manager too, notifying a real
webhook receiver. Agents are started by the test, after the page may already be open."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.http_receiver import Receiver, serve
from yesman._simagent.cli import command
from yesman._simagent.harness import SIMULATED_CLAUDE, AgentLog
from yesman.alerts import AlertManager, parse_alert_config
from yesman.bus import AsyncEventBus
from yesman.cli._dashboard import extra_routes
from yesman.dashboard import DashboardServer, parse_bind
from yesman.history import HistoryWriter
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

REPORT_INTERVAL = 0.5  # seconds between performance reports, so charts get data quickly


async def until(check: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class Live:
    """A running watcher and its dashboard (with the watcher's alert manager, when it has
    rules)."""

    tmux: PrivateTmuxServer
    root: Path
    db: Path
    audit: AuditStore
    bus: AsyncEventBus
    supervisor: MonitorSupervisor
    server: DashboardServer
    alerts: AlertManager | None = None
    _sessions: Iterator[int] = field(default_factory=itertools.count)

    @property
    def manager(self) -> AlertManager:
        assert self.alerts is not None, "this test needs the live_alerts fixture"
        return self.alerts

    async def start_agent(self, *scenarios: str, **kw: Any) -> tuple[str, AgentLog]:
        """Start the simulated agent the way a person does: a shell first, the agent in it a
        moment later (the watcher finds it when the pane's program changes)."""
        session = f"agent{next(self._sessions)}"
        cwd = self.root / session
        cwd.mkdir()
        log = AgentLog(self.root / f"{session}.jsonl")
        argv = command(*scenarios, log=log.path, speed=4.0, **kw)
        pane = self.tmux.run(
            "new-session", "-d", "-P", "-F", "#{pane_id}", "-s", session, "-c", str(cwd),
            "-x", "120", "-y", "40", "sh", "-c", 'read _ && exec "$@"', "sh", *argv,
        )  # fmt: skip
        await asyncio.sleep(0.3)  # the watcher has seen a shell (and let it be)
        self.tmux.run("send-keys", "-t", pane, "Enter")
        return pane, log

    def client(self, *, token: bool = True) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.server.token}"} if token else {}
        return httpx.AsyncClient(base_url=self.server.url, headers=headers, timeout=10.0)


def alert_rules(webhook: str, rule: str) -> str:
    """A rules file: one webhook sink, one dialog-held rule with the given settings."""
    return (
        f'[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "{webhook}"\nretries = 0\n'
        f'[[rule]]\nkind = "dialog-held"\nsinks = ["ops"]\n{rule}\n'
    )


@asynccontextmanager
async def running(tmp_path: Path, rules: str | None = None) -> AsyncIterator[Live]:
    """The watcher as `yesman watch --http [--alerts FILE]` wires it, on a private tmux."""
    db = tmp_path / "audit.db"
    with PrivateTmuxServer(width=120, height=40) as tmux:
        tmux.new_session("shell")  # a server to connect to before any agent runs
        async with (
            AuditStore.open(db) as audit,
            AsyncEventBus(metrics_interval=REPORT_INTERVAL) as bus,
            HistoryWriter(audit, bus),
            contextlib.AsyncExitStack() as stack,
        ):
            manager = None
            if rules is not None:
                config = parse_alert_config(rules, "rules.toml")
                manager = await stack.enter_async_context(
                    AlertManager(config, bus, store=audit, tmux=tmux.server)
                )
            supervisor = MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                audit=audit,
                agents=[SIMULATED_CLAUDE],
                settings=MonitorSettings(performance_interval=REPORT_INTERVAL),
            )
            async with (
                supervisor,
                DashboardServer(
                    parse_bind("127.0.0.1:0"),
                    db=db,
                    watcher=supervisor,
                    bus=bus,
                    alerts=manager,
                    extra_routes=extra_routes(supervisor, bus),
                    heartbeat=0.5,
                ) as server,
            ):
                if manager is not None:
                    manager.dashboard_url = server.alert_url
                yield Live(tmux, tmp_path, db, audit, bus, supervisor, server, manager)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with running(tmp_path) as live:
        yield live


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a loopback port (the alert sink of `live_alerts`)."""
    r = serve()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
async def live_alerts(tmp_path: Path, receiver: Receiver) -> AsyncIterator[Live]:
    """`live` with alerting: a held dialog fires ``dialog-held`` after 1 s, reminders every
    second, notifications to `receiver` at ``/hook``."""
    rules = alert_rules(f"{receiver.url}/hook", 'for = "1s"\nrepeat_interval = "1s"')
    async with running(tmp_path, rules) as live:
        yield live


def artefacts(name: str) -> Path:
    """Where a test keeps what a person may want to look at (screenshots): test-artifacts/ at
    the repository root (ignored by git), or $YESMAN_TEST_ARTIFACTS."""
    base = os.environ.get("YESMAN_TEST_ARTIFACTS")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "test-artifacts"
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
