"""yesman watching the real Claude Code CLI, pointed at the local API stand-in, in private tmux.

Each test scripts what "Claude" asks for, starts the real CLI in a pane, runs the watcher and
checks what happened: files Claude created after a "Yes", follow-up API requests carrying the
tool result, the audit trail, and the events on the bus.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.claude_api import ClaudeApiStandIn, TextReply, ToolUse, Turn
from support.claude_code import (
    ClaudeCodeNotFoundError,
    ClaudeLaunch,
    claude_version,
    find_claude_binary,
    prepare_home,
    start_claude,
)
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.policy import Policy
from yesman.store import AuditStore, DecisionRecord
from yesman.testing import PrivateTmuxServer

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]


@pytest.fixture(scope="module")
def claude_binary() -> Path:
    try:
        return find_claude_binary()
    except ClaudeCodeNotFoundError as exc:
        if os.environ.get("CI"):
            raise  # CI installs it (.ci/run): missing there is a failure, not a skip
        pytest.skip(f"Claude Code is not installed ({exc}); run: npm ci --prefix tools/claude-code")


@dataclass
class Rig:
    tmux: PrivateTmuxServer
    api: ClaudeApiStandIn
    bus: AsyncEventBus
    audit: AuditStore
    root: Path
    project: Path
    binary: Path

    async def launch(
        self,
        *turns: Turn,
        prompt: str = "do the task",
        trusted: bool = True,
        approve_api_key: bool = True,
        session: str = "claude",
    ) -> str:
        self.api.push(*turns)
        home = prepare_home(
            self.root / f"home-{session}",
            approve_api_key=approve_api_key,
            trusted=[self.project] if trusted else [],
        )
        return await start_claude(
            ClaudeLaunch(
                socket=self.tmux.socket_name,
                home=home,
                cwd=self.project,
                base_url=self.api.base_url,
                args=[prompt],
                session=session,
                binary=self.binary,
            )
        )

    def supervisor(self, policy: Policy | None = None, **kw: object) -> MonitorSupervisor:
        return MonitorSupervisor(
            self.tmux.server,
            event_bus=self.bus,
            audit=self.audit,
            policy=policy,
            settings=MonitorSettings(performance_interval=0),
            require_server=False,  # Claude Code starts the server after the watcher
            **kw,  # type: ignore[arg-type]
        )

    def events(self, kind: EventType) -> list[Event]:
        got: list[Event] = []
        self.bus.subscribe(kind, got.append)
        return got

    async def records(self) -> list[DecisionRecord]:
        return list(reversed(await self.audit.list_decisions(limit=100)))

    def screen(self, pane: str) -> str:
        return self.tmux.capture(pane)


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(prefix="yesman-e2e", width=120, height=40) as server:
        yield server


@pytest.fixture
async def rig(tmux: PrivateTmuxServer, tmp_path: Path, claude_binary: Path) -> AsyncIterator[Rig]:
    project = tmp_path / "project"
    project.mkdir()
    async with (
        ClaudeApiStandIn([]) as api,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        yield Rig(tmux, api, bus, audit, tmp_path, project, claude_binary)


async def until(check: Callable[[], object], timeout: float = 40.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


async def test_bash_permission_is_answered_and_the_command_runs(rig: Rig) -> None:
    sent = rig.events(EventType.RESPONSE_SENT)
    async with rig.supervisor():
        await rig.launch(
            ToolUse(
                "Bash",
                {
                    "command": "mkdir -p build && touch build/out.txt",
                    "description": "Create the build folder",
                },
            ),
            TextReply("Created build/out.txt."),
        )
        await until((rig.project / "build" / "out.txt").exists, what="build/out.txt")
        await until(lambda: len(rig.api.main_requests) >= 2, what="the tool result request")
        await asyncio.sleep(1.0)  # time for a (wrong) second answer to show up
        records = await rig.records()
    assert [(r.tool, r.action, r.keys) for r in records] == [("Bash", "answer", ("1",))]
    assert records[0].verified is True
    assert "mkdir -p build" in records[0].target
    assert len(sent) == 1


async def test_file_creation_and_fetch_are_answered(rig: Rig) -> None:
    target = rig.project / "hello.txt"
    async with rig.supervisor():
        await rig.launch(
            ToolUse("Write", {"file_path": str(target), "content": "hello\n"}),
            ToolUse("WebFetch", {"url": f"{rig.api.base_url}/docs", "prompt": "Summarise it"}),
            TextReply("Done."),
        )
        await until(target.exists, what="hello.txt")
        await until(lambda: len(rig.api.main_requests) >= 3, timeout=60, what="the fetch")
        records = await rig.records()
    assert target.read_text() == "hello\n"
    assert [(r.tool, r.action) for r in records] == [("Write", "answer"), ("Fetch", "answer")]


async def test_dangerous_command_is_held_and_nothing_is_typed(rig: Rig) -> None:
    held = rig.events(EventType.PROMPT_HELD)
    async with rig.supervisor():
        pane = await rig.launch(
            ToolUse("Bash", {"command": "rm -rf ~/", "description": "Clean up"}),
        )
        await until(lambda: len(held), what="the hold")
        await asyncio.sleep(2.0)
        records = await rig.records()
    assert [(r.action, r.keys) for r in records] == [("hold", ())]
    assert len(rig.api.main_requests) == 1, "no answer reached Claude"
    assert "Do you want to proceed?" in rig.screen(pane), "the dialog still waits for a human"


async def test_ask_user_question_is_held(rig: Rig) -> None:
    held = rig.events(EventType.PROMPT_HELD)
    question = {
        "questions": [
            {
                "question": "Which database should the service use?",
                "header": "Database",
                "multiSelect": False,
                "options": [
                    {"label": "PostgreSQL", "description": "Relational"},
                    {"label": "SQLite", "description": "Embedded"},
                ],
            }
        ]
    }
    async with rig.supervisor():
        await rig.launch(ToolUse("AskUserQuestion", question))
        await until(lambda: len(held), what="the hold")
        await asyncio.sleep(1.0)
        records = await rig.records()
    assert [(r.prompt_kind, r.action) for r in records] == [("question", "hold")]
    assert len(rig.api.main_requests) == 1


async def test_trust_dialog_is_held_even_when_a_rule_would_answer_it(rig: Rig) -> None:
    # Claude Code 2.1.x draws the trust dialog without digits ("❯ No, exit" highlighted): only
    # arrows and Enter work there, so yesman holds it rather than press Enter on a guess.
    policy = Policy.from_toml(
        f"""
        version = 1
        [[rules]]
        name = "trust-test-project"
        kind = "trust_folder"
        path = "{rig.project}*"
        action = "answer"
        """
    )
    held = rig.events(EventType.PROMPT_HELD)
    async with rig.supervisor(policy=policy):
        pane = await rig.launch(TextReply("hello"), trusted=False, session="untrusted")
        await until(lambda: len(held), what="the hold")
        await asyncio.sleep(1.0)
        records = await rig.records()
    assert [(r.prompt_kind, r.action, r.keys) for r in records] == [("trust_folder", "hold", ())]
    assert "arrow" in records[0].reason
    assert "trust" in rig.screen(pane).lower(), "nothing pressed: the dialog still waits"
    assert rig.api.main_requests == []


async def test_api_key_dialog_is_held_and_its_default_never_pressed(rig: Rig) -> None:
    async with rig.supervisor():
        pane = await rig.launch(TextReply("hello"), approve_api_key=False, session="key")
        await until(lambda: "API key" in rig.screen(pane), what="the API key dialog")
        await asyncio.sleep(1.5)
        records = await rig.records()
    assert [(r.prompt_kind, r.action, r.keys) for r in records] == [("api_key", "hold", ())]
    assert "API key" in rig.screen(pane), "nothing pressed: the dialog still waits"


async def test_busy_and_idle_screens_are_never_answered(rig: Rig) -> None:
    decided = rig.events(EventType.PROMPT_DECIDED)
    states: list[str] = []
    rig.bus.subscribe(EventType.CLAUDE_STATUS_CHANGED, lambda e: states.append(e.data["new"]))
    async with rig.supervisor():
        await rig.launch(TextReply("1. First\n2. Second\nDo you want to proceed?", delay=3.0))
        await until(lambda: "idle" in states, timeout=60, what="idle after the reply")
        await asyncio.sleep(1.0)
    assert "busy" in states
    assert decided == []
    assert await rig.records() == []


async def test_claude_exit_and_pane_close_are_reported(rig: Rig) -> None:
    contexts = rig.events(EventType.AUTOMATION_CONTEXT)
    stopped = rig.events(EventType.SESSION_STOPPED)
    async with rig.supervisor() as supervisor:
        pane = await rig.launch(TextReply("hi"))
        await until(lambda: pane in supervisor.monitors, what="the pane being watched")
        await until(lambda: len(rig.api.main_requests) >= 1, what="the first reply")
        await asyncio.sleep(1.0)
        rig.tmux.run("send-keys", "-t", pane, "-l", "/exit")
        rig.tmux.run("send-keys", "-t", pane, "Enter")
        await until(
            lambda: any(e.data["context"] == "agent_exited" for e in contexts),
            what="agent_exited",
        )
        rig.tmux.run("kill-pane", "-t", pane)
        await until(lambda: len(stopped), what="SESSION_STOPPED")
        assert pane not in supervisor.monitors


async def test_tmux_server_killed_mid_watch(rig: Rig) -> None:
    errors = rig.events(EventType.SYSTEM_ERROR)
    async with rig.supervisor() as supervisor:
        pane = await rig.launch(TextReply("thinking...", delay=10.0))
        await until(lambda: pane in supervisor.monitors, what="the pane being watched")
        rig.tmux.kill()
        await until(lambda: not supervisor.monitors, what="the watch to end")
        await until(lambda: len(errors), what="the lost-server event")
    assert "tmux server lost" in errors[0].data["error"]


async def test_status_shows_the_claude_pane_and_its_dialog(rig: Rig) -> None:
    held = rig.events(EventType.PROMPT_HELD)
    async with rig.supervisor():
        pane = await rig.launch(ToolUse("Bash", {"command": "rm -rf /", "description": "x"}))
        await until(lambda: len(held), what="the dialog")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "yesman.cli", "status", "-L", rig.tmux.socket_name, "--json",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    rows = json.loads(out)
    assert [(r["pane_id"], r["state"]) for r in rows] == [(pane, "waiting")]
    assert (rows[0]["agent"], rows[0]["agent_version"]) == ("claude-code", claude_version())
    assert rows[0]["prompt"]["tool"] == "Bash"
    assert rows[0]["prompt"]["target"] == "rm -rf /"
