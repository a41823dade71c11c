"""Claude Code settings files: which rules and modes take dialogs from yesman, and where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yesman.gates import Finding, GateStatus
from yesman.gates._settings_audit import audit_settings
from yesman.gates._settings_files import SettingsScope, settings_files


class Machine:
    """A home folder, a project and a managed-settings path under ``tmp_path``."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.project = root / "work" / "project"
        self.managed = root / "etc" / "claude-code" / "managed-settings.json"
        self.project.mkdir(parents=True)
        self.home.mkdir()

    def path(self, scope: SettingsScope) -> Path:
        return {
            SettingsScope.USER: self.home / ".claude" / "settings.json",
            SettingsScope.PROJECT: self.project / ".claude" / "settings.json",
            SettingsScope.LOCAL: self.project / ".claude" / "settings.local.json",
            SettingsScope.MANAGED: self.managed,
        }[scope]

    def write(self, scope: SettingsScope, settings: object | str) -> Path:
        path = self.path(scope)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = settings if isinstance(settings, str) else json.dumps(settings, indent=2)
        path.write_text(text, encoding="utf-8")
        return path

    def allow(self, scope: SettingsScope, *rules: str) -> Path:
        return self.write(scope, {"permissions": {"allow": list(rules)}})

    def findings(self, environ: dict[str, str] | None = None) -> list[Finding]:
        files = settings_files(
            home=self.home, project_dir=self.project, managed=self.managed, environ=environ or {}
        )
        return list(audit_settings(files, project_dir=self.project, home=self.home).findings)

    def problems(self, severity: GateStatus = GateStatus.FAILED) -> list[Finding]:
        return [f for f in self.findings() if f.severity is severity]


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


@pytest.mark.parametrize("scope", [SettingsScope.USER, SettingsScope.PROJECT, SettingsScope.LOCAL])
def test_bash_star_fails_naming_file_and_line(machine: Machine, scope: SettingsScope) -> None:
    path = machine.allow(scope, "Read", "Bash(npm run test:*)", "Bash(*)")
    [problem] = machine.problems()
    # json.dumps(indent=2): line 1 "{", 2 "permissions", 3 "allow", 4-6 the rules
    assert problem.where == f"{path}:6"
    assert "'Bash(*)'" in problem.message
    assert "every shell command" in problem.message


@pytest.mark.parametrize(
    "rule",
    ["Bash", "Bash(*)", "Bash(:*)", "Bash( * )", "*", "Bash(bash:*)", "Bash(sudo bash -c *)",
     "Bash(python3 *)", "Bash(/usr/bin/env *)", "Bash(sh*)"],
)  # fmt: skip
def test_allow_rules_that_approve_any_command_fail(machine: Machine, rule: str) -> None:
    machine.allow(SettingsScope.USER, rule)
    assert len(machine.problems()) == 1


@pytest.mark.parametrize(
    "rule",
    ["Bash(npm run test:*)", "Bash(git status)", "Bash(sudo apt-get install:*)",
     "Bash(python3 -m pytest *)", "Read", "Read(//etc/**)", "WebFetch(domain:example.com)",
     "Edit(src/**)", "Edit(./docs/*.md)", "Write(/build/**)", "mcp__github__get_issue"],
)  # fmt: skip
def test_bounded_rules_pass(machine: Machine, rule: str) -> None:
    machine.allow(SettingsScope.PROJECT, rule)
    found = machine.findings()
    assert [f.severity for f in found] == [GateStatus.PASSED], found


@pytest.mark.parametrize(
    ("scope", "rule", "reach"),
    [
        (SettingsScope.PROJECT, "Write", "any file on the machine"),
        (SettingsScope.PROJECT, "MultiEdit", "any file on the machine"),
        (SettingsScope.PROJECT, "Edit(~/**)", "{home}"),
        (SettingsScope.PROJECT, "Edit(//**)", "under /,"),
        (SettingsScope.PROJECT, "Write(//etc/**)", "under /etc,"),
        (SettingsScope.PROJECT, "Edit(../other/**)", "{parent}/other"),
        (SettingsScope.USER, "Edit(~/.bashrc)", "{home}/.bashrc"),
        # a leading / in user settings: older releases read it from ~/.claude
        (SettingsScope.USER, "Edit(/**)", "{home}/.claude (older Claude Code"),
        # relative patterns in user settings follow Claude Code into any folder, home included
        (SettingsScope.USER, "Edit(**)", "whatever folder Claude Code is started in"),
    ],
)
def test_edit_rules_reaching_outside_the_project_fail(
    machine: Machine, scope: SettingsScope, rule: str, reach: str
) -> None:
    machine.allow(scope, rule)
    [problem] = machine.problems()
    expected = reach.format(home=machine.home, parent=machine.project.parent)
    assert expected in problem.message, problem.message


