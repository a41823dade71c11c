"""The hook channel with the real Claude Code (each pinned version), the API stand-in, private tmux.

yesman's hook is installed the way `yesman hooks install` does it, in the test's private HOME,
beside a hook of the user's own. Then: with a watcher, ordinary calls run with no dialog and
dangerous ones and questions are held; with no watcher the hook decides by itself or leaves the
dialog to the human, as configured; a broken watcher socket leaves the dialog to the human; and
uninstalling gives the user's settings back byte for byte.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from e2e.test_claude_code import Claude, claude  # noqa: F401 (the fixture, per pinned version)
from support.claude_api import ClaudeApiStandIn, ToolUse, Turn
from support.claude_code import ClaudeLaunch, prepare_home, start_claude
from yesman.agents import HookScope
from yesman.agents.claude import CLAUDE_CODE
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.hooks import (
    InstallOutcome,
    hook_command,
    install_hook,
    socket_for_server,
    uninstall_hook,
)
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.policy import Policy
from yesman.store import AuditStore, DecisionRecord
from yesman.testing import PrivateTmuxServer

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]

YESMAN = Path(sys.executable).with_name("yesman")
PROCEED = "Do you want to proceed?"
DEFAULT_POLICY = (resources.files("yesman.policy") / "default.toml").read_text("utf-8")
QUESTION = {
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


async def until(check: Callable[[], object], timeout: float = 40.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


@dataclass
class Rig:
    tmux: PrivateTmuxServer
    api: ClaudeApiStandIn
    bus: AsyncEventBus
    audit: AuditStore
    root: Path
    project: Path
    claude: Claude
    users_settings: bytes = b""

    def home(
        self,
        *,
        no_watcher: str = "evaluate",
        db: Path | None = None,
        policy: Path | None = None,
        reuse: bool = False,
    ) -> Path:
        """A private HOME with the user's own settings and hook, then yesman's installed
        (``reuse``: install again in the HOME made before)."""
        if reuse:
            return self._install(self.root / "home", no_watcher, db, policy)
        home = prepare_home(
            self.root / "home",
            trusted=[self.project],
            settings={
                "skipWebFetchPreflight": True,  # else WebFetch asks claude.ai first (offline)
                "hooks": {
                    "PermissionRequest": [
                        {
                            "matcher": "*",
                            "hooks": [
                                {"type": "command", "command": f"touch {self.root}/user-hook-ran"}
                            ],
                        }
                    ]
                },
            },
        )
        self.users_settings = (home / ".claude" / "settings.json").read_bytes()
        return self._install(home, no_watcher, db, policy)

    def _install(self, home: Path, no_watcher: str, db: Path | None, policy: Path | None) -> Path:
        command = hook_command(YESMAN, CLAUDE_CODE, no_watcher=no_watcher, db=db, policy=policy)
        outcome, _ = install_hook(
            CLAUDE_CODE, HookScope.USER, command=command, home=home, project=self.project
        )
        assert outcome is InstallOutcome.INSTALLED
        return home

    async def launch(self, home: Path, *turns: Turn) -> str:
        self.api.push(*turns)
        return await start_claude(
            ClaudeLaunch(
                socket=self.tmux.socket_name,
                home=home,
                cwd=self.project,
                base_url=self.api.base_url,
                args=["do the task"],
                binary=self.claude.binary,
            )
        )

    def watcher(self, policy: Policy | None = None) -> MonitorSupervisor:
        return MonitorSupervisor(
            self.tmux.server,
            event_bus=self.bus,
            audit=self.audit,
            policy=policy,
            settings=MonitorSettings(performance_interval=0),
            require_server=False,  # Claude Code starts the server after the watcher
        )

    def events(self, *kinds: EventType) -> list[Event]:
        got: list[Event] = []
        for kind in kinds:
            self.bus.subscribe(kind, got.append)
        return got

    async def records(self) -> list[DecisionRecord]:
        return list(reversed(await self.audit.list_decisions(limit=100)))

    def screen(self, pane: str) -> str:
        return self.tmux.capture(pane)

    def results(self) -> int:
        """Requests that came back with a tool's result (one per tool call that ran or failed)."""
        return len(self.api.main_requests) - 1


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(prefix="yesman-hook-e2e", width=120, height=40) as server:
        yield server


