"""The agent's process in a pane, and the restart policy's limits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from support.agents import agent_running_as
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import (
    AgentProcessController,
    AsyncClaudeMonitor,
    MonitorSettings,
    RestartPolicy,
    SessionManager,
    StatusManager,
)
from yesman.testing import PrivateTmuxServer
from yesman.tmux import ControlClient


@pytest.mark.tmux
async def test_restart_types_the_command_at_an_idle_shell_with_backoff_and_a_budget(
    tmp_path: Path,
) -> None:
    with PrivateTmuxServer(width=100, height=30) as tmux:
        pane = tmux.new_session("shell", ["sh"])
        contexts: list[Event] = []
        async with ControlClient(tmux.server) as client, AsyncEventBus(metrics_interval=0) as bus:
            bus.subscribe(EventType.AUTOMATION_CONTEXT, contexts.append)
            info = next(p for p in await client.list_panes() if p.pane_id == pane)
            session = SessionManager(client, info)
            restart = RestartPolicy(
                enabled=True, command="sleep 1", initial_backoff=0.3, max_backoff=0.6, budget=2
            )
            controller = AgentProcessController(
                session, agent_running_as("sleep"), restart=restart, cache_ttl=0.0
            )
            monitor = AsyncClaudeMonitor(
                session,
                controller,
                StatusManager(),
                bus,
                settings=MonitorSettings(performance_interval=0),
            )
            async with monitor:
                # `sleep 1` is started, exits, is started again after the backoff; then the
                # budget of 2 is spent and nothing more is typed.
                await asyncio.sleep(5.0)
                await bus.join()
        restarts = [e for e in contexts if e.data["context"] == "agent_restarted"]
        assert len(restarts) == 2
        typed = tmux.capture(pane)
        assert typed.count("sleep 1") == 2
        assert controller.next_attempt_in() is None


def test_restart_is_off_by_default() -> None:
    assert RestartPolicy().enabled is False


def test_restart_uses_the_agents_own_command_unless_told_otherwise() -> None:
    assert RestartPolicy().command is None
    assert agent_running_as("sleep").restart_command is None
