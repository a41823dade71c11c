"""A real watcher on the simulated Claude Code, and a `/metrics` endpoint serving its exporter."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from yesman._simagent.harness import SIMULATED_CLAUDE, AgentLog, start_simulated_agent
from yesman.bus import AsyncEventBus
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.testing import PrivateTmuxServer


def missing(what: str, *, module: bool = False) -> NoReturn:
    """Skip a test whose tool is not installed here; in CI, which installs it, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}, though .ci/run installs it", pytrace=False)
    pytest.skip(what, allow_module_level=module)


@dataclass
class Watcher:
    supervisor: MonitorSupervisor
    bus: AsyncEventBus
    pane: str
    agent: AgentLog


async def until(check: Callable[[], object], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@pytest.fixture
async def watcher(tmux: PrivateTmuxServer, tmp_path: Path) -> AsyncIterator[Watcher]:
    """yesman watching a simulated agent that shows a routine dialog (answered) and a dangerous
    one (held; the agent cancels it after 1.5 s, as a person might), then goes idle."""
    pane, agent = start_simulated_agent(
        tmux, tmp_path / "project", "bash", "dangerous", hold_timeout=1.5
    )
    async with (
        AsyncEventBus(metrics_interval=0) as bus,
        MonitorSupervisor(
            tmux.server,
            event_bus=bus,
            agents=[SIMULATED_CLAUDE],
            settings=MonitorSettings(performance_interval=0),
        ) as supervisor,
    ):
        yield Watcher(supervisor, bus, pane, agent)


async def wait_until_idle(w: Watcher) -> None:
    """The agent is done and the watcher has seen it go idle."""
    await w.agent.wait_for("idle", timeout=30)
    await until(
        lambda: [p.status.state.value for p in w.supervisor.watched()] == ["idle"],
        "the watcher to see the idle screen",
    )
