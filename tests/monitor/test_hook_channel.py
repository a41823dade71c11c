"""The two channels together on real tmux: the simulated Claude Code, a watcher, the real hook.

The simulated agent draws Claude Code's dialogs but knows nothing of hooks, so where Claude Code
would act on its hook's answer (close the dialog) the test presses the key itself, as the agent
would have. What is checked is yesman's side: one decision per dialog, from one channel, and no
key typed into a dialog a hook decides.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from hooks._rig import Ran, run_hook
from yesman._simagent.harness import SIMULATED_CLAUDE, AgentLog, start_simulated_agent
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.history import HistoryWriter, read_dialog_records
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore, DecisionRecord
from yesman.testing import PrivateTmuxServer, eventually_async

pytestmark = pytest.mark.tmux

ALLOW = {"behavior": "allow"}


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@pytest.fixture
async def bus() -> AsyncIterator[AsyncEventBus]:
    async with AsyncEventBus(metrics_interval=0) as b:
        yield b


class Hook:
    """Runs the real `yesman hook` as the agent in ``pane`` would."""

    def __init__(self, tmux: PrivateTmuxServer, pane: str, project: Path) -> None:
        self.env = dict(os.environ) | {
            "TMUX": f"{tmux.server.resolved_socket_path()},1,0",
            "TMUX_PANE": pane,
        }
        self.project = project

    async def ask(self, tool: str, tool_input: dict[str, object]) -> Ran:
        payload = {
            "hook_event_name": "PermissionRequest",
            "cwd": str(self.project),
            "tool_name": tool,
            "tool_input": tool_input,
        }
        return await run_hook(json.dumps(payload).encode(), self.env, "--no-watcher", "human")


def _now(check: Callable[[], object]) -> Callable[[], Awaitable[object]]:
    async def run() -> object:
        return check()

    return run


def decision_of(ran: Ran) -> object:
    assert ran.code == 0
    if not ran.stdout:
        return None
    return json.loads(ran.stdout)["hookSpecificOutput"]["decision"]


def collect(bus: AsyncEventBus, *kinds: EventType) -> list[Event]:
    got: list[Event] = []
    for kind in kinds:
        bus.subscribe(kind, got.append)
    return got


async def records(audit: AuditStore) -> list[tuple[str, str, str]]:
    rows: list[DecisionRecord] = list(reversed(await audit.list_decisions()))
    return [(r.tool, r.action, r.channel) for r in rows]


def start(
    tmux: PrivateTmuxServer, tmp_path: Path, *scenarios: str, **kw: object
) -> tuple[str, AgentLog, Path]:
    project = tmp_path / "project"
    pane, log = start_simulated_agent(tmux, project, *scenarios, speed=1.0, **kw)  # type: ignore[arg-type]
    return pane, log, project


def supervisor(
    tmux: PrivateTmuxServer,
    bus: AsyncEventBus,
    audit: AuditStore,
    hook_wait: float = 2.0,
    verify_timeout: float = 2.0,
) -> MonitorSupervisor:
    settings = MonitorSettings(
        performance_interval=0, hook_wait=hook_wait, verify_timeout=verify_timeout
    )
    return MonitorSupervisor(
        tmux.server, event_bus=bus, audit=audit, agents=[SIMULATED_CLAUDE], settings=settings
    )


async def press_after_yesman_had_its_chance(
    tmux: PrivateTmuxServer, pane: str, log: AgentLog, n: int
) -> None:
    """Wait for the n-th dialog, give yesman time to (wrongly) type, then answer as the agent
    would on its hook's answer."""
    await log.wait_for("dialog_shown", count=n, timeout=20)
    await asyncio.sleep(0.8)
    assert len(log.events("key")) == n - 1, "yesman typed into a dialog its hook decided"
    tmux.run("send-keys", "-t", pane, "1")
    await log.wait_for("answered", count=n, timeout=10)


