"""The menu reader (`_options`) at every width: every real dialog's options re-wrapped the way
Claude Code wraps them, from 60 to 250 columns, read the same apart from the line breaks.

Claude Code 2.1.332 keeps the space after the digit when an option wraps (`2. Yes, and ...`);
2.1.197 drops it (`2.Yes, and ...`). Both, and a digit that never has a space, are re-drawn here
over the real captures of both versions and the hand-made cases, with the highlight glyph where
each screen drew it (column 0 in AskUserQuestion, beside the digit elsewhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import pytest

from yesman.agents import ScreenState
from yesman.agents.claude import parse_screen

from ._corpus import CASES, VERSION_FOLDERS, Case, load_cases, reading

WIDTHS = range(60, 251, 5)
_OPTION = re.compile(r"^(\s*)(❯\s*)?(\d{1,2})\.(?: *)(\S.*)$")
_SLACK = 2  # Ink leaves a column or two free at the right edge


class Space(Enum):
    """Whether a space follows the digit."""

    ALWAYS = "always"  # 2.1.332: `2. Yes, and ...`
    UNLESS_WRAPPED = "unless-wrapped"  # 2.1.197: `1. Yes` but `2.Yes, and ...` when it wraps
    NEVER = "never"  # `1.Yes`: not seen yet, but one step further on the same road


@dataclass(frozen=True, slots=True)
class Menu:
    """Where a screen's numbered menu sits and how its option lines are laid out."""

    first: int  # index of the first line of option 1
    end: int  # index after the menu's last line
    digit_column: int
    glyph_column: int  # where the highlighted option draws `❯`
    glyph_gap: str  # what the screen draws between `❯` and the digit
    rules: frozenset[int]  # option numbers drawn right under a rule (AskUserQuestion's last)
    rule: str


def _find_menu(lines: list[str]) -> Menu | None:
    """The numbered menu at the bottom, found without the parser: option 1 up to the blank line
    under the last option."""
    first = next(
        (
            j
            for j in range(len(lines) - 1, -1, -1)
            if (m := _OPTION.match(lines[j])) is not None and m.group(3) == "1"
        ),
        None,
    )
    if first is None:
        return None
    end = first
    rules: set[int] = set()
    rule = ""
    digit_column = glyph_column = -1
    glyph_gap = " "
    number = 0
    while end < len(lines) and lines[end].strip():
        line = lines[end]
        m = _OPTION.match(line)
        if m is not None and int(m.group(3)) == number + 1:
            number += 1
            digit_column = m.start(3)
            if m.group(2) is not None:
                glyph_column = m.start(2)
                glyph_gap = m.group(2)[1:]
        elif line.lstrip()[:1] == "─":
            rules.add(number + 1)
            rule = line
        end += 1
    if glyph_column < 0:
        return None
    return Menu(first, end, digit_column, glyph_column, glyph_gap, frozenset(rules), rule)


def _wrap(text: str, room: int) -> list[str]:
    """Word-wrap like Ink: break at spaces (dropping them), hard-break a word longer than a line."""
    out: list[str] = []
    line = ""
    for whole in text.split(" "):
        word = whole
        while len(word) > room:
            if line:
                out.append(line)
                line = ""
            out.append(word[:room])
            word = word[room:]
        if line and len(line) + 1 + len(word) > room:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return out


def redraw(lines: list[str], expected: dict[str, object], width: int, space: Space) -> list[str]:
    """`lines` with the menu drawn again at `width` from the options of the expected reading."""
    menu = _find_menu(lines)
    assert menu is not None
    prompt = expected["prompt"]
    assert isinstance(prompt, dict)
    drawn: list[str] = []
    for option in prompt["options"]:
        number, text = option["number"], option["text"]
        if number in menu.rules:
            drawn.append(menu.rule)
        lead = " " * menu.digit_column
        if number == prompt["highlighted"]:
            glyph = " " * menu.glyph_column + "❯" + menu.glyph_gap
            lead = glyph + " " * max(0, menu.digit_column - len(glyph))
        fits = len(lead) + len(f"{number}. {text}") <= width - _SLACK
        gap = " " if space is Space.ALWAYS or (space is Space.UNLESS_WRAPPED and fits) else ""
        head = f"{lead}{number}.{gap}"
        pieces = _wrap(text, max(8, width - _SLACK - len(head)))
        drawn.append(head + pieces[0])
        drawn.extend(" " * len(head) + piece for piece in pieces[1:])
    return [*lines[: menu.first], *drawn, *lines[menu.end :]]


NUMBERED = [
    c
    for c in load_cases(*VERSION_FOLDERS, CASES)
    if c.path.suffix == ".txt"
    and c.expected["state"] == "waiting"
    and (menu := _find_menu(c.text.rstrip("\n").splitlines())) is not None
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
    ],
    ids=["decimal", "repeated", "columns", "paren", "no-highlight", "two-highlights", "outdent"],
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
