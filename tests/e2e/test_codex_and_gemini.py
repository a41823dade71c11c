"""yesman watching the real Codex CLI and Gemini CLI, each pointed at its API stand-in, in tmux.

Each test scripts what the model asks for, starts the pinned CLI (tools/codex, tools/gemini-cli)
in a pane of a private tmux server, runs the watcher with the default policy and checks what
happened: the command ran after the answer, the follow-up request carried its result, the audit
trail, dialogs held with nothing typed, the agent's exit noticed. A CLI that is not installed is
skipped locally and fails in CI.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support._scripted import ScriptedApi
from support.agent_cli import CliNotInstalledError
from support.claude_api import TextReply, ToolUse, Turn
from support.codex_cli import (
    codex_binary,
    codex_version,
    pinned_codex_version,
    prepare_codex_home,
    start_codex,
)
from support.gemini_api import GeminiApiStandIn
from support.gemini_cli import (
    gemini_binary,
    gemini_version,
    pinned_gemini_version,
    prepare_gemini_home,
    start_gemini,
)
from support.openai_api import OpenAiApiStandIn, apply_patch_command, exec_command
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore, DecisionRecord
from yesman.testing import PrivateTmuxServer

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]


@dataclass(frozen=True, slots=True)
class Cli:
    """How to run one agent CLI against its stand-in, and the tool calls that provoke dialogs."""

    name: str
    binary: Callable[[], Path]
    version: Callable[[Path], str]
    pinned: Callable[[], str]
    api: Callable[[], ScriptedApi]
    shell: Callable[[str], Turn]
    write_outside: Callable[[Path], Turn]
    exit_keys: tuple[str, ...]
    dialog_text: str  # on screen while a dialog waits


def _gemini_shell(command: str) -> Turn:
    return ToolUse("run_shell_command", {"command": command, "description": "Run it"})


def _gemini_write(path: Path) -> Turn:
    return ToolUse("write_file", {"file_path": str(path), "content": "x\n"})


CLIS = (
    Cli(
        "codex",
        codex_binary,
        codex_version,
        pinned_codex_version,
        OpenAiApiStandIn,
        lambda command: exec_command(command, f"Run {command}?"),
        lambda path: apply_patch_command(str(path), "x"),
        ("/quit",),
        "Press enter to confirm",
    ),
    Cli(
        "gemini",
        gemini_binary,
        gemini_version,
        pinned_gemini_version,
        GeminiApiStandIn,
        _gemini_shell,
        _gemini_write,
        ("/quit",),
        "suggest changes",
    ),
)


@pytest.fixture(scope="module", params=CLIS, ids=[c.name for c in CLIS])
def cli(request: pytest.FixtureRequest) -> tuple[Cli, Path]:
    chosen: Cli = request.param
    try:
        binary = chosen.binary()
    except CliNotInstalledError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    version = chosen.version(binary)
    assert version == chosen.pinned(), f"run `npm ci` in tools/ for {chosen.name}"
    return chosen, binary


@dataclass
class Rig:
    tmux: PrivateTmuxServer
    api: ScriptedApi
    bus: AsyncEventBus
    audit: AuditStore
    root: Path
    project: Path
    outside: Path
    cli: Cli
    binary: Path

    async def launch(self, *turns: Turn) -> str:
        self.api.push(*turns)
        home = self.root / "home"
        start: Callable[..., Awaitable[str]]
        if self.cli.name == "codex":
            prepare_codex_home(home, self.api.base_url, trusted=[self.project])
            return await start_codex(
                socket=self.tmux.socket_name, home=home, cwd=self.project, binary=self.binary
            )
        prepare_gemini_home(home, trusted=[self.project, self.outside])
        start = start_gemini
        return await start(
            socket=self.tmux.socket_name,
            home=home,
            cwd=self.project,
            base_url=self.api.base_url,
            binary=self.binary,
            args=["--include-directories", str(self.outside)],
        )

    def supervisor(self) -> MonitorSupervisor:
        return MonitorSupervisor(
            self.tmux.server,
            event_bus=self.bus,
            audit=self.audit,
            settings=MonitorSettings(performance_interval=0),
            require_server=False,
        )

    def events(self, kind: EventType) -> list[Event]:
        got: list[Event] = []
        self.bus.subscribe(kind, got.append)
        return got

    async def records(self) -> list[DecisionRecord]:
        return list(reversed(await self.audit.list_decisions(limit=100)))


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(prefix="yesman-e2e-agents", width=120, height=40) as server:
        yield server


@pytest.fixture
async def rig(tmux: PrivateTmuxServer, tmp_path: Path, cli: tuple[Cli, Path]) -> AsyncIterator[Rig]:
    chosen, binary = cli
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    async with (
        chosen.api() as api,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        yield Rig(tmux, api, bus, audit, tmp_path, project, outside, chosen, binary)


async def until(check: Callable[[], object], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


async def test_an_ordinary_command_is_answered_once_and_runs(rig: Rig) -> None:
    sent = rig.events(EventType.RESPONSE_SENT)
    async with rig.supervisor():
        await rig.launch(rig.cli.shell("mkdir -p build && touch build/out.txt"), TextReply("Ok."))
        await until((rig.project / "build" / "out.txt").exists, what="build/out.txt")
        await until(lambda: len(rig.api.main_requests) >= 2, what="the tool result request")
        await asyncio.sleep(1.0)  # time for a (wrong) second answer to show up
        records = await rig.records()
    assert [(r.action, r.keys) for r in records] == [("answer", ("1",))]
    assert "mkdir -p build" in records[0].target
    assert len(sent) == 1


async def test_a_dangerous_command_is_held_and_nothing_is_typed(rig: Rig) -> None:
    held = rig.events(EventType.PROMPT_HELD)
    async with rig.supervisor():
        pane = await rig.launch(rig.cli.shell("rm -rf ~/"))
        await until(lambda: len(held), what="the hold")
        await asyncio.sleep(2.0)
        records = await rig.records()
    assert [(r.action, r.rule, r.keys) for r in records] == [
        ("hold", "guard:dangerous-command", ())
    ]
    assert len(rig.api.main_requests) == 1, "no answer reached the agent"
    assert rig.cli.dialog_text in rig.tmux.capture(pane), "the dialog still waits for a human"


async def test_a_write_outside_the_project_is_held(rig: Rig) -> None:
    held = rig.events(EventType.PROMPT_HELD)
    target = rig.outside / "x.txt"
    async with rig.supervisor():
        await rig.launch(rig.cli.write_outside(target))
        await until(lambda: len(held), what="the hold")
        await asyncio.sleep(1.5)
        records = await rig.records()
    assert [(r.action, r.rule) for r in records] == [("hold", "guard:outside-project")]
    assert not target.exists()


async def test_the_agent_exiting_is_noticed(rig: Rig) -> None:
    contexts = rig.events(EventType.AUTOMATION_CONTEXT)
    async with rig.supervisor() as supervisor:
        pane = await rig.launch(TextReply("hi"))
        await until(lambda: pane in supervisor.monitors, what="the pane being watched")
        await until(lambda: len(rig.api.main_requests) >= 1, what="the first reply")
        await asyncio.sleep(2.0)
        for keys in rig.cli.exit_keys:
            rig.tmux.run("send-keys", "-t", pane, "-l", keys)
            await asyncio.sleep(0.5)
            rig.tmux.run("send-keys", "-t", pane, "Enter")
        await until(
            lambda: any(e.data["context"] == "agent_exited" for e in contexts),
            what="agent_exited",
        )