async def test_a_dialog_its_hook_answered_is_never_typed_into(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, log, project = start(tmux, tmp_path, "bash")
    events = collect(bus, EventType.RESPONSE_SENT, EventType.PROMPT_HELD)
    async with AuditStore.open(tmp_path / "audit.db") as audit, supervisor(tmux, bus, audit):
        hook = Hook(tmux, pane, project)
        # Before the dialog is drawn, as Claude Code 2.1.332 asks.
        answer = await hook.ask("Bash", {"command": "npm test", "description": "Run the tests"})
        assert decision_of(answer) == ALLOW
        await press_after_yesman_had_its_chance(tmux, pane, log, 1)
        await asyncio.sleep(0.5)
        await bus.join()
        assert await records(audit) == [("Bash", "answer", "hook")]
    assert [k["key"] for k in log.events("key")] == ["1"], "only the agent's own answer"
    assert [(e.type, e.data["channel"]) for e in events] == [(EventType.RESPONSE_SENT, "hook")]


async def test_a_dialog_its_hook_held_waits_for_the_human_counted_from_the_request(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, log, project = start(tmux, tmp_path, "dangerous", hold_timeout=1.5)
    held = collect(bus, EventType.PROMPT_HELD)
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        HistoryWriter(audit, bus),
        supervisor(tmux, bus, audit),
    ):
        asked = time.time()
        answer = await Hook(tmux, pane, project).ask(
            "Bash", {"command": "rm -rf /", "description": "Remove everything"}
        )
        assert decision_of(answer) is None, "no answer: the dialog stays for the human"
        await log.wait_for("cancelled", timeout=20)  # the "human" gave up on it
        cancelled = log.events("cancelled")[0]["t"]
        await asyncio.sleep(0.5)
        await bus.join()
        assert await records(audit) == [("Bash", "hold", "hook")]
    assert log.events("key") == [], "nothing typed into a held dialog"
    assert [(e.data["channel"], e.data["rule"]) for e in held] == [
        ("hook", "guard:dangerous-command")
    ], "held once, by the hook; the screen watcher only tracked it"
    (row,) = await read_dialog_records(tmp_path / "audit.db")
    assert row.wait_ms is not None
    waited = (cancelled - asked) * 1000.0
    assert waited - 500 <= row.wait_ms <= waited + 1500, (row.wait_ms, waited)


async def test_a_hook_slower_than_the_screen_gets_no_second_decision(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, log, project = start(tmux, tmp_path, "bash")
    async with AuditStore.open(tmp_path / "audit.db") as audit, supervisor(tmux, bus, audit):
        await log.wait_for("answered", timeout=20)  # the screen watcher typed 1
        late = await Hook(tmux, pane, project).ask(
            "Bash", {"command": "npm test", "description": "Run the tests"}
        )
        assert decision_of(late) is None
        await bus.join()
        assert await records(audit) == [("Bash", "answer", "screen")]
    assert [k["key"] for k in log.events("key")] == ["1"]


async def test_where_hooks_ask_a_dialog_waits_for_its_hook_then_falls_back_to_the_screen(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, log, project = start(tmux, tmp_path, "bash", "write", "edit")
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        supervisor(tmux, bus, audit, hook_wait=1.5),
    ):
        hook = Hook(tmux, pane, project)
        first = await hook.ask("Bash", {"command": "npm test", "description": "Run the tests"})
        assert decision_of(first) == ALLOW
        await press_after_yesman_had_its_chance(tmux, pane, log, 1)
        # The Write dialog is drawn before its hook asks (Claude Code 2.1.197 does that): the
        # screen watcher leaves it to the hook, which is now known to run in this pane.
        await log.wait_for("dialog_shown", count=2, timeout=20)
        await asyncio.sleep(0.4)
        second = await hook.ask("Write", {"file_path": str(project / "hello.txt"), "content": "x"})
        assert decision_of(second) == ALLOW
        await press_after_yesman_had_its_chance(tmux, pane, log, 2)
        # No hook comes for the Edit: after hook_wait the screen watcher answers it.
        await log.wait_for("answered", count=3, timeout=20)
        shown, key = log.events("dialog_shown")[2]["t"], log.events("key")[2]["t"]
        assert key - shown >= 1.4, "the screen watcher waited for the hook first"
        await bus.join()
        assert await records(audit) == [
            ("Bash", "answer", "hook"),
            ("Write", "answer", "hook"),
            ("Edit", "answer", "screen"),
        ]


async def test_a_hook_answer_the_agent_ignored_is_handed_to_a_human(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, log, project = start(tmux, tmp_path, "bash")
    held = collect(bus, EventType.PROMPT_HELD)
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        supervisor(tmux, bus, audit, verify_timeout=1.0),
    ):
        answer = await Hook(tmux, pane, project).ask(
            "Bash", {"command": "npm test", "description": "Run the tests"}
        )
        assert decision_of(answer) == ALLOW
        # The (simulated) agent ignores the hook: its dialog stays up.
        await log.wait_for("dialog_shown", timeout=20)
        await eventually_async(_now(lambda: held), timeout=10)
        await bus.join()
        (row,) = await audit.list_decisions()
    assert [(e.data["rule"], e.data["alert"], e.data["channel"]) for e in held] == [
        ("verify_failed", True, "hook")
    ]
    assert (row.channel, row.verified) == ("hook", False)
    assert log.events("key") == [], "yesman still types nothing: a human must look"
