"""Policy files: valid ones load, broken ones say where and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from yesman.agents import PromptKind
from yesman.policy import Action, Policy, PolicyError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
version = 1
dry_run = true
[guards]
dangerous_commands = "deny"
[sessions."prod-*"]
dry_run = false
guards = { outside_project = "deny" }
[[rules]]
name = "tests"
kind = ["tool_permission"]
tool = "Bash"
command = "^(pytest|make test)"
session = "dev-*"
action = "answer"
option = "always"
[[rules]]
name = "docs"
path = ["docs/*", "~/notes/*"]
action = "answer"
option = 1
""",
    )
    policy = Policy.from_file(path)
    first, second = policy.rules
    assert first.kinds == (PromptKind.TOOL_PERMISSION,)
    assert first.tools == ("bash",)
    assert first.action is Action.ANSWER
    assert first.option == "always"
    assert second.paths is not None
    assert second.paths[1].endswith("/notes/*")
    assert policy.source == str(path)


def test_default_policy_is_a_valid_policy_file() -> None:
    policy = Policy.default()
    assert any(r.name == "answer-tool-permission" for r in policy.rules)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version = [", "invalid TOML"),
        ("[[rules]]\nname = 'x'\naction = 'maybe'", "rules[0].action (line 3): expected one of"),
        ("\n\n[[rules]]\nname = 'x'\naction = 'hold'\nkind = 'nope'", "rules[0].kind (line 6)"),
        ("[[rules]]\nname = 'x'\naction = 'hold'\ncomand = 'x'", "unknown"),
        ("[[rules]]\naction = 'hold'", "rules[0].name"),
        ("[[rules]]\nname = 'x'\naction = 'hold'\ncommand = '('", "rule 'x': expected an RE2"),
        ("[[rules]]\nname = 'x'\naction = 'answer'\noption = 12", '"yes", "always" or a number'),
        ("[[rules]]\nname = 'x'\naction = 'hold'\ntool = 3", "a string or a list of strings"),
        ("[[rules]]\nname='a'\naction='hold'\n[[rules]]\nname='a'\naction='hold'", "unique"),
        ("dry_run = 'yes'", "dry_run: expected true or false"),
        ("[guards]\ndangerous_commands = 'answer'", "guards.dangerous_commands (line 2)"),
        ("version = 2", "version: expected 1"),
        ("colour = 'red'", "unknown key 'colour'"),
        ("[sessions]\nx = 1", "sessions.'x'"),
    ],
    ids=lambda v: v[:30],
)
def test_errors_name_file_place_and_expectation(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        Policy.from_file(path)
    message = str(info.value)
    assert str(path) in message
    assert expected in message


def test_invalid_toml_error_has_a_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, "version = 1\n\nrules = [ {name = }\n")
    with pytest.raises(PolicyError, match=r"line 3"):
        Policy.from_file(path)


def test_missing_or_binary_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        Policy.from_file(tmp_path / "missing.toml")
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PolicyError, match="not UTF-8"):
        Policy.from_file(binary)