@pytest.fixture
async def rig(
    tmux: PrivateTmuxServer,
    tmp_path: Path,
    claude: Claude,  # noqa: F811 (the imported fixture)
) -> AsyncIterator[Rig]:
    project = tmp_path / "project"
    project.mkdir()
    async with (
        ClaudeApiStandIn([]) as api,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        yield Rig(tmux, api, bus, audit, tmp_path, project, claude)


async def test_with_a_watcher_ordinary_calls_run_dangerous_ones_are_denied_questions_wait(
    rig: Rig,
) -> None:
    events = rig.events(EventType.RESPONSE_SENT, EventType.PROMPT_HELD)
    home = rig.home()
    settings = home / ".claude" / "settings.json"
    # Untouched by anyone else, the file comes back byte for byte; then installed again.
    assert uninstall_hook(CLAUDE_CODE, HookScope.USER, home=home, project=rig.project) == (
        InstallOutcome.RESTORED,
        settings,
    )
    assert settings.read_bytes() == rig.users_settings
    rig.home(reuse=True)
    deny = Policy.from_toml(
        DEFAULT_POLICY.replace('dangerous_commands = "hold"', 'dangerous_commands = "deny"')
    )
    async with rig.watcher(deny) as watcher:
        pane = await rig.launch(
            home,
            ToolUse("Bash", {"command": "mkdir -p build && touch build/out.txt"}),
            ToolUse("Write", {"file_path": str(rig.project / "hello.txt"), "content": "hello\n"}),
            ToolUse("WebFetch", {"url": f"{rig.api.base_url}/docs", "prompt": "Summarise it"}),
            ToolUse("Bash", {"command": "rm -rf ~/", "description": "Clean up"}),
            ToolUse("AskUserQuestion", QUESTION),
        )
        await until(lambda: rig.results() >= 4, timeout=90, what="four tool results")
        assert (rig.project / "build" / "out.txt").exists()
        assert (rig.project / "hello.txt").read_text() == "hello\n"
        # The question is the human's: it stays on screen with nothing chosen.
        await until(lambda: "Which database" in rig.screen(pane), what="the question")
        await asyncio.sleep(1.5)
        typed = watcher.get_component_metrics()["response_sending"].total_count
        await rig.bus.join()
        records = await rig.records()
    assert rig.results() == 4, "the question was not answered"
    assert typed == 0, "no key was typed: the hook answered everything that was answered"
    assert [(r.tool, r.action, r.channel) for r in records] == [
        ("Bash", "answer", "hook"),
        ("Write", "answer", "hook"),
        ("Fetch", "answer", "hook"),
        ("Bash", "deny", "hook"),
        ("AskUserQuestion", "hold", "hook"),
    ]
    assert all(r.latency_ms is not None for r in records[:4])
    denied = rig.api.main_requests[4].last_user_text()
    assert "yesman's policy denied this" in denied, denied
    assert [(e.type, e.data["channel"]) for e in events] == [
        *[(EventType.RESPONSE_SENT, "hook")] * 4,
        (EventType.PROMPT_HELD, "hook"),
    ], "one outcome per request, from the hook channel"
    assert (rig.root / "user-hook-ran").exists(), "the user's own hook still runs"
    # Claude Code saved settings of its own meanwhile (an "env" table), so uninstalling takes
    # out yesman's entry alone: the user's hooks and settings are as they were, its own stay.
    outcome = uninstall_hook(CLAUDE_CODE, HookScope.USER, home=home, project=rig.project)
    users, after = json.loads(rig.users_settings), json.loads(settings.read_text())
    assert outcome == (InstallOutcome.REMOVED, settings), after
    assert after["hooks"] == users["hooks"]
    assert {k: v for k, v in after.items() if k in users} == users


async def test_with_no_watcher_the_hook_decides_by_itself(rig: Rig) -> None:
    """With the policy given at install, including pre-set answers to a question."""
    db = rig.root / "hook-decisions.db"
    policy = rig.root / "policy.toml"
    policy.write_text(
        DEFAULT_POLICY.replace(
            '[[rules]]\nname = "hold-question"',
            '[[rules]]\nname = "our-database"\nkind = "question"\naction = "answer"\n'
            'answers = { "Which database*" = "SQLite" }\n\n[[rules]]\nname = "hold-question"',
        )
    )
    home = rig.home(db=db, policy=policy)
    pane = await rig.launch(
        home,
        ToolUse("Bash", {"command": "touch made.flag", "description": "x"}),
        ToolUse("AskUserQuestion", QUESTION),
        ToolUse("Bash", {"command": "rm -rf ~/", "description": "Clean up"}),
    )
    await until(lambda: rig.results() >= 2, timeout=90, what="two tool results")
    assert (rig.project / "made.flag").exists()
    answered = rig.api.main_requests[2].last_user_text()
    assert '"Which database should the service use?"="SQLite"' in answered, answered
    await until(lambda: PROCEED in rig.screen(pane), timeout=60, what="the rm dialog")
    await asyncio.sleep(1.0)
    assert rig.results() == 2, "the dangerous command waits for the human"
    async with AuditStore.open(db, read_only=True) as audit:
        rows = list(reversed(await audit.list_decisions()))
    assert [(r.tool, r.action, r.channel) for r in rows] == [
        ("Bash", "answer", "hook"),
        ("AskUserQuestion", "answer", "hook"),
        ("Bash", "hold", "hook"),
    ]


def _empty_socket_place(tmux: PrivateTmuxServer) -> Path:
    """Where a watcher of this tmux server would listen, made ready for a fake one."""
    path = Path(socket_for_server(tmux.server.resolved_socket_path()))
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.unlink(missing_ok=True)
    return path


@pytest.mark.parametrize("broken", [False, True], ids=["no-watcher-human", "broken-socket"])
async def test_the_dialog_stays_for_the_human(rig: Rig, broken: bool) -> None:
    """``--no-watcher human`` with no watcher; or a watcher socket that takes the request and
    hangs up (the hook is then configured to decide by itself, and still must not)."""
    home = rig.home(no_watcher="evaluate" if broken else "human")
    server = None
    if broken:
        path = _empty_socket_place(rig.tmux)

        async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(65536)
            writer.close()

        server = await asyncio.start_unix_server(hang_up, path=str(path))
    try:
        pane = await rig.launch(
            home, ToolUse("Bash", {"command": "touch x.flag", "description": "x"})
        )
        await until(lambda: PROCEED in rig.screen(pane), timeout=60, what="the dialog")
        await asyncio.sleep(1.5)
        assert rig.results() == 0, "nobody answered"
        assert PROCEED in rig.screen(pane)
        assert not (rig.project / "x.flag").exists()
    finally:
        if server is not None:
            server.close()
