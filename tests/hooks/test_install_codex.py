"""Installing the hook in Codex's hooks.json: nothing of the user's lost, uninstall exact."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path

import pytest

from yesman.agents import HookScope
from yesman.agents.codex import CODEX
from yesman.agents.codex._hook import CodexHook
from yesman.hooks import (
    HookInstallError,
    InstallOutcome,
    hook_command,
    hook_pending_step,
    hook_status,
    install_hook,
    uninstall_hook,
)
from yesman.hooks._install import backup_path

EXE = Path("/opt/yesman env/bin/yesman")
COMMAND = hook_command(EXE, CODEX)
# Not the caller's environment: CODEX_HOME unset, so the user file is ~/.codex/hooks.json.
AGENT = dataclasses.replace(CODEX, hook=CodexHook({}))

# A user's hooks.json as people write it: their own indentation, CRLF line ends, non-ASCII, a
# description, their own PermissionRequest hook and another event's.
USERS_OWN = (
    '{\r\n    "description": "meine Hooks (grüß dich)",\r\n'
    '    "hooks": {\r\n'
    '        "PermissionRequest": [{"matcher": "^Bash$", "hooks": [{"type": "command", '
    '"command": "notify-send asked", "timeout": 5}]}],\r\n'
    '        "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]\r\n'
    "    }\r\n}\r\n"
).encode()


def _install(
    home: Path, scope: HookScope = HookScope.USER, *, command: str = COMMAND, timeout: int = 10
) -> InstallOutcome:
    return install_hook(
        AGENT, scope, command=command, home=home, project=home / "p", timeout=timeout
    )[0]


def _uninstall(home: Path, scope: HookScope = HookScope.USER) -> InstallOutcome:
    return uninstall_hook(AGENT, scope, home=home, project=home / "p")[0]


def _users_file(home: Path) -> Path:
    path = home / ".codex" / "hooks.json"
    path.parent.mkdir()
    path.write_bytes(USERS_OWN)
    return path


def test_the_command_names_the_agent() -> None:
    assert COMMAND == "'/opt/yesman env/bin/yesman' hook --agent codex"


def test_installing_where_there_was_nothing_and_uninstalling_leaves_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / ".codex" / "hooks.json"
    assert _install(tmp_path) is InstallOutcome.INSTALLED
    assert json.loads(path.read_text()) == {
        "hooks": {
            "PermissionRequest": [
                {"matcher": "*", "hooks": [{"type": "command", "command": COMMAND, "timeout": 10}]}
            ]
        }
    }
    assert _uninstall(tmp_path) is InstallOutcome.RESTORED
    assert not path.exists()
    assert not path.parent.exists(), "the .codex folder yesman made is gone too"


def test_a_users_hooks_survive_and_come_back_byte_for_byte(tmp_path: Path) -> None:
    path = _users_file(tmp_path)
    path.chmod(0o600)
    assert _install(tmp_path) is InstallOutcome.INSTALLED
    doc, original = json.loads(path.read_text()), json.loads(USERS_OWN)
    assert doc["description"] == original["description"]
    assert doc["hooks"]["Stop"] == original["hooks"]["Stop"]
    groups = doc["hooks"]["PermissionRequest"]
    assert groups[0] == original["hooks"]["PermissionRequest"][0], "theirs keeps its place"
    assert groups[1]["hooks"] == [{"type": "command", "command": COMMAND, "timeout": 10}]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    assert _install(tmp_path) is InstallOutcome.UNCHANGED
    assert path.read_bytes() == first, "installing again changes nothing"
    newer = hook_command(Path("/usr/local/bin/yesman"), CODEX, no_watcher="human")
    assert _install(tmp_path, command=newer, timeout=20) is InstallOutcome.UPDATED
    groups = json.loads(path.read_text())["hooks"]["PermissionRequest"]
    assert groups[1]["hooks"] == [{"type": "command", "command": newer, "timeout": 20}]
    assert _uninstall(tmp_path) is InstallOutcome.RESTORED
    assert path.read_bytes() == USERS_OWN
    assert not backup_path(path).exists()


def test_changes_made_after_installing_are_kept_by_uninstall(tmp_path: Path) -> None:
    path = _users_file(tmp_path)
    _install(tmp_path)
    doc = json.loads(path.read_text())
    doc["hooks"]["SessionStart"] = [{"hooks": [{"type": "command", "command": "hello"}]}]
    path.write_text(json.dumps(doc))
    assert _uninstall(tmp_path) is InstallOutcome.REMOVED
    original = json.loads(USERS_OWN)
    expected = original | {
        "hooks": original["hooks"] | {"SessionStart": doc["hooks"]["SessionStart"]}
    }
    assert json.loads(path.read_text()) == expected


def test_a_file_codex_would_ignore_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / ".codex" / "hooks.json"
    path.parent.mkdir()
    content = b'{"hooks": {}, "PermissionRequest": []}'
    path.write_bytes(content)
    with pytest.raises(HookInstallError, match="Codex ignores such a file"):
        _install(tmp_path)
    assert path.read_bytes() == content
    assert not backup_path(path).exists()


def test_codex_has_a_user_and_a_project_file_and_no_local_one(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    _install(tmp_path, HookScope.PROJECT)
    found = {w.scope: w for w in hook_status(AGENT, home=tmp_path, project=project)}
    assert list(found) == [HookScope.USER, HookScope.PROJECT]
    assert found[HookScope.USER].path == tmp_path / ".codex" / "hooks.json"
    assert found[HookScope.PROJECT].path == project / ".codex" / "hooks.json"
    assert found[HookScope.PROJECT].installed
    assert found[HookScope.PROJECT].hooks[0].command == COMMAND
    pending = found[HookScope.PROJECT].pending
    assert pending is not None
    assert "only in a project it trusts" in pending
    assert found[HookScope.USER].pending is None, "nothing installed there, nothing to do"
    with pytest.raises(HookInstallError, match="no per-user hooks file inside a project"):
        _install(tmp_path, HookScope.LOCAL)
    assert not (project / ".codex" / "hooks.local.json").exists()


def test_codex_home_moves_the_user_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "codex-home"
    elsewhere.mkdir()
    agent = dataclasses.replace(CODEX, hook=CodexHook({"CODEX_HOME": str(elsewhere)}))
    outcome, path = install_hook(
        agent, HookScope.USER, command=COMMAND, home=tmp_path, project=tmp_path
    )
    assert (outcome, path) == (InstallOutcome.INSTALLED, elsewhere / "hooks.json")
    step = hook_pending_step(agent, HookScope.USER, home=tmp_path, project=tmp_path, changed=True)
    assert step is not None
    assert "Hooks need review" in step
    (elsewhere / "config.toml").write_text(
        f'[hooks.state."{path}:permission_request:0:0"]\ntrusted_hash = "sha256:1"\n'
    )
    assert hook_pending_step(agent, HookScope.USER, home=tmp_path, project=tmp_path) is None
