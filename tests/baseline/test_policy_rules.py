"""Policy rules suggested from held dialogs: they load, match exactly, and are never dangerous."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources

from yesman.baseline import HeldAnswer, HumanChoice, SuggestionKind, suggest_policy_rules
from yesman.policy import Policy


def _held(
    target: str, n: int, choice: HumanChoice = HumanChoice.YES, tool: str = "Bash"
) -> list[HeldAnswer]:
    return [HeldAnswer("tool_permission", tool, target, choice) for _ in range(n)]


def _rule_toml(change: str) -> str:
    return change.split("\n", 1)[1]


def test_repeated_same_answer_gives_a_rule_that_loads_into_the_default_policy() -> None:
    (s,) = suggest_policy_rules(_held("make test-all (fast)", 6))
    assert s.kind is SuggestionKind.POLICY_RULE
    toml = _rule_toml(s.change)
    rule = tomllib.loads(toml)["rules"][0]
    assert rule["action"] == "answer"
    assert rule["option"] == "yes"
    assert rule["tool"] == "Bash"
    default = resources.files("yesman.policy").joinpath("default.toml").read_text("utf-8")
    policy = Policy.from_toml(default + "\n" + toml, source="default+suggestion")
    added = policy.rules[-1]
    assert added.command is not None
    assert added.command.search("make test-all (fast)") is not None
    assert added.command.search("make test-all (fast); rm x") is None  # anchored, exact


def test_denied_every_time_gives_a_deny_rule() -> None:
    (s,) = suggest_policy_rules(_held("curl http://example.com", 5, HumanChoice.NO))
    assert 'action = "deny"' in s.change


def test_a_dangerous_command_is_never_suggested() -> None:
    assert suggest_policy_rules(_held("rm -rf /", 50)) == []
    assert suggest_policy_rules(_held("sudo reboot", 50)) == []


def test_mixed_answers_and_rare_dialogs_give_nothing() -> None:
    mixed = _held("npm publish", 5) + _held("npm publish", 1, HumanChoice.NO)
    assert suggest_policy_rules(mixed) == []
    assert suggest_policy_rules(_held("npm test", 4)) == []


def test_file_paths_become_literal_globs() -> None:
    (s,) = suggest_policy_rules(_held("src/[id]/*.ts", 5, tool="Write"))
    rule = tomllib.loads(_rule_toml(s.change))["rules"][0]
    assert rule["path"] == "src/[[]id[]]/[*].ts"
    assert fnmatch.fnmatchcase("src/[id]/*.ts", rule["path"])
    assert not fnmatch.fnmatchcase("src/i/x.ts", rule["path"])
