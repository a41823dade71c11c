"""yesman watching the real Claude Code CLI, pointed at the local API stand-in, in private tmux.

Each test scripts what "Claude" asks for, starts the real CLI in a pane, runs the watcher and
checks what happened: files Claude created after a "Yes", follow-up API requests carrying the
tool result, the audit trail, and the events on the bus.

Every test runs against each pinned Claude Code (``tools/claude-code*``, ids like
``claude-2.1.332``), because releases differ in what yesman must cope with: how long a
permission dialog ignores keys (the input guard) and how some dialogs are drawn. A pinned
version that is not installed is skipped locally and fails in CI. ``$YESMAN_CLAUDE_BIN`` runs
the suite against that one binary instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest

from support.claude_api import ClaudeApiStandIn, TextReply, ToolUse, Turn
from support.claude_code import (
    ClaudeCodeNotFoundError,
    ClaudeLaunch,
    PinnedClaude,
    claude_version,
    find_claude_binary,
    pinned_claude_installs,
    prepare_home,
    start_claude,
)
from yesman.agents import ScreenState
from yesman.agents.claude import clean_lines, parse_screen
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.policy import Policy
from yesman.store import AuditStore, DecisionRecord
from yesman.testing import PrivateTmuxServer

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]


@dataclass(frozen=True, slots=True)
class Claude:
    """The Claude Code under test."""

    binary: Path
    version: str  # as it reports itself, e.g. 2.1.332


def _claude_params() -> list[Any]:
    pinned = pinned_claude_installs()
    if os.environ.get("YESMAN_CLAUDE_BIN") or not pinned:
        # None: whatever find_claude_binary() finds (that variable, else PATH).
        return [pytest.param(None, id="claude-found")]
    return [pytest.param(p, id=p.id) for p in pinned]


# Module scope: pytest runs all of one version's tests, then the next version's.
@pytest.fixture(scope="module", params=_claude_params())
def claude(request: pytest.FixtureRequest) -> Claude:
    pinned: PinnedClaude | None = request.param
    try:
        binary = find_claude_binary() if pinned is None else pinned.binary()
    except ClaudeCodeNotFoundError as exc:
        if os.environ.get("CI"):
            raise  # CI installs every pinned copy (.ci/run): missing there is a failure
        pytest.skip(f"Claude Code is not installed ({exc})")
    version = claude_version(binary)
    if pinned is not None and version != pinned.version:
        raise ClaudeCodeNotFoundError(
            f"{pinned.folder} pins {pinned.version} but its binary is {version}: "
            f"run `npm ci --prefix {pinned.folder}`"
        )
    return Claude(binary, version)


@dataclass
class Rig:
    tmux: PrivateTmuxServer
    api: ClaudeApiStandIn
    bus: AsyncEventBus
    audit: AuditStore
    root: Path
    project: Path
    claude: Claude

    async def launch(
        self,
        *turns: Turn,
        prompt: str = "do the task",
        trusted: bool = True,
        approve_api_key: bool = True,
        session: str = "claude",
        settings: Mapping[str, Any] | None = None,
    ) -> str:
        self.api.push(*turns)
        home = prepare_home(
            self.root / f"home-{session}",
            approve_api_key=approve_api_key,
            trusted=[self.project] if trusted else [],
            settings=settings,
        )
        return await start_claude(
            ClaudeLaunch(
                socket=self.tmux.socket_name,
                home=home,
                cwd=self.project,
                base_url=self.api.base_url,
                args=[prompt],
                session=session,
                binary=self.claude.binary,
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
async def rig(tmux: PrivateTmuxServer, tmp_path: Path, claude: Claude) -> AsyncIterator[Rig]:
    project = tmp_path / "project"
    project.mkdir()
    async with (
        ClaudeApiStandIn([]) as api,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        yield Rig(tmux, api, bus, audit, tmp_path, project, claude)


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


# Whether a release numbers its workspace-trust dialog's options. 2.1.197 draws
# "❯ 1. Yes, I trust this folder / 2. No, exit": a digit answers it, so a rule that answers trust
# dialogs is followed. 2.1.332 draws it without digits ("❯ No, exit" highlighted): only arrows
# and Enter work there, so yesman holds it rather than press Enter on a guess. A newly pinned
# release needs a row (look at its trust dialog).
TRUST_DIALOG_NUMBERED: Final = {"2.1.197": True, "2.1.332": False}


async def test_trust_dialog_is_answered_only_when_its_options_are_numbered(rig: Rig) -> None:
    numbered = TRUST_DIALOG_NUMBERED.get(rig.claude.version)
    if numbered is None:
        pytest.fail(f"add Claude Code {rig.claude.version} to TRUST_DIALOG_NUMBERED")
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
    decided = rig.events(EventType.PROMPT_DECIDED)
    async with rig.supervisor(policy=policy):
        pane = await rig.launch(TextReply("hello"), trusted=False, session="untrusted")
        await until(lambda: len(decided), what="the decision")
        if numbered:
            await until(lambda: len(rig.api.main_requests) >= 1, what="the prompt after trust")
        await asyncio.sleep(1.0)
        records = await rig.records()
    if numbered:
        assert [(r.prompt_kind, r.action, r.keys) for r in records] == [
            ("trust_folder", "answer", ("1",))
        ]
        assert records[0].verified is True
        assert len(rig.api.main_requests) == 1, "trusted once, then the prompt went out"
    else:
        assert [(r.prompt_kind, r.action, r.keys) for r in records] == [
            ("trust_folder", "hold", ())
        ]
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
    code, out, err = await _status_json(rig)
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["pane_id"], r["state"]) for r in rows] == [(pane, "waiting")]
    assert (rows[0]["agent"], rows[0]["agent_version"]) == ("claude-code", rig.claude.version)
    assert rows[0]["prompt"]["tool"] == "Bash"
    assert rows[0]["prompt"]["target"] == "rm -rf /"


async def _status_json(rig: Rig) -> tuple[int | None, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "yesman.cli", "status", "-L", rig.tmux.socket_name, "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    return proc.returncode, out.decode(), err.decode(errors="replace")


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


def typed_in_input_box(screen: str) -> str | None:
    """What sits in Claude Code's input box (None when no input box is on screen)."""
    lines = clean_lines(screen)
    for above, line in zip(reversed(lines[:-1]), reversed(lines[1:]), strict=True):
        if line.lstrip().startswith("\u276f") and above.strip().startswith("\u2500"):
            return line.lstrip()[1:].strip()
    return None


