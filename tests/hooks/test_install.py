"""Installing the hook in Claude Code's settings: nothing of the user's lost, uninstall exact."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from yesman.agents import HookScope
from yesman.agents.claude import CLAUDE_CODE
from yesman.hooks import (
    HookInstallError,
    InstallOutcome,
    hook_command,
    hook_status,
    install_hook,
    uninstall_hook,
)
from yesman.hooks._install import backup_path

EXE = Path("/opt/yesman env/bin/yesman")
COMMAND = hook_command(EXE, CLAUDE_CODE)

# A user's settings as people write them: their own indentation, CRLF line ends, non-ASCII,
# other hooks on the same event and on others, keys in their own order.
USERS_OWN = (
    '{\r\n    "model": "opus",\r\n    "env": {"GREETING": "grüß dich"},\r\n'
    '    "hooks": {\r\n'
    '        "PermissionRequest": [{"matcher": "Bash", "hooks": [{"type": "command", '
    '"command": "notify-send asked"}]}],\r\n'
    '        "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]\r\n'
    "    },\r\n"
    '    "permissions": {"allow": ["Bash(ls:*)"]}\r\n}\r\n'
).encode()


def _install(
    home: Path, scope: HookScope = HookScope.USER, *, command: str = COMMAND, timeout: int = 10
) -> InstallOutcome:
    outcome, _ = install_hook(
        CLAUDE_CODE, scope, command=command, home=home, project=home / "p", timeout=timeout
    )
    return outcome


def _uninstall(home: Path, scope: HookScope = HookScope.USER) -> InstallOutcome:
    return uninstall_hook(CLAUDE_CODE, scope, home=home, project=home / "p")[0]


def test_the_command_runs_this_yesman_by_absolute_path() -> None:
    assert COMMAND == "'/opt/yesman env/bin/yesman' hook"
    command = hook_command(
        Path("/x/yesman"),
        CLAUDE_CODE,
        no_watcher="human",
        policy=Path("/etc/p.toml"),
        reply_timeout=2.0,
    )
    assert command == "/x/yesman hook --no-watcher human --policy /etc/p.toml --timeout 2"


def test_installing_where_there_was_nothing_and_uninstalling_leaves_nothing(
    tmp_path: Path,
) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    assert _install(tmp_path) is InstallOutcome.INSTALLED
    doc = json.loads(settings.read_text())
    assert doc == {
        "hooks": {
            "PermissionRequest": [
                {"matcher": "*", "hooks": [{"type": "command", "command": COMMAND, "timeout": 10}]}
            ]
        }
    }
    assert stat.S_IMODE(backup_path(settings).stat().st_mode) == 0o600
    assert _uninstall(tmp_path) is InstallOutcome.RESTORED
    assert not settings.exists()
    assert not settings.parent.exists(), "the folder yesman made is gone too"
    assert not backup_path(settings).exists()
    assert _uninstall(tmp_path) is InstallOutcome.NOT_INSTALLED


def test_a_users_settings_and_hooks_survive_and_come_back_byte_for_byte(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(USERS_OWN)
    settings.chmod(0o600)
    assert _install(tmp_path) is InstallOutcome.INSTALLED
    doc = json.loads(settings.read_text())
    original = json.loads(USERS_OWN)
    assert {k: v for k, v in doc.items() if k != "hooks"} == {
        k: v for k, v in original.items() if k != "hooks"
    }
    groups = doc["hooks"]["PermissionRequest"]
    assert groups[0] == original["hooks"]["PermissionRequest"][0], "their hook stays first"
    assert groups[1]["hooks"][0]["command"] == COMMAND
    assert doc["hooks"]["Stop"] == original["hooks"]["Stop"]
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600, "the file's permissions are kept"
    assert _uninstall(tmp_path) is InstallOutcome.RESTORED
    assert settings.read_bytes() == USERS_OWN
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600


def test_installing_twice_changes_nothing_and_a_new_command_updates_in_place(
    tmp_path: Path,
) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(USERS_OWN)
    _install(tmp_path)
    first = settings.read_bytes()
    assert _install(tmp_path) is InstallOutcome.UNCHANGED
    assert settings.read_bytes() == first
    newer = hook_command(Path("/usr/local/bin/yesman"), CLAUDE_CODE)
    assert _install(tmp_path, command=newer, timeout=20) is InstallOutcome.UPDATED
    entries = [
        h
        for g in json.loads(settings.read_text())["hooks"]["PermissionRequest"]
        for h in g["hooks"]
        if "yesman" in h["command"]
    ]
    assert entries == [{"type": "command", "command": newer, "timeout": 20}], "one entry, updated"
    assert _uninstall(tmp_path) is InstallOutcome.RESTORED
    assert settings.read_bytes() == USERS_OWN, "the backup is the file from before yesman"


def test_changes_made_after_installing_are_kept_by_uninstall(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(USERS_OWN)
    _install(tmp_path)
    doc = json.loads(settings.read_text())
    doc["model"] = "sonnet"  # the user (or Claude Code) edits the file meanwhile
    settings.write_text(json.dumps(doc))
    assert _uninstall(tmp_path) is InstallOutcome.REMOVED
    after = json.loads(settings.read_text())
    assert after == json.loads(USERS_OWN) | {"model": "sonnet"}
    assert not backup_path(settings).exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param(b'{"hooks": [1, 2]}', "not a JSON object", id="hooks-not-object"),
        pytest.param(b'{"hooks": {"PermissionRequest": {}}}', "not a JSON array", id="not-array"),
        pytest.param(b'{"model": "opus",}', "not valid JSON", id="trailing-comma"),
        pytest.param(b"[]", "not an object", id="array"),
        pytest.param(b'{"x": "\xff"}', "not UTF-8", id="not-utf8"),
    ],
)
def test_a_file_yesman_cannot_read_is_left_untouched(
    tmp_path: Path, content: bytes, says: str
) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(content)
    with pytest.raises(HookInstallError, match=says):
        _install(tmp_path)
    assert settings.read_bytes() == content
    assert not backup_path(settings).exists()


def test_scopes_are_claude_codes_three_settings_files(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    _install(tmp_path, HookScope.LOCAL)
    found = {
        where.scope: where for where in hook_status(CLAUDE_CODE, home=tmp_path, project=project)
    }
    assert found[HookScope.USER].path == tmp_path / ".claude" / "settings.json"
    assert found[HookScope.PROJECT].path == project / ".claude" / "settings.json"
    assert found[HookScope.LOCAL].path == project / ".claude" / "settings.local.json"
    assert [s for s, where in found.items() if where.installed] == [HookScope.LOCAL]
    assert found[HookScope.LOCAL].hooks[0].command == COMMAND
    assert found[HookScope.LOCAL].hooks[0].timeout == 10
    assert found[HookScope.LOCAL].backup
    assert not found[HookScope.USER].exists


def test_uninstall_without_a_backup_takes_out_only_yesmans_entry(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(USERS_OWN)
    _install(tmp_path)
    backup_path(settings).unlink()  # lost, or written by hand
    assert _uninstall(tmp_path) is InstallOutcome.REMOVED
    assert json.loads(settings.read_text()) == json.loads(USERS_OWN)
