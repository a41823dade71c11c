"""`yesman hook` as an agent runs it: a real subprocess, a real socket, fail-open on anything."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hooks._rig import Handler, Place, run_hook
from yesman.hooks import HookAnswer, HookServer
from yesman.store import AuditStore

BASH = {
    "session_id": "s1",
    "cwd": "/work/app",
    "permission_mode": "default",
    "hook_event_name": "PermissionRequest",
    "tool_name": "Bash",
    "tool_input": {"command": "npm test", "description": "Run the tests"},
}
DANGEROUS = BASH | {"tool_input": {"command": "rm -rf ~/", "description": "Clean up"}}
ALLOW = {
    "hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": {"behavior": "allow"}}
}


def _input(data: object) -> bytes:
    return json.dumps(data).encode()


async def test_the_watchers_answer_is_printed_exactly(
    place: Place, watcher: tuple[HookServer, Handler]
) -> None:
    _, handler = watcher
    handler.answer = HookAnswer("decided", '{"exact": "bytes ✓"}\n', "allowed")
    ran = await run_hook(_input(BASH), place.env(CLAUDE_PROJECT_DIR="/work/app"))
    assert (ran.code, ran.stdout, ran.stderr) == (0, '{"exact": "bytes ✓"}\n', "")
    call = handler.calls[0]
    assert call.payload == _input(BASH), "the agent's input is passed on unchanged"
    assert call.agent == "claude-code"
    assert call.env == {
        "TMUX": f"{place.tmux_socket},4242,0",
        "TMUX_PANE": "%7",
        "AI_AGENT": "claude-code_2-1-332_harness",
        "CLAUDE_PROJECT_DIR": "/work/app",
    }, "only the agent-neutral variables travel; no secrets"
    assert handler.deliveries == [True]


async def test_a_watcher_that_holds_prints_nothing(
    place: Place, watcher: tuple[HookServer, Handler]
) -> None:
    _, handler = watcher
    handler.answer = HookAnswer("decided", "", "hold: dangerous")
    ran = await run_hook(_input(DANGEROUS), place.env())
    assert (ran.code, ran.stdout, ran.stderr) == (0, "", "")


@pytest.mark.parametrize("how", ["no-socket", "stale-socket", "unwatched", "outside-tmux"])
async def test_without_a_watcher_it_decides_itself_and_records_it(
    place: Place, tmp_path: Path, how: str
) -> None:
    env = place.env()
    server = None
    if how == "stale-socket":
        place.socket.parent.mkdir(mode=0o700)
        left = socket.socket(socket.AF_UNIX)
        left.bind(str(place.socket))
        left.close()
    elif how == "unwatched":
        server = HookServer(place.socket, Handler(answer=HookAnswer("unwatched", detail="no")))
        await server.start()
    elif how == "outside-tmux":
        del env["TMUX"]
    db = tmp_path / "audit.db"
    try:
        allowed = await run_hook(_input(BASH), env, "--db", str(db))
        held = await run_hook(_input(DANGEROUS), env, "--db", str(db))
    finally:
        if server is not None:
            await server.stop()
    assert allowed.code == 0
    assert json.loads(allowed.stdout) == ALLOW
    assert held.stdout == "", "a dangerous command is left to the human"
    async with AuditStore.open(db, read_only=True) as store:
        rows = await store.list_decisions()
    assert sorted((r.target, r.action, r.channel) for r in rows) == [
        ("npm test", "answer", "hook"),
        ("rm -rf ~/", "hold", "hook"),
    ]
    answered = next(r for r in rows if r.action == "answer")
    assert answered.answered_at is not None
    assert answered.latency_ms is not None
    assert "decided in the hook" in answered.reason
    assert (answered.agent, answered.agent_version) == ("claude-code", "2.1.332")


@pytest.mark.parametrize("how", ["no-socket", "unwatched", "outside-tmux"])
async def test_without_a_watcher_it_can_leave_every_dialog_to_the_human(
    place: Place, how: str
) -> None:
    env = place.env()
    server = None
    if how == "unwatched":
        server = HookServer(place.socket, Handler(answer=HookAnswer("unwatched", detail="no")))
        await server.start()
    elif how == "outside-tmux":
        del env["TMUX"]
    try:
        ran = await run_hook(_input(BASH), env, "--no-watcher", "human")
    finally:
        if server is not None:
            await server.stop()
    assert (ran.code, ran.stdout) == (0, "")
    assert "leaving the dialog to you" in ran.stderr


@contextlib.asynccontextmanager
async def _broken_watcher(path: Path, reply: bytes | None) -> AsyncIterator[None]:
    """A listener that reads the request, then answers ``reply`` (None: hangs up at once)."""
    path.parent.mkdir(mode=0o700, exist_ok=True)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if reply is not None:
            await reader.read(65536)
            writer.write(reply)
        writer.close()

    server = await asyncio.start_unix_server(serve, path=str(path))
    try:
        yield
    finally:
        server.close()


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(None, id="hangs-up"),
        pytest.param(b"HTTP/1.1 500 Oops\r\n\r\n", id="not-the-protocol"),
        pytest.param(b"yesman-hook 1 refused\nbad request\n", id="refused"),
    ],
)
async def test_a_broken_watcher_leaves_the_dialog_to_the_human(
    place: Place, tmp_path: Path, reply: bytes | None
) -> None:
    db = tmp_path / "audit.db"
    async with _broken_watcher(place.socket, reply):
        ran = await run_hook(_input(BASH), place.env(), "--db", str(db))
    assert (ran.code, ran.stdout) == (0, "")
    assert "leaving the dialog to you" in ran.stderr
    assert not db.exists(), "a request a watcher saw is never decided a second time"


async def test_a_watcher_too_slow_to_answer_leaves_the_dialog_to_the_human(place: Place) -> None:
    handler = Handler(delay=3.0)
    async with HookServer(place.socket, handler):
        ran = await run_hook(_input(BASH), place.env(), "--timeout", "0.5")
    assert (ran.code, ran.stdout) == (0, "")
    assert "did not answer within 0.5 s" in ran.stderr
    assert ran.seconds < 2.5


async def test_it_will_not_talk_through_a_folder_others_can_write(place: Place) -> None:
    place.socket.parent.mkdir()
    place.socket.parent.chmod(0o777)
    ran = await run_hook(_input(BASH), place.env())
    assert (ran.code, ran.stdout) == (0, "")
    assert "writable by other users" in ran.stderr


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        pytest.param(("--no-watcher", "maybe"), _input(BASH), id="bad-option"),
        pytest.param(("--bogus",), _input(BASH), id="unknown-option"),
        pytest.param((), b"not json", id="not-json"),
        pytest.param((), _input({"hook_event_name": "PreToolUse"}), id="other-event"),
        pytest.param(("--policy", "/nonexistent.toml"), _input(BASH), id="missing-policy"),
    ],
)
async def test_anything_unexpected_means_no_decision(
    place: Place, args: tuple[str, ...], stdin: bytes
) -> None:
    ran = await run_hook(stdin, place.env(), *args)
    assert (ran.code, ran.stdout) == (0, "")


async def test_help_is_for_humans() -> None:
    ran = await run_hook(b"", {}, "--help")
    assert ran.code == 0
    assert ran.stdout.startswith("usage: yesman hook")


def test_the_path_to_a_watcher_loads_nothing_heavy(place: Place) -> None:
    """What `yesman hook` imports before it has its answer (the agent waits for all of it)."""
    probe = (
        "import io, sys\n"
        "sys.argv = ['yesman', 'hook', '--no-watcher', 'human']\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(b'{}'))\n"
        "import yesman.cli\n"
        "try:\n"
        "    yesman.cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=place.env(), check=True
    )
    loaded = set(done.stderr.rpartition("MODULES ")[2].split())
    assert "yesman.hooks._client" in loaded
    heavy = {"json", "typing", "pathlib", "re", "asyncio", "yesman.policy", "yesman.agents"}
    heavy |= {"typer", "rich", "sqlite3", "socket", "hashlib", "yesman.hooks._server"}
    assert loaded & heavy == set()