def tool_exchanges(body: Any) -> tuple[list[str], list[tuple[str, bool, str]]]:
    """From one request's history: the tool_use ids Claude asked for, and every tool_result as
    (tool_use_id, is_error, text)."""
    uses: list[str] = []
    results: list[tuple[str, bool, str]] = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if block.get("type") == "tool_use":
                uses.append(block["id"])
            elif block.get("type") == "tool_result":
                inner = block.get("content")
                text = inner if isinstance(inner, str) else json.dumps(inner)
                results.append((block["tool_use_id"], bool(block.get("is_error")), text))
    return uses, results


async def test_back_to_back_dialogs_are_each_answered_exactly_once(rig: Rig) -> None:
    # Each tool result brings the next dialog at once: the riskiest moment for a second key (a
    # retry, a late duplicate) to land in the next dialog or in the input box. Whatever the
    # version's input guard, every dialog must take exactly one key and leave nothing behind.
    fetch_target = await asyncio.start_server(_hang_up, "127.0.0.1", 0)
    port = fetch_target.sockets[0].getsockname()[1]
    tools = [
        ToolUse("Bash", {"command": "touch one.flag", "description": "Mark one"}),
        ToolUse("Write", {"file_path": str(rig.project / "two.txt"), "content": "two\n"}),
        # The fetch target hangs up at once: the tool runs and fails fast, the same every time.
        ToolUse("WebFetch", {"url": f"http://127.0.0.1:{port}/three", "prompt": "Summarise"}),
        ToolUse("Bash", {"command": "touch four.flag", "description": "Mark four"}),
        ToolUse("Write", {"file_path": str(rig.project / "five.txt"), "content": "five\n"}),
    ]
    sent = rig.events(EventType.RESPONSE_SENT)
    try:
        async with rig.supervisor() as supervisor:
            pane = await rig.launch(
                *tools,
                TextReply("All five done."),
                # Otherwise WebFetch first asks claude.ai about the domain, which fails offline.
                settings={"skipWebFetchPreflight": True},
            )

            def finished() -> bool:
                screen = rig.screen(pane)
                return "All five done." in screen and parse_screen(screen).state is ScreenState.IDLE

            await until(finished, timeout=90, what="the closing answer")
            await asyncio.sleep(1.5)  # time for a late or repeated key to show up
            # Every key sequence typed, retries included (RESPONSE_SENT counts first sends).
            typed = supervisor.get_component_metrics()["response_sending"].total_count
            records = await rig.records()
            screen = rig.screen(pane)
    finally:
        fetch_target.close()
        await fetch_target.wait_closed()
    assert [tuple(e.data["keys"]) for e in sent] == [("1",)] * len(tools)
    assert typed == len(tools), "a dialog was typed into more than once"
    assert [(r.tool, r.action, r.keys, r.verified) for r in records] == [
        ("Bash", "answer", ("1",), True),
        ("Write", "answer", ("1",), True),
        ("Fetch", "answer", ("1",), True),
        ("Bash", "answer", ("1",), True),
        ("Write", "answer", ("1",), True),
    ]
    # What Claude Code sent back: one result per tool use, none of them a refusal.
    assert len(rig.api.main_requests) == len(tools) + 1
    uses, results = tool_exchanges(rig.api.main_requests[-1].json)
    assert len(uses) == len(tools)
    assert sorted(tool_id for tool_id, _, _ in results) == sorted(uses)
    refused = [text for _, error, text in results if error and "doesn't want" in text]
    assert refused == []
    assert sorted(f.name for f in rig.project.glob("*.flag")) == ["four.flag", "one.flag"]
    assert (rig.project / "five.txt").read_text() == "five\n"
    assert typed_in_input_box(screen) == "", f"a stray key in the input box:\n{screen}"
