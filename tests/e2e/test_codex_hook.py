"""The hook channel with the real Codex CLI (tools/codex), the API stand-in, a private tmux server.

yesman's hook is installed the way `yesman hooks install --agent codex` does it, in the test's
private CODEX_HOME (beside hooks of the user's own) or in the project. Codex then asks at start
whether to trust the new hook: the watcher holds that dialog (trusting hooks is the human's), and
the test answers it as the human would. Then: with a watcher, an ordinary command runs with no
dialog, a dangerous one is denied and a patch outside the project is held; with no watcher the
hook decides by itself; and uninstalling gives the user's hooks.json back byte for byte.

Codex asks its hook only about calls that need approval: here, commands the model asks to run
outside the sandbox and patches outside the writable roots (as in ``test_codex_and_gemini``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from support.agent_cli import CliNotInstalledError
from support.claude_api import TextReply, Turn
from support.codex_cli import (
    codex_binary,
    codex_version,
    pinned_codex_version,
    prepare_codex_home,
    start_codex,
)
from support.openai_api import OpenAiApiStandIn, apply_patch_command, exec_command
from yesman.agents import Agent, HookScope
from yesman.agents.codex import CODEX
from yesman.agents.codex._hook import CodexHook
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.hooks import InstallOutcome, hook_command, install_hook, uninstall_hook
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.policy import Policy
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]

YESMAN = Path(sys.executable).with_name("yesman")
DEFAULT_POLICY = (resources.files("yesman.policy") / "default.toml").read_text("utf-8")
REVIEW = "Hooks need review"
TRUST_ALL = "› 2. Trust all and continue"
RUN = "Would you like to run the following command?"
EDIT = "Would you like to make the following edits?"
# The user's own hooks.json: a PermissionRequest hook of theirs (it only leaves a mark) and a
# Stop hook, in their own formatting.
USERS_HOOKS = (
    '{\n  "description": "mine",\n  "hooks": {\n    "PermissionRequest": [\n'
    '      {"matcher": "^Bash$", "hooks": [{"type": "command", "command": "touch {root}/mine"}]}\n'
    '    ],\n    "Stop": [{"hooks": [{"type": "command", "command": "true"}]}]\n  }\n}\n'
)


async def until(check: Callable[[], object], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
def binary() -> Path:
    try:
        found = codex_binary()
    except CliNotInstalledError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    assert codex_version(found) == pinned_codex_version(), "run `npm ci --prefix tools/codex`"
    return found


@dataclass
class Rig:
    tmux: PrivateTmuxServer
    api: OpenAiApiStandIn
    bus: AsyncEventBus
    audit: AuditStore
    root: Path
    project: Path
    outside: Path
    binary: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def agent(self) -> Agent:
        """Codex, its user files under this test's CODEX_HOME whatever the caller's is."""
        return dataclasses.replace(CODEX, hook=CodexHook({"CODEX_HOME": str(self.home / ".codex")}))

    def install(self, scope: HookScope, **options: Path | str) -> Path:
        command = hook_command(YESMAN, CODEX, **options)  # type: ignore[arg-type]
        outcome, path = install_hook(
            self.agent, scope, command=command, home=self.home, project=self.project
        )
        assert outcome is InstallOutcome.INSTALLED
        return path

    async def launch(self, *turns: Turn) -> str:
        self.api.push(*turns)
        return await start_codex(
            socket=self.tmux.socket_name, home=self.home, cwd=self.project, binary=self.binary
        )

    async def trust_hooks(self, pane: str) -> None:
        """What the human does at "Hooks need review": "Trust all and continue". Its digit only
        moves the highlight (and a key typed while Codex still starts is lost), so Enter once
        option 2 is highlighted."""
        for _ in range(20):
            await self.tmux.run_async("send-keys", "-t", pane, "-l", "2")
            with contextlib.suppress(AssertionError):
                await until(lambda: TRUST_ALL in self.screen(pane), timeout=0.5)
                await self.tmux.run_async("send-keys", "-t", pane, "Enter")
                return
        raise AssertionError("could not choose 'Trust all and continue'")

    def watcher(self, policy: Policy) -> MonitorSupervisor:
        return MonitorSupervisor(
            self.tmux.server,
            event_bus=self.bus,
            audit=self.audit,
            policy=policy,
            settings=MonitorSettings(performance_interval=0),
            require_server=False,
        )

    def events(self, *kinds: EventType) -> list[Event]:
        got: list[Event] = []
        for kind in kinds:
            self.bus.subscribe(kind, got.append)
        return got

    def screen(self, pane: str) -> str:
        return self.tmux.capture(pane)

    def results(self) -> list[str]:
        """The tool results Codex sent back to the model, in order (each request carries the
        whole conversation, so each result once, by its call id)."""
        found: dict[str, str] = {}
        for request in self.api.main_requests:
            for item in request.json.get("input", []):
                if isinstance(item, dict) and item.get("type") == "function_call_output":
                    found.setdefault(str(item.get("call_id")), str(item.get("output")))
        return list(found.values())


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(prefix="yesman-codex-hook", width=120, height=40) as server:
        yield server


@pytest.fixture
async def rig(tmux: PrivateTmuxServer, tmp_path: Path, binary: Path) -> AsyncIterator[Rig]:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    async with (
        OpenAiApiStandIn([]) as api,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        prepare_codex_home(tmp_path / "home", api.base_url, trusted=[project])
        yield Rig(tmux, api, bus, audit, tmp_path, project, outside, binary)


async def test_with_a_watcher_ordinary_commands_run_dangerous_ones_are_denied_patches_wait(
    rig: Rig,
) -> None:
    users = USERS_HOOKS.replace("{root}", str(rig.root)).encode()
    hooks_json = rig.home / ".codex" / "hooks.json"
    hooks_json.write_bytes(users)
    assert rig.install(HookScope.USER) == hooks_json
    events = rig.events(EventType.RESPONSE_SENT, EventType.PROMPT_HELD)
    deny = Policy.from_toml(
        DEFAULT_POLICY.replace('dangerous_commands = "hold"', 'dangerous_commands = "deny"')
    )
    async with rig.watcher(deny) as watcher:
        pane = await rig.launch(
            exec_command("mkdir -p build && touch build/out.txt"),
            exec_command("rm -rf ~/", "Clean up"),
            apply_patch_command(str(rig.outside / "x.txt"), "x"),
        )
        # Trusting the new hook is the human's: the watcher holds that dialog, types nothing.
        await until(lambda: any(e.type is EventType.PROMPT_HELD for e in events), what="a hold")
        assert REVIEW in rig.screen(pane)
        await rig.trust_hooks(pane)
        await until(lambda: len(rig.results()) >= 2, timeout=90, what="two tool results")
        await until(lambda: EDIT in rig.screen(pane), what="the patch dialog")
        await asyncio.sleep(1.5)
        typed = watcher.get_component_metrics()["response_sending"].total_count
        await rig.bus.join()
        records = list(reversed(await rig.audit.list_decisions(limit=100)))
    assert (rig.project / "build" / "out.txt").exists()
    assert not (rig.outside / "x.txt").exists()
    assert typed == 0, "no key was typed: the hook answered what was answered"
    assert [(r.prompt_kind, r.tool, r.action, r.channel) for r in records] == [
        ("other", "", "hold", "screen"),
        ("tool_permission", "exec", "answer", "hook"),
        ("tool_permission", "exec", "deny", "hook"),
        ("tool_permission", "apply_patch", "hold", "hook"),
    ]
    assert records[1].target == "mkdir -p build && touch build/out.txt"
    assert all(r.latency_ms is not None for r in records[1:3])
    denied = rig.results()[1]
    assert "yesman's policy denied this" in denied, denied
    assert [(e.type, e.data["channel"]) for e in events] == [
        (EventType.PROMPT_HELD, "screen"),
        (EventType.RESPONSE_SENT, "hook"),
        (EventType.RESPONSE_SENT, "hook"),
        (EventType.PROMPT_HELD, "hook"),
    ], "one outcome per request, each from its channel"
    assert (rig.root / "mine").exists(), "the user's own hook still runs beside yesman's"
    # Codex wrote its trust to config.toml, never to hooks.json: the file comes back exactly.
    assert "trusted_hash" in (rig.home / ".codex" / "config.toml").read_text()
    assert uninstall_hook(rig.agent, HookScope.USER, home=rig.home, project=rig.project) == (
        InstallOutcome.RESTORED,
        hooks_json,
    )
    assert hooks_json.read_bytes() == users


async def test_with_no_watcher_the_hook_decides_by_itself(rig: Rig) -> None:
    """Installed in the project (``--scope project``), deciding with the shipped policy."""
    db = rig.root / "hook-decisions.db"
    assert rig.install(HookScope.PROJECT, db=db) == rig.project / ".codex" / "hooks.json"
    pane = await rig.launch(
        exec_command("touch made.flag"), exec_command("rm -rf ~/", "Clean up"), TextReply("Ok.")
    )
    await until(lambda: REVIEW in rig.screen(pane), what="the hooks review")
    await rig.trust_hooks(pane)
    await until(lambda: len(rig.results()) >= 1, timeout=90, what="the first tool result")
    assert (rig.project / "made.flag").exists()
    await until(lambda: RUN in rig.screen(pane), what="the rm dialog")
    await asyncio.sleep(1.0)
    assert len(rig.results()) == 1, "the dangerous command waits for the human"
    assert "rm -rf ~/" in rig.screen(pane)
    async with AuditStore.open(db, read_only=True) as audit:
        rows = list(reversed(await audit.list_decisions()))
    assert [(r.tool, r.action, r.rule, r.channel) for r in rows] == [
        ("exec", "answer", "answer-tool-permission", "hook"),
        ("exec", "hold", "guard:dangerous-command", "hook"),
    ]
    assert all("decided in the hook" in r.reason for r in rows)
