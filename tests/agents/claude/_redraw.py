"""Draw a numbered menu again at another width, the way Claude Code wraps options.

Used by the re-wrap tests (test_options.py) and the properties (test_properties.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

_OPTION = re.compile(r"^(\s*)(❯\s*)?(\d{1,2})\.(?: *)(\S.*)$")
SLACK = 2  # Ink leaves a column or two free at the right edge


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


def find_menu(lines: list[str]) -> Menu | None:
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


def wrap(text: str, room: int) -> list[str]:
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
    menu = find_menu(lines)
    assert menu is not None
    prompt = expected["prompt"]
    assert isinstance(prompt, dict)
    texts = [o["text"] for o in prompt["options"]]
    drawn = draw_menu(texts, prompt["highlighted"], width, space, menu)
    return [*lines[: menu.first], *drawn, *lines[menu.end :]]


PLAIN = Menu(0, 0, 3, 1, " ", frozenset(), "")  # ` ❯ 1. Yes` / `   2. No`, as Bash dialogs draw


def draw_menu(
    texts: Sequence[str], highlighted: int, width: int, space: Space, menu: Menu = PLAIN
) -> list[str]:
    """Options 1..N laid out like `menu` and word-wrapped to `width` columns."""
    drawn: list[str] = []
    for number, text in enumerate(texts, 1):
        if number in menu.rules:
            drawn.append(menu.rule)
        lead = " " * menu.digit_column
        if number == highlighted:
            glyph = " " * menu.glyph_column + "❯" + menu.glyph_gap
            lead = glyph + " " * max(0, menu.digit_column - len(glyph))
        fits = len(lead) + len(f"{number}. {text}") <= width - SLACK
        gap = " " if space is Space.ALWAYS or (space is Space.UNLESS_WRAPPED and fits) else ""
        head = f"{lead}{number}.{gap}"
        pieces = wrap(text, max(8, width - SLACK - len(head)))
        drawn.append(head + pieces[0])
        drawn.extend(" " * len(head) + piece for piece in pieces[1:])
    return drawn
