"""The menu reader (`_options`) at every width: every real dialog's options re-wrapped the way
Claude Code wraps them, from 60 to 250 columns, read the same apart from the line breaks.

Claude Code 2.1.332 keeps the space after the digit when an option wraps (`2. Yes, and ...`);
2.1.197 drops it (`2.Yes, and ...`). Both, and a digit that never has a space, are re-drawn here
over the real captures of both versions and the hand-made cases, with the highlight glyph where
each screen drew it (column 0 in AskUserQuestion, beside the digit elsewhere).
"""

from __future__ import annotations

import pytest

from yesman.agents import ScreenState
from yesman.agents.claude import parse_screen

from ._corpus import CASES, VERSION_FOLDERS, Case, load_cases, reading
from ._redraw import SLACK, Space, find_menu, redraw, wrap

WIDTHS = range(60, 251, 5)


NUMBERED = [
    c
    for c in load_cases(*VERSION_FOLDERS, CASES)
    if c.path.suffix == ".txt"
    and c.expected["state"] == "waiting"
    and (menu := find_menu(c.text.rstrip("\n").splitlines())) is not None
    and menu.first >= 0
    and parse_screen(c.text).prompt is not None
    and parse_screen(c.text).prompt.numbered  # type: ignore[union-attr]
]


def test_every_version_has_numbered_dialogs_to_redraw() -> None:
    folders = {c.path.parent.name for c in NUMBERED}
    assert folders >= {*(f.name for f in VERSION_FOLDERS), CASES.name}
    assert len(NUMBERED) >= 60


@pytest.mark.parametrize("space", list(Space), ids=lambda s: s.value)
@pytest.mark.parametrize("case", NUMBERED, ids=lambda c: c.name)
def test_a_redrawn_menu_reads_the_same_at_every_width(case: Case, space: Space) -> None:
    lines = case.text.rstrip("\n").splitlines()
    want = reading(case.expected)
    for width in WIDTHS:
        screen = parse_screen("\n".join(redraw(lines, case.expected, width, space)))
        got = screen.as_dict()
        if isinstance(got["prompt"], dict):
            got["prompt"] = {k: v for k, v in got["prompt"].items() if k != "fingerprint"}
        assert (width, got) == (width, want)


def test_the_redraw_really_wraps_and_drops_the_space() -> None:
    # The test above must exercise the shapes it is about: a wrapped option without a space.
    case = next(c for c in NUMBERED if c.name == "2.1.332/bash_short_w250.txt")
    lines = case.text.rstrip("\n").splitlines()
    drawn = redraw(lines, case.expected, 60, Space.UNLESS_WRAPPED)
    assert " ❯ 1. Yes" in drawn
    assert any(x.startswith("   2.Yes, and don't ask again") for x in drawn)
    assert any(x.startswith("     ") and "commands in" in x for x in drawn)
    assert redraw(lines, case.expected, 250, Space.ALWAYS)[-8:] == lines[-8:]


# -- shapes that must stay unreadable or non-dialogs -------------------------------------------


def _dialog(*options: str, footer: str = " Esc to cancel · Tab to amend") -> str:
    return "\n".join(
        ["─" * 80, " Bash command", "", "   make test", "   Run the tests", "",
         " Do you want to proceed?", *options, "", footer]
    )  # fmt: skip


@pytest.mark.parametrize(
    "options",
    [
        (" ❯ 1. Yes", "   2.5 times faster"),  # a decimal is no option
        (" ❯ 1.Yes", "   2.No", "   2.No"),  # numbers must count up by one
        (" ❯ 1. Yes", "  2.No"),  # digits must stand in one column
        (" ❯ 1. Yes", "   2.)No"),
        (" 1. Yes", "   2.No"),  # no highlight
        (" ❯ 1. Yes", " ❯ 2.No"),  # two highlights
        (" ❯ 1.Yes, and don't ask again for make", "commands in /home/dev/app", "   2.No"),
        # Not option 2 (a decimal), and then not an unnumbered menu of question, "1.Yes," and
        # "2.2." either (found by the wrap property)
        ("❯1.Yes,", " 2.2."),
    ],
    ids=[
        "decimal",
        "repeated",
        "columns",
        "paren",
        "no-highlight",
        "two-highlights",
        "outdent",
        "digits-in-unnumbered",
    ],
)
def test_a_malformed_menu_is_not_a_prompt(options: tuple[str, ...]) -> None:
    assert parse_screen(_dialog(*options)).prompt is None


def test_digits_without_a_space_in_claudes_answer_are_not_a_dialog() -> None:
    screen = "\n".join(
        [
            "● Do you want to proceed? Your options:",
            "  ❯ 1.Yes, run the migrations first",
            "    2.No, skip the tests",
            "",
            "─" * 80,
            "❯ ",
            "─" * 80,
            "  ? for shortcuts",
        ]
    )
    result = parse_screen(screen)
    assert result.state is ScreenState.IDLE
    assert result.prompt is None


def test_the_2_1_197_wrapped_option_reads_whole() -> None:
    screen = _dialog(
        " ❯ 1. Yes",
        "   2.Yes, and don't ask again for mkdir -p build and touch build/out.txt",
        "     commands in /tmp/yesman-corpus/app",
        "   3. No",
    )
    result = parse_screen(screen)
    assert result.prompt is not None
    assert [o.text for o in result.prompt.options] == [
        "Yes",
        "Yes, and don't ask again for mkdir -p build and touch build/out.txt commands in "
        "/tmp/yesman-corpus/app",
        "No",
    ]


def _unnumbered(width: int, first: str) -> str:
    return "\n".join(
        ["─" * width, " Accessing workspace:", "", " /home/dev/app", "",
         " Is this a project you created or one you trust?", "",
         *(f" ❯ {x}" if k == 0 else f"   {x}" for k, x in enumerate(_lines(first, width))),
         "   Yes, I trust this folder", "", " Enter to confirm · Esc to cancel"]
    )  # fmt: skip


def _lines(text: str, width: int) -> list[str]:
    return wrap(text, width - 3 - SLACK)


LONG_NO = "No, exit and do not look at any of the files in this folder until I have read them"


def test_an_unnumbered_option_that_may_have_wrapped_is_not_read() -> None:
    # Without digits the wrapped half would pass for one more option, and these menus are
    # answered by position: unreadable, not shifted.
    wrapped = _unnumbered(60, LONG_NO)
    assert "   folder until I have read them" in wrapped.splitlines()
    assert parse_screen(wrapped).prompt is None
    whole = parse_screen(_unnumbered(120, LONG_NO)).prompt
    assert whole is not None
    assert [o.text for o in whole.options] == [LONG_NO, "Yes, I trust this folder"]
