"""Gemini CLI's parser against real captures (tests/agents/gemini/corpus) and targeted shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from yesman.agents import PromptKind, ScreenState, ToolKind
from yesman.agents.gemini import parse_screen

from .._agent_corpus import Case, expected_reading, load_corpus, read

CORPUS = Path(__file__).parent / "corpus"
CASES = load_corpus(CORPUS)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_real_capture_reads_as_expected(case: Case) -> None:
    assert read(parse_screen(case.text)) == expected_reading(case)


def test_the_corpus_covers_every_width_of_every_scenario() -> None:
    # 8 scenarios x 4 widths x (.txt, .ansi): a capture that went missing fails here.
    assert len(CASES) >= 64


def _dialog(*body: str, options: tuple[str, ...]) -> str:
    """A confirmation box as Gemini CLI draws it, 60 columns wide."""
    width = 60
    inner = [*body, *(("● " if i == 1 else "  ") + f"{i}. {t}" for i, t in enumerate(options, 1))]
    lines = ["╭" + "─" * (width - 2) + "╮"]
    lines += [f"│ {text}".ljust(width - 1) + "│" for text in inner]
    lines += ["╰" + "─" * (width - 2) + "╯"]
    return "\n".join(lines)


def test_a_write_whose_path_was_cut_short_has_no_target() -> None:
    screen = parse_screen(
        _dialog(
            "? WriteFile  Writing to ../../some/very/long/pa…",
            "Apply this change?",
            options=("Allow once", "No, suggest changes (esc)"),
        )
    )
    assert screen.prompt is not None
    assert screen.prompt.tool == "write_file"
    assert screen.prompt.tool_kind is ToolKind.WRITE
    assert screen.prompt.target is None


def test_an_mcp_confirmation_names_server_and_tool() -> None:
    screen = parse_screen(
        _dialog(
            "? deploy (deployer MCP Server)",
            'Allow execution of MCP tool "deploy" from server "deployer"?',
            options=("Allow once", "Allow tool for this session", "No, suggest changes (esc)"),
        )
    )
    assert screen.prompt is not None
    assert screen.prompt.kind is PromptKind.TOOL_PERMISSION
    assert screen.prompt.tool_kind is ToolKind.MCP
    assert screen.prompt.target == "deployer/deploy"


def test_an_unknown_question_is_held_as_other() -> None:
    screen = parse_screen(
        _dialog("? Shell  ls", "Something new?", options=("Allow once", "No (esc)"))
    )
    assert screen.prompt is not None
    assert screen.prompt.kind is PromptKind.OTHER


def test_a_numbered_list_above_the_composer_is_not_a_dialog() -> None:
    screen = "\n".join(
        [
            "✦ Steps:",
            "1. Write the tests",
            "2. Make them pass",
            "                                          ? for shortcuts",
            "─" * 60,
            " >   Type your message or @path/to/file",
            " workspace (/directory)       sandbox       /model",
        ]
    )
    got = parse_screen(screen)
    assert got.state is ScreenState.IDLE
    assert got.prompt is None


@pytest.mark.parametrize("text", ["", "\x00garbage", "● 1. alone"])
def test_garbage_is_no_dialog(text: str) -> None:
    assert parse_screen(text).prompt is None