@pytest.mark.parametrize("rule", ["Edit(/**)", "Edit(**)", "Edit(./**)", "Write(*)"])
def test_project_wide_edit_rules_warn(machine: Machine, rule: str) -> None:
    machine.allow(SettingsScope.PROJECT, rule)
    assert machine.problems() == []
    [warning] = machine.problems(GateStatus.WARNING)
    assert "every file in the project" in warning.message


@pytest.mark.parametrize(
    ("mode", "severity", "meaning"),
    [
        ("bypassPermissions", GateStatus.FAILED, "permission checks are off"),
        ("auto", GateStatus.WARNING, "answers permission dialogs itself"),
        ("acceptEdits", GateStatus.WARNING, "approves file edits"),
        ("banana", GateStatus.WARNING, "does not know"),
    ],
)
def test_default_mode(machine: Machine, mode: str, severity: GateStatus, meaning: str) -> None:
    path = machine.write(SettingsScope.LOCAL, {"permissions": {"defaultMode": mode}})
    [finding] = machine.problems(severity)
    assert meaning in finding.message
    assert finding.where == f"{path}:3"


@pytest.mark.parametrize("mode", ["default", "plan", "dontAsk"])
def test_modes_that_leave_dialogs_alone_pass(machine: Machine, mode: str) -> None:
    machine.write(SettingsScope.USER, {"permissions": {"defaultMode": mode}})
    assert {f.severity for f in machine.findings()} == {GateStatus.PASSED}


def test_malformed_json_warns_with_the_parser_position(machine: Machine) -> None:
    path = machine.write(
        SettingsScope.PROJECT, '{\n  "permissions": {\n    "allow": ["Bash(ls)",]\n  }\n}\n'
    )
    [warning] = machine.problems(GateStatus.WARNING)
    assert warning.where == f"{path}:3"
    assert "not valid JSON" in warning.message
    assert "line 3 column" in warning.message
    assert "ignores" in warning.message  # what Claude Code then does


def test_a_folder_in_place_of_the_file_is_reported_not_raised(machine: Machine) -> None:
    machine.path(SettingsScope.USER).mkdir(parents=True)
    [warning] = machine.problems(GateStatus.WARNING)
    assert "cannot be read" in warning.message
    assert warning.where == str(machine.path(SettingsScope.USER))


def test_wrong_shapes_warn(machine: Machine) -> None:
    machine.write(SettingsScope.USER, {"permissions": {"allow": "Bash(*)"}})
    machine.write(SettingsScope.PROJECT, ["Bash(*)"])
    messages = [f.message for f in machine.problems(GateStatus.WARNING)]
    assert len(messages) == 2
    assert any('"permissions.allow" is not a list' in m for m in messages)
    assert any("JSON list, not an object" in m for m in messages)


def test_managed_settings_that_disable_bypass_turn_failures_into_warnings(
    machine: Machine,
) -> None:
    machine.write(SettingsScope.MANAGED, {"disableBypassPermissionsMode": "disable"})
    machine.write(SettingsScope.USER, {"permissions": {"defaultMode": "bypassPermissions"}})
    assert machine.problems() == []
    [warning] = machine.problems(GateStatus.WARNING)
    assert f"{machine.managed} disables bypass mode" in warning.message


def test_a_deny_rule_for_the_whole_tool_outweighs_the_allow(machine: Machine) -> None:
    machine.write(SettingsScope.MANAGED, {"permissions": {"deny": ["Bash"]}})
    machine.allow(SettingsScope.USER, "Bash(*)")
    assert machine.problems() == []
    assert any("has no effect" in f.message for f in machine.findings())


def test_managed_drop_ins_and_claude_config_dir_are_read(machine: Machine, tmp_path: Path) -> None:
    drop_in = machine.managed.parent / "managed-settings.d" / "10-team.json"
    drop_in.parent.mkdir(parents=True)
    drop_in.write_text(json.dumps({"permissions": {"allow": ["Bash"]}}), encoding="utf-8")
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    custom = config_dir / "settings.json"
    custom.write_text(json.dumps({"permissions": {"allow": ["Write"]}}), encoding="utf-8")
    machine.allow(SettingsScope.USER, "Edit(~/**)")  # not read: CLAUDE_CONFIG_DIR replaces it
    found = machine.findings({"CLAUDE_CONFIG_DIR": str(config_dir)})
    failed = sorted(f.where or "" for f in found if f.severity is GateStatus.FAILED)
    assert failed == sorted([f"{drop_in}:1", f"{custom}:1"])


def test_local_settings_at_the_repository_root_are_read(machine: Machine) -> None:
    (machine.project.parent / ".git").mkdir()
    root_local = machine.project.parent / ".claude" / "settings.local.json"
    root_local.parent.mkdir()
    root_local.write_text(json.dumps({"permissions": {"allow": ["Bash(*)"]}}), encoding="utf-8")
    [problem] = machine.problems()
    assert problem.where == f"{root_local}:1"


def test_no_settings_at_all_is_nothing_to_report(machine: Machine) -> None:
    assert machine.findings() == []
