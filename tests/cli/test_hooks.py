"""`yesman hooks install | status | uninstall` as real subprocesses, in a private HOME."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from hooks._rig import Handler
from yesman.hooks import HookServer, socket_for_server
from yesman.tmux import TmuxServer

YESMAN = Path(sys.executable).with_name("yesman")


async def yesman(home: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "CODEX_HOME")}
    env["HOME"] = str(home)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "yesman.cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_install_status_uninstall(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    settings = project / ".claude" / "settings.local.json"
    where = ("--scope", "local", "--project", str(project))

    code, out, err = await yesman(home, "hooks", "install", *where, "--executable", str(YESMAN))
    assert code == 0, err
    assert out.startswith(f"installed: {settings}")
    entry = json.loads(settings.read_text())["hooks"]["PermissionRequest"][0]["hooks"][0]
    assert entry == {"type": "command", "command": f"{YESMAN} hook", "timeout": 10}
    code, out, _ = await yesman(home, "hooks", "install", *where, "--executable", str(YESMAN))
    assert out.startswith("unchanged:")

    # A watcher of this tmux server answers: status says so (and where the hook is).
    server = TmuxServer(socket_name=f"yesman-test-hooks-{os.getpid()}")
    socket = Path(socket_for_server(server.resolved_socket_path()))
    async with HookServer(socket, Handler(), describe="the test's watcher"):
        code, out, err = await yesman(
            home, "hooks", "status", "--project", str(project), "-L", server.socket_name or "",
            "--json",
        )  # fmt: skip
    assert code == 0, err
    status = json.loads(out)
    installed = {(s["agent"], s["scope"]): s["installed"] for s in status["settings"]}
    assert installed == {
        ("claude-code", "user"): False,
        ("claude-code", "project"): False,
        ("claude-code", "local"): True,
        ("codex", "user"): False,
        ("codex", "project"): False,
    }, "every agent yesman installs hooks for, each with its own scopes"
    assert status["watcher"]["answers"] is True
    assert status["watcher"]["detail"] == "the test's watcher"
    code, out, _ = await yesman(home, "hooks", "status", "--project", str(project), "--json")
    assert json.loads(out)["watcher"]["answers"] is False

    code, out, err = await yesman(home, "hooks", "uninstall", *where)
    assert code == 0, err
    assert out.startswith(f"restored: {settings}")
    assert not settings.exists()
    assert not settings.parent.exists()


async def test_codex_install_says_the_trust_step_and_status_repeats_it(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    hooks_json = project / ".codex" / "hooks.json"
    where = ("--agent", "codex", "--scope", "project", "--project", str(project))

    code, out, err = await yesman(home, "hooks", "install", *where, "--executable", str(YESMAN))
    assert code == 0, err
    assert out.startswith(f"installed: {hooks_json}\n  runs: {YESMAN} hook --agent codex")
    assert "next: Codex reads" in out, "the project must be trusted first"
    entry = json.loads(hooks_json.read_text())["hooks"]["PermissionRequest"][0]["hooks"][0]
    assert entry == {"type": "command", "command": f"{YESMAN} hook --agent codex", "timeout": 10}
    # Codex trusted the project (as its "Trust this folder?" dialog does): the hook's own trust
    # is what is left.
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text(
        f'[projects."{project}"]\ntrust_level = "trusted"\n'
    )
    code, out, err = await yesman(home, "hooks", "status", "--project", str(project))
    assert code == 0, err
    assert "yesman's hook for Claude Code" in out
    assert "yesman's hook for Codex CLI" in out
    assert "Hooks need review" in out
    code, out, _ = await yesman(home, "hooks", "status", "--agent", "codex", "--json")
    assert {s["agent"] for s in json.loads(out)["settings"]} == {"codex"}

    code, out, err = await yesman(home, "hooks", "install", "--agent", "codex", "--scope", "local")
    assert code == 2
    assert "no per-user hooks file inside a project" in err
    code, out, err = await yesman(home, "hooks", "uninstall", *where)
    assert code == 0, err
    assert out.startswith(f"restored: {hooks_json}")
    assert not hooks_json.parent.exists()


async def test_a_settings_file_yesman_cannot_read_is_an_error_naming_it(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text("{ not json")
    code, _, err = await yesman(tmp_path, "hooks", "install", "--executable", str(YESMAN))
    assert code == 2
    assert str(settings) in err
    assert "not valid JSON" in err
    assert settings.read_text() == "{ not json"


async def test_the_hook_command_takes_the_fast_path_from_the_module_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "yesman.cli", "hook", "--no-watcher", "human",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await proc.communicate(b"{}")
    assert (proc.returncode, out) == (0, b"")
    assert b"not inside tmux" in err
