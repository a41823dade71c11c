"""Line numbers found by scanning policy text (tomllib gives none)."""

from __future__ import annotations

from yesman.policy._lines import SourceLines

TEXT = """\
version = 1
[guards]
dangerous_commands = "hold"

[sessions."dev-*"]
dry_run = true
guards = { outside_project = "hold" }

[sessions."ci-*"]
guards = { outside_project = "deny" }

[[rules]]
name = "a"
action = "hold"
[[rules]]
name = "b"
# tool = "commented"
tool = "Bash"
action = "answer"
"""


def test_rules_and_their_keys() -> None:
    lines = SourceLines(TEXT)
    assert lines.rule(0) == 12
    assert lines.rule(1) == 15
    assert lines.rule_key(1, "tool") == 18  # the commented-out line above is skipped
    assert lines.rule_key(0, "action") == 14
    assert lines.rule_key(0, "tool") == 12  # not in the rule: its header
    assert lines.rule(2) is None


def test_tables_header_and_inline() -> None:
    lines = SourceLines(TEXT)
    assert lines.table_key("guards", "dangerous_commands") == 3
    assert lines.table_key('sessions."ci-*".guards', "outside_project") == 10
    assert lines.table_key('sessions."dev-*".guards', "outside_project") == 7


def test_inline_array_of_rules_points_at_rules() -> None:
    lines = SourceLines('version = 1\nrules = [{ name = "a", action = "hold" }]\n')
    assert lines.rule(0) == 2
