"""Codex CLI's parser against real captures (tests/agents/codex/corpus) and targeted shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from yesman.agents import PromptKind, ScreenState, ToolKind
from yesman.agents.codex import parse_screen

from .._agent_corpus import Case, expected_reading, load_corpus, read

CORPUS = Path(__file__).parent / "corpus"
CASES = load_corpus(CORPUS)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_real_capture_reads_as_expected(case: Case) -> None:
    assert read(parse_screen(case.text)) == expected_reading(case)


def test_the_corpus_covers_every_width_of_every_scenario() -> None:
    # 8 scenarios x 4 widths x (.txt, .ansi): a capture that went missing fails here.
    assert len(CASES) >= 64


def test_a_numbered_list_in_the_answer_is_not_a_dialog() -> None:
    screen = "\n".join(
        [
            "• Here is the plan:",
            "  1. Write the tests",
            "  2. Make them pass",
            "",
            "› Ask Codex to do anything",
            "",
            "  gpt-5.4 default · /home/dev/app",
            "  ← for agents · ? for shortcuts",
        ]
    )
    got = parse_screen(screen)
    assert got.state is ScreenState.IDLE
    assert got.prompt is None


def test_options_under_an_unknown_title_with_the_key_hint_are_held_as_other() -> None:
    screen = "\n".join(
        [
            "  Something new Codex asks?",
            "",
            "› 1. Sure (y)",
            "  2. No (esc)",
            "",
            "  Press enter to confirm or esc to cancel",
        ]
    )
    got = parse_screen(screen)
    assert got.prompt is not None
    assert got.prompt.kind is PromptKind.OTHER


def test_a_command_wrapped_at_the_edge_is_joined_with_a_space() -> None:
    # As captured at 60 columns: the first line ends where the next word would not fit.
    screen = "\n".join(
        [
            "  Would you like to run the following command?",
            "",
            "  $ mkdir -p build && touch build/out.txt && echo this is",
            "  a rather long line",
            "",
            "› 1. Yes, proceed (y)",
            "  2. No, and tell Codex what to do differently (esc)",
            "",
            "  Press enter to confirm or esc to cancel",
        ]
    )
    got = parse_screen(screen)
    assert got.prompt is not None
    assert got.prompt.tool_kind is ToolKind.SHELL
    assert got.prompt.target == (
        "mkdir -p build && touch build/out.txt && echo this is a rather long line"
    )
    assert got.prompt.target_lines == (
        "mkdir -p build && touch build/out.txt && echo this is",
        "a rather long line",
    )


@pytest.mark.parametrize("text", ["", "\x00\x01garbage", "› 1. only one option"])
def test_garbage_is_no_dialog(text: str) -> None:
    assert parse_screen(text).prompt is None


def test_the_hooks_review_at_start_is_held_as_other() -> None:
    """Codex 0.171.0 at start when a hook is new or changed: trusting it is the human's."""
    screen = "\n".join(
        [
            "",
            "  Hooks need review",
            "  1 hook is new or changed.",
            "  Hooks can run outside the sandbox after you trust them.",
            "",
            "",
            "› 1. Review hooks",
            "  2. Trust all and continue",
            "  3. Continue without trusting (hooks won't run)",
            "",
            "  enter confirm · esc skip",
        ]
    )
    got = parse_screen(screen)
    assert got.state is ScreenState.WAITING, "not the idle composer its `›` resembles"
    assert got.prompt is not None
    assert (got.prompt.kind, got.prompt.tool, got.prompt.question) == (
        PromptKind.OTHER,
        None,
        "Hooks need review",
    )
    assert [o.text for o in got.prompt.options][1] == "Trust all and continue"
