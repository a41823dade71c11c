"""The watcher end to end on real tmux (private socket) with the simulated Claude Code."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from yesman._simagent.cli import command
from yesman._simagent.harness import (
    SIMULATED_CLAUDE,
    AgentLog,
    start_simulated_agent,
)
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer
from yesman.tmux import ServerLockedError

pytestmark = pytest.mark.tmux


async def until(check: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


def start_agent(
    tmux: PrivateTmuxServer, tmp_path: Path, *scenarios: str, **kw: Any
) -> tuple[str, AgentLog]:
    return start_simulated_agent(tmux, tmp_path / "project", *scenarios, **kw)


@pytest.fixture
async def bus() -> AsyncIterator[AsyncEventBus]:
    async with AsyncEventBus(metrics_interval=0) as b:
        yield b


def collect(bus: AsyncEventBus, kind: EventType) -> list[Event]:
    got: list[Event] = []
    bus.subscribe(kind, got.append)
    return got


async def test_answers_routine_dialogs_once_and_holds_dangerous_ones(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, agent = start_agent(tmux, tmp_path, "bash", "dangerous", "write", hold_timeout=1.5)
    held = collect(bus, EventType.PROMPT_HELD)
    sent = collect(bus, EventType.RESPONSE_SENT)
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        MonitorSupervisor(
            tmux.server, event_bus=bus, audit=audit, agents=[SIMULATED_CLAUDE]
        ) as supervisor,
    ):
        assert list(supervisor.monitors) == [pane]
        await agent.wait_for("idle", timeout=30)
        await asyncio.sleep(0.3)
        await bus.join()
        records = list(reversed(await audit.list_decisions()))

    keys = agent.events("key")
    answered = agent.events("answered")
    # Exactly one key per answered dialog: nothing typed while busy or idle, no double answer.
    assert [k["key"] for k in keys] == ["1", "1"]
    assert all(k["state"] == "dialog" for k in keys)
    assert [a["scenario"] for a in answered] == ["bash", "write"]
    assert [c["scenario"] for c in agent.events("cancelled")] == ["dangerous"]

    assert [(r.tool, r.action) for r in records] == [
        ("Bash", "answer"),
        ("Bash", "hold"),
        ("Write", "answer"),
    ]
    assert records[0].keys == ("1",)
    assert records[0].verified is True
    assert records[1].keys == ()
    assert "rm -rf /" in records[1].target
    assert records[0].latency_ms is not None
    assert records[0].latency_ms > 0
    assert len(held) == 1
    assert held[0].data["pane_id"] == pane
    assert len(sent) == 2
    assert all(e.data["latency_ms"] > 0 for e in sent)


async def test_question_for_the_human_is_held(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "question", hold_timeout=1.0)
    held = collect(bus, EventType.PROMPT_HELD)
    async with MonitorSupervisor(tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE]):
        await agent.wait_for("idle")
        await bus.join()
    assert agent.events("key") == []
    assert len(held) == 1
    assert held[0].data["prompt"]["kind"] == "question"


async def test_dry_run_decides_but_sends_nothing(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "bash", hold_timeout=1.0)
    decided = collect(bus, EventType.PROMPT_DECIDED)
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        MonitorSupervisor(
            tmux.server,
            event_bus=bus,
            audit=audit,
            agents=[SIMULATED_CLAUDE],
            settings=MonitorSettings(dry_run=True),
        ),
    ):
        await agent.wait_for("idle")
        await bus.join()
        records = await audit.list_decisions()
    assert agent.events("key") == []
    assert [e.data["action"] for e in decided] == ["answer"]
    assert decided[0].data["dry_run"] is True
    assert [(r.action, r.dry_run, r.keys) for r in records] == [("answer", True, ())]


async def test_panes_that_start_later_are_found_and_closed_panes_end_their_watch(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    tmux.new_session("other", ["cat"])  # not an agent: never watched
    stopped = collect(bus, EventType.SESSION_STOPPED)
    async with MonitorSupervisor(
        tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE]
    ) as supervisor:
        assert supervisor.monitors == {}
        pane, agent = start_agent(tmux, tmp_path, "bash", session="later")
        await agent.wait_for("answered", timeout=20)
        assert pane in supervisor.monitors
        tmux.run("kill-pane", "-t", pane)
        await until(lambda: pane not in supervisor.monitors, "the watch to end")
        await bus.join()
    assert [e.data["pane_id"] for e in stopped] == [pane]


async def test_session_rename_relabels_the_watch(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, agent = start_agent(tmux, tmp_path, "bash", session="before")
    async with MonitorSupervisor(
        tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE]
    ) as supervisor:
        await agent.wait_for("idle")
        tmux.run("rename-session", "-t", "before", "after")
        await until(lambda: supervisor.monitors[pane].session_name == "after", "the rename")


async def test_survives_the_tmux_server_being_killed_and_restarted(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "bash", session="first")
    errors = collect(bus, EventType.SYSTEM_ERROR)
    async with MonitorSupervisor(
        tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE]
    ) as supervisor:
        await agent.wait_for("answered")
        tmux.kill()
        await until(lambda: not supervisor.monitors, "every watch to end")
        # The server comes back with a new agent: it is watched and answered again.
        pane, agent2 = start_agent(tmux, tmp_path, "write", session="second")
        await agent2.wait_for("answered", timeout=30)
        assert [k["key"] for k in agent2.events("key")] == ["1"]
        assert pane in supervisor.monitors
        await bus.join()
    assert any("tmux server lost" in e.data["error"] for e in errors)


async def test_component_metrics_cover_the_pipeline(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "bash", "edit")
    async with MonitorSupervisor(
        tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE]
    ) as supervisor:
        await agent.wait_for("idle")
        metrics = supervisor.tracker._get_component_metrics()
    for name in (
        "content_capture",
        "claude_status_check",
        "prompt_detection",
        "content_processing",
        "response_sending",
        "automation_analysis",
    ):
        assert metrics[name]["sample_count"] > 0, name
    assert metrics["response_sending"]["sample_count"] == 2
    assert metrics["content_capture"]["average_ms"] > 0


async def test_idle_for_a_while_is_reported_without_any_output(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "bash")
    contexts = collect(bus, EventType.AUTOMATION_CONTEXT)
    async with MonitorSupervisor(
        tmux.server,
        event_bus=bus,
        agents=[SIMULATED_CLAUDE],
        settings=MonitorSettings(idle_after=0.5),
    ):
        await agent.wait_for("idle")
        await until(lambda: any(e.data["context"] == "idle" for e in contexts), "the idle context")
    idle = [e for e in contexts if e.data["context"] == "idle"]
    assert len(idle) == 1
    assert idle[0].data["idle_seconds"] >= 0.5


async def test_a_stopped_supervisor_starts_again(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "bash", "write", speed=1.0)
    sent = collect(bus, EventType.RESPONSE_SENT)
    supervisor = MonitorSupervisor(tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE])
    await supervisor.start()
    await agent.wait_for("answered")
    await supervisor.stop()
    await supervisor.stop()  # idempotent
    assert supervisor.monitors == {}
    async with supervisor:  # the same object, started again
        await agent.wait_for("answered", count=2)
        await bus.join()
    assert [k["key"] for k in agent.events("key")] == ["1", "1"]
    assert len(sent) == 2


async def test_every_event_of_a_watch_carries_a_typed_payload(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    _, agent = start_agent(tmux, tmp_path, "bash", "dangerous", hold_timeout=1.0)
    seen: list[Event] = []
    for kind in EventType:
        bus.subscribe(kind, seen.append)
    async with MonitorSupervisor(
        tmux.server,
        event_bus=bus,
        agents=[SIMULATED_CLAUDE],
        settings=MonitorSettings(performance_interval=0.2),
    ):
        await agent.wait_for("idle")
        await asyncio.sleep(0.3)
        await bus.join()
    kinds = {e.type for e in seen}
    assert {
        EventType.SESSION_CREATED,
        EventType.PROMPT_DETECTED,
        EventType.PROMPT_HELD,
        EventType.PERFORMANCE_METRICS,
    } <= kinds
    untyped = [e.type for e in seen if e.payload is None]
    assert untyped == []
    assert {e.data["agent"] for e in seen if "agent" in e.data} == {"claude-code-simulated"}


async def test_a_second_supervisor_on_the_same_server_is_refused(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    start_agent(tmux, tmp_path, "bash", hold_timeout=5.0)
    async with MonitorSupervisor(tmux.server, agents=[SIMULATED_CLAUDE]):
        second = MonitorSupervisor(tmux.server, agents=[SIMULATED_CLAUDE])
        with pytest.raises(ServerLockedError, match=f"pid {os.getpid()}"):
            await second.start()
        # A dry run types nothing, so it may watch beside the one that answers.
        async with MonitorSupervisor(
            tmux.server, agents=[SIMULATED_CLAUDE], settings=MonitorSettings(dry_run=True)
        ) as watcher:
            assert len(watcher.monitors) == 1
    # Released at stop: the next one may answer.
    async with MonitorSupervisor(tmux.server, agents=[SIMULATED_CLAUDE]) as third:
        assert len(third.monitors) == 1


async def test_panes_without_an_agent_are_muted_until_an_agent_starts_in_them(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    log = tmp_path / "agent.jsonl"
    pane = tmux.new_session("shell", ["sh"])
    busy = tmux.new_session("noisy", ["sh", "-c", "while :; do echo tick; sleep 0.01; done"])
    sent = collect(bus, EventType.RESPONSE_SENT)
    async with MonitorSupervisor(
        tmux.server, event_bus=bus, agents=[SIMULATED_CLAUDE]
    ) as supervisor:
        client = supervisor._client
        assert client is not None
        assert {pane, busy} <= client.muted_panes()
        assert supervisor.monitors == {}
        # The shell starts the agent: its foreground command changes, so it is looked at again.
        argv = command("bash", log=log, speed=4.0)
        tmux.run("send-keys", "-t", pane, f"cd {shlex.quote(str(project))} && exec ", "")
        tmux.run("send-keys", "-t", pane, "-l", shlex.join(argv))
        tmux.run("send-keys", "-t", pane, "Enter")
        await until(lambda: sent, "the agent in the formerly muted pane to be answered")
        assert list(supervisor.monitors) == [pane]
        assert pane not in client.muted_panes()
        assert busy in client.muted_panes()
    assert [e["key"] for e in AgentLog(log).events("key")] == ["1"]


async def test_a_pane_whose_agent_starts_a_moment_after_it_is_created_is_found(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    """The first look at a new pane can come before its program runs. Here the program is a
    python process that execs the agent 0.6 s later, in another folder: the foreground command
    stays "python3" throughout, so tmux reports no change. The pane must still be watched, and
    the agent's own folder, not the pane's first one, is its project."""
    project = tmp_path / "project"
    project.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    log = tmp_path / "agent.jsonl"
    argv = command("write", log=log, speed=4.0)
    # The agent's argv comes from the environment, so nothing in the first process's command
    # line says "agent".
    delayed = (
        "import json, os, time; time.sleep(0.6); os.chdir(os.environ['LATE_CWD']); "
        "argv = json.loads(os.environ['LATE_ARGV']); os.execv(argv[0], argv)"
    )
    tmux.new_session("other", ["cat"])
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        MonitorSupervisor(
            tmux.server, event_bus=bus, audit=audit, agents=[SIMULATED_CLAUDE]
        ) as supervisor,
    ):
        pane = tmux.run(
            "new-session", "-d", "-P", "-F", "#{pane_id}", "-s", "late", "-c", str(elsewhere),
            "-e", f"LATE_ARGV={json.dumps(argv)}", "-e", f"LATE_CWD={project}",
            argv[0], "-c", delayed,
        )  # fmt: skip
        agent = AgentLog(log)
        await agent.wait_for("answered", timeout=20)
        monitor = supervisor.monitors[pane]
        assert monitor.process_controller.agent_cwd == str(project)
        (decision,) = await audit.list_decisions()
        assert decision.action == "answer", decision.reason
