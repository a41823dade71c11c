"""Lint: policies that load but probably do not do what their author meant, with file and line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.policy import Action, Policy, PolicyContext, PolicyWarning, WarningCode


def load(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return Policy.from_file(path)


CASES = {
    "empty-file": ("", 1, "the policy file is empty"),
    "comments-only": ("# nothing yet\nversion = 1\n", 1, "has no [[rules]]"),
    "unknown-tool": (
        '[[rules]]\nname = "bash"\naction = "answer"\ncommand = "^ls"\ntool = "Bsh"\n',
        5,
        "unknown tool 'Bsh' (did you mean 'Bash'?)",
    ),
    "unknown-tool-in-list": (
        '\n[[rules]]\nname = "files"\ntool = ["Write", "Edti"]\npath = "docs/*"\naction = "hold"',
        4,
        "unknown tool 'Edti' (did you mean 'Edit'?)",
    ),
    "dont-ask-again": (
        '[[rules]]\nname = "tests"\ncommand = "^pytest"\naction = "answer"\noption = "always"',
        5,
        'picks "Yes, and don\'t ask again"',
    ),
    "option-number-on-tool": (
        '[[rules]]\nname = "n"\ntool = "Bash"\ncommand = "^make"\naction = "answer"\noption = 2',
        6,
        "picks option 2",
    ),
    "answers-tool-for-any-input": (
        '[[rules]]\nname = "all-bash"\naction = "answer"\ntool = "Bash"\n',
        4,
        "answers every Bash dialog whatever its command",
    ),
    "answers-every-dialog": (
        'version = 1\n\n[[rules]]\nname = "yes-to-all"\naction = "answer"\n',
        3,
        "answers every dialog of every kind",
    ),
    "shadowed-by-earlier-rule": (
        '[[rules]]\nname = "tools"\nkind = "tool_permission"\naction = "hold"\n'
        '[[rules]]\nname = "bash"\ntool = "Bash"\nkind = "tool_permission"\ncommand = "^ls"\n'
        'action = "answer"\n',
        5,
        "rule 'bash' is unreachable: rule 'tools' before it",
    ),
    "guard-makes-rule-unreachable": (
        '[[rules]]\nname = "sudo"\naction = "answer"\n\ncommand = "^sudo "\n',
        5,
        "the dangerous-command guard holds 'sudo'",
    ),
    "guard-makes-inline-code-unreachable": (
        '[[rules]]\nname = "py"\naction = "answer"\ncommand = "^python3 -c\\\\s"\n',
        4,
        "guard holds 'python3 -c'",
    ),
    "guard-off": (
        '[guards]\noutside_project = "hold"\ndangerous_commands = "off"\n',
        3,
        'guards.dangerous_commands = "off": the guard is switched off',
    ),
    "session-guard-off": (
        '[[rules]]\nname = "t"\nkind = "trust_folder"\naction = "hold"\n'
        '[sessions."sandbox-*"]\nguards = { outside_project = "off" }\n',
        6,
        'sessions."sandbox-*".guards.outside_project = "off"',
    ),
    "answers-writes-to-an-absolute-glob": (
        '[[rules]]\nname = "etc"\ntool = ["Write", "Edit"]\npath = "/etc/*"\naction = "answer"\n',
        4,
        "rule 'etc' answers file writes to '/etc/*', which is not a path inside the project",
    ),
    "answers-writes-to-the-home": (
        '[[rules]]\nname = "dotfiles"\nkind = "tool_permission"\n\npath = "~/.config/*"\n'
        'action = "answer"\n',
        5,
        "rule 'dotfiles' answers file writes to",
    ),
    "answers-writes-with-the-guard-off": (
        '[guards]\noutside_project = "off"\n[[rules]]\nname = "docs"\ntool = "Write"\n'
        'path = "docs/*"\naction = "answer"\n',
        6,
        "rule 'docs' answers file writes outside the project: the outside_project guard is off",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), CASES.values(), ids=CASES.keys())
def test_warning_names_file_line_and_problem(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    policy = load(tmp_path, text)
    matching = [w for w in policy.warnings if message in w.message]
    assert matching, [str(w) for w in policy.warnings]
    warning = matching[0]
    assert warning.file == str(tmp_path / "policy.toml")
    assert warning.line == line
    assert str(warning) == f"{tmp_path / 'policy.toml'}:{line}: warning: {warning.message}"


@pytest.mark.parametrize(
    "text",
    [
        '[[rules]]\nname = "tests"\ntool = "Bash"\ncommand = "^pytest\\\\b"\naction = "answer"',
        '[[rules]]\nname = "rm-build"\ncommand = "^rm -rf build"\naction = "answer"',
        '[[rules]]\nname = "rm"\ncommand = "^rm "\naction = "answer"',
        '[[rules]]\nname = "mcp"\ntool = "mcp__github__create_issue"\naction = "hold"',
        '[[rules]]\nname = "fetch"\ntool = "WebFetch"\ntarget = "^https://docs\\\\."\n'
        'action = "answer"',
        '[[rules]]\nname = "docs"\ntool = ["Write", "Edit"]\npath = "docs/*"\naction = "answer"',
        '[[rules]]\nname = "etc"\ntool = "Write"\npath = "/etc/*"\naction = "hold"',
    ],
    ids=[
        "narrow-bash",
        "rm-inside",
        "rm-prefix",
        "mcp-tool-name",
        "fetch-alias",
        "writes-inside",
        "hold-outside",
    ],
)
def test_sound_rules_give_no_warning(tmp_path: Path, text: str) -> None:
    assert load(tmp_path, text).warnings == ()


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (
            '[[rules]]\nname = "a"\ntool = "Bash"\naction = "answer"\noption = "always"',
            {"always-option", "any-input"},
        ),
        (
            '[guards]\ndangerous_commands = "off"\n'
            '[[rules]]\nname = "t"\nkind = "question"\naction = "hold"',
            {"guard-off"},
        ),
        (
            '[[rules]]\nname = "w"\ntool = "Write"\npath = "../*"\naction = "answer"',
            {"writes-outside"},
        ),
        (
            '[[rules]]\nname = "w"\ntool = "Wrte"\npath = "src/*"\naction = "answer"',
            {"unknown-tool"},
        ),
    ],
    ids=["always-and-any-input", "guard-off", "writes-outside", "unknown-tool"],
)
def test_each_warning_has_a_code(tmp_path: Path, text: str, codes: set[str]) -> None:
    assert {w.code.value for w in load(tmp_path, text).warnings} == codes
    assert all(isinstance(w.code, WarningCode) for w in load(tmp_path, text).warnings)


def test_default_policy_has_no_warnings() -> None:
    assert Policy.default().warnings == ()


def test_warnings_are_sorted_by_line_and_immutable(tmp_path: Path) -> None:
    policy = load(
        tmp_path,
        '[guards]\ndangerous_commands = "off"\n'
        '[[rules]]\nname = "a"\ntool = "Bsh"\naction = "answer"\noption = "always"\n',
    )
    assert [w.line for w in policy.warnings] == sorted(w.line or 0 for w in policy.warnings)
    assert len(policy.warnings) >= 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.warnings[0].line = 1  # type: ignore[misc]
    assert isinstance(policy.warnings[0], PolicyWarning)


def test_a_guard_switched_off_lets_the_rules_decide(tmp_path: Path) -> None:
    policy = load(
        tmp_path,
        '[guards]\ndangerous_commands = "off"\n'
        '[[rules]]\nname = "bash"\ntool = "Bash"\naction = "answer"\n',
    )
    prompt = Prompt(
        PromptKind.TOOL_PERMISSION,
        "Bash",
        "rm -rf /",
        "Do you want to proceed?",
        (Option(1, "Yes"), Option(2, "No")),
        1,
        None,
        "f",
    )
    decision = policy.decide(
        AgentScreen(ScreenState.WAITING, prompt), PolicyContext(project_dir=Path("/p"))
    )
    assert (decision.action, decision.rule) == (Action.ANSWER, "bash")
