"""User patterns run in linear time; patterns RE2 cannot run are refused at load time."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from yesman.policy import Policy, PolicyError
from yesman.policy._patterns import UserPatternError, compile_user_pattern

# Nested quantifiers: backtracking engines take 2^n steps on n words without the final ";".
ADVERSARIAL_PATTERN = r"^(\S+\s*)+;$"

_MATCH_IN_CHILD = textwrap.dedent(
    """
    import sys, time
    from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
    from yesman.policy import Policy

    policy = Policy.from_file(sys.argv[1])
    command = "a" * int(sys.argv[2])
    prompt = Prompt(PromptKind.TOOL_PERMISSION, "Bash", command, "Do you want to proceed?",
                    (Option(1, "Yes"), Option(2, "No")), 1, None, "f")
    start = time.perf_counter()
    decision = policy.decide(AgentScreen(ScreenState.WAITING, prompt))
    print(decision.rule, time.perf_counter() - start)
    """
)


def test_catastrophic_pattern_matches_a_long_command_in_bounded_time(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[[rules]]\n"
        'name = "frozen"\n'
        f"command = '{ADVERSARIAL_PATTERN}'\n"
        'action = "hold"\n'
        "[[rules]]\n"
        'name = "rest"\n'
        'kind = "tool_permission"\n'
        'action = "answer"\n',
        encoding="utf-8",
    )
    # The reference, in the same run: Python's own engine on the same pattern gets nowhere in
    # 2 s on a 40-character word (about 2^40 ways to split it), which is what froze the watcher.
    reference = "import re, sys; re.search(sys.argv[1], 'a' * 40)"
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            [sys.executable, "-c", reference, ADVERSARIAL_PATTERN], check=False, timeout=2
        )
    # yesman, on a word a hundred times longer, in a child so a regression cannot hang pytest.
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MATCH_IN_CHILD, str(policy), "4000"],
        timeout=30,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    rule, seconds = done.stdout.split()
    assert rule == "rest"  # no ";" at the end: the pattern does not match, the next rule does
    assert float(seconds) < 0.5, f"decide took {seconds} s"
    assert wall < 30


def test_patterns_still_match_what_they_say() -> None:
    pattern = compile_user_pattern(ADVERSARIAL_PATTERN)
    assert pattern.search("make test;") is not None
    assert pattern.search("make test") is None
    assert compile_user_pattern(r"(?i)^PYTEST\b").search("pytest -q") is not None


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a)\1", "no backreferences"),
        (r"^(?=.*rm)", "no lookahead"),
        (r"(?<!sudo )rm", "no lookahead or lookbehind"),
        ("(", "missing )"),
    ],
    ids=["backreference", "lookahead", "lookbehind", "unbalanced"],
)
def test_unsupported_pattern_is_a_policy_error_naming_file_rule_and_pattern(
    tmp_path: Path, pattern: str, why: str
) -> None:
    with pytest.raises(UserPatternError, match=re.escape(why)):
        compile_user_pattern(pattern)
    path = tmp_path / "p.toml"
    path.write_text(
        f"[[rules]]\nname = 'picky'\naction = 'hold'\n\ncommand = '{pattern}'\n", encoding="utf-8"
    )
    with pytest.raises(PolicyError) as info:
        Policy.from_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "rules[0].command (line 5) of rule 'picky'" in message
    assert repr(pattern) in message
    assert why in message
