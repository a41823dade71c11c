"""Choosing options: plain Yes, always, by number, No; never an option that exits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from yesman.agents import Option, Prompt, PromptKind
from yesman.policy import Action, Policy
from yesman.policy._rules import pick_option


def prompt(*texts: str) -> Prompt:
    options = tuple(Option(k, t) for k, t in enumerate(texts, 1))
    return Prompt(PromptKind.TOOL_PERMISSION, "Bash", "ls", "?", options, 1, None, "f")


@pytest.mark.parametrize(
    ("texts", "action", "choice", "number"),
    [
        (("Yes", "Yes, and don't ask again for ls", "No"), Action.ANSWER, "yes", 1),
        (("Yes, and don't ask again", "Yes"), Action.ANSWER, "yes", 2),
        (("Yes, I trust this folder", "No, exit"), Action.ANSWER, "yes", 1),
        (
            ("Yes", "Yes, allow all edits during this session (shift+tab)"),
            Action.ANSWER,
            "always",
            2,
        ),
        (("Yes", "No (recommended)"), Action.ANSWER, 2, 2),
        (("Yes", "No, and tell Claude what to do differently (esc)"), Action.DENY, "yes", 2),
        (("Yes, proceed", "No, exit"), Action.DENY, "yes", None),
        (("No, exit", "Yes"), Action.ANSWER, 1, None),
        (("Yes, and don't ask again",), Action.ANSWER, "yes", None),
        (
            ("Yes, and switch to auto mode", "Yes, and don’t ask again for: python *"),
            Action.ANSWER,
            "yes",
            None,
        ),
        (("Yes, and don’t ask again for: python *", "No"), Action.ANSWER, "always", 1),
    ],
)
def test_pick_option(
    texts: tuple[str, ...], action: Action, choice: str | int, number: int | None
) -> None:
    picked = pick_option(prompt(*texts), action, choice)
    assert (picked.number if picked else None) == number


def test_tool_names_match_case_insensitively_and_by_alias() -> None:
    policy = Policy.from_toml('[[rules]]\nname = "f"\ntool = "WebFetch"\naction = "hold"')
    fetch = replace(prompt("Yes", "No"), tool="Fetch")
    assert policy.rules[0].matches(fetch, "s", None)
    assert not policy.rules[0].matches(prompt("Yes", "No"), "s", None)
