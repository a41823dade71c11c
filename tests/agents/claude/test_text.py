"""clean_lines: escapes, control bytes, frames and size caps."""

from __future__ import annotations

from yesman.agents.claude import clean_lines
from yesman.agents.claude._text import MAX_LINES


def test_ansi_escapes_are_removed() -> None:
    text = "\x1b[1mBold\x1b[22m \x1b[38;5;174mred\x1b[39m\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n"
    assert clean_lines(text) == ["Bold redlink"]


def test_control_bytes_and_tabs_are_cleaned_on_their_lines_only() -> None:
    assert clean_lines("a\x00b\x07c\n\tx\nplain") == ["abc", "        x", "plain"]


def test_frame_sides_become_spaces_so_columns_stay() -> None:
    assert clean_lines("│ Bash command   │\n │ wrapped line") == [
        "  Bash command",
        "   wrapped line",
    ]


def test_trailing_blank_lines_are_dropped() -> None:
    assert clean_lines("one\n\n  \n\n") == ["one"]


def test_only_the_tail_of_a_huge_capture_is_kept() -> None:
    lines = clean_lines("\n".join(f"line {k}" for k in range(100_000)))
    assert len(lines) == MAX_LINES
    assert lines[-1] == "line 99999"
