"""Find the menu at the bottom of a Claude Code screen.

Walks upward from the last line that is not a key hint, blank or rule, collecting options. Two
shapes exist: numbered (`1. Yes`, `2. No`, numbers N..1 consecutive) and, in a few 2.x dialogs
(trust folder, API key), unnumbered (`No, exit`, `Yes, I trust this folder`). Either way exactly
one option carries the highlight glyph (U+276F), or it is not a menu.

A line under an option is part of it when indented under the option's text: either the text
wrapped at the right edge or a description (AskUserQuestion draws one under each option); both
are joined to the option's text. A rule may split a menu (AskUserQuestion draws its
"Chat about this" option under one); the numbering runs on across it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yesman.agents import Option
from yesman.agents.claude import _patterns as p
from yesman.agents.claude._lines import indent, is_full, is_rule, join_wrapped

__all__ = ["Menu", "read_menu"]

_HIGHLIGHTS = frozenset(p.HIGHLIGHT_CHARS)
_NUMBERED_START = re.compile(r"\d{1,2}[.)]")
_MAX_TRAILER = 12  # footer, frame and blank lines allowed under the options
_MAX_BLOCK = 60  # lines from the last option up to option 1


@dataclass(slots=True)
class _Raw:
    index: int  # line index of the option's first line
    number: int
    column: int  # column where the option's text starts
    marker_column: int
    digit_column: int
    highlighted: bool
    text: str  # wrapped lines and descriptions joined


@dataclass(frozen=True, slots=True)
class Menu:
    options: tuple[Option, ...]
    highlighted: int
    first: int  # line index of option 1
    last: int  # last line that belongs to the dialog (footer included)
    numbered: bool
    footer: tuple[str, ...]


def read_menu(lines: list[str], width: int) -> Menu | None:
    """The menu at the bottom of the screen, or None if the bottom is not a menu."""
    n = len(lines)
    i = n - 1
    footer: list[str] = []
    while i >= 0 and n - 1 - i < _MAX_TRAILER:
        s = lines[i].strip()
        if not s or is_rule(s):
            i -= 1
        elif (p.FOOTER_RE.match(s) and _footer_can_start(lines, i)) or (
            i > 0 and p.FOOTER_RE.match(lines[i - 1].strip()) and _continues(lines, i, width)
        ):
            footer.append(s)
            i -= 1
        else:
            break
    if i < 0:
        return None
    raw = _numbered(lines, i)
    numbered = True
    if raw is None:
        raw = _unnumbered(lines, i, width)
        numbered = False
    if raw is None:
        return None
    options = tuple(Option(o.number, o.text) for o in raw)
    highlighted = next(o.number for o in raw if o.highlighted)
    return Menu(options, highlighted, raw[0].index, n - 1, numbered, tuple(reversed(footer)))


def _continues(lines: list[str], i: int, width: int) -> bool:
    """Does line `i` continue the key hint above it? ("ctrl+g to edit in Vim · ~/.claude/plans/..")
    2.1.332 wraps it at the right edge under the hint's indent; 2.1.197 ends the line with the
    `·` separator and starts the next item further right."""
    above = lines[i - 1]
    if indent(lines[i]) == indent(above) and is_full(above, lines[i].strip(), width):
        return True
    return above.rstrip().endswith("·") and indent(lines[i]) > indent(above)


def _footer_can_start(lines: list[str], i: int) -> bool:
    """Key hints sit apart from the menu: under a blank line, a rule or another hint. A hint-like
    line right under an option ("shift+tab to approve with this feedback") describes it."""
    above = lines[i - 1].strip() if i > 0 else ""
    return not above or is_rule(above) or p.FOOTER_RE.match(above) is not None


def _numbered(lines: list[str], last: int) -> list[_Raw] | None:
    found: list[_Raw] = []
    pending: list[str] = []
    j = last
    stop = max(-1, last - _MAX_BLOCK)
    while j > stop:
        line = lines[j]
        m = p.OPTION_RE.match(line)
        if m is not None:
            number = int(m.group(3))
            if found and (number != found[-1].number - 1 or m.start(3) != found[-1].digit_column):
                return None  # numbers must count down by one, digits stand in one column
            column = m.start(4)
            if any(indent(x) < column for x in pending):
                return None  # text under an option that is not indented under its words
            marker = m.start(2) if m.group(2) is not None else m.start(3)
            text = m.group(4).strip()
            for extra in reversed(pending):
                text = join_wrapped(text, extra.strip())
            found.append(_Raw(j, number, column, marker, m.start(3), m.group(2) is not None, text))
            pending = []
            if number == 1:
                break
        elif is_rule(line):
            if not found or pending:
                return None  # a rule right under the menu's last line ends the search
        elif line.strip():
            if not found:
                pending.append(line)  # may continue the last option; checked when it is found
            elif indent(line) <= found[-1].marker_column:
                return None  # prose between options
            else:
                pending.append(line)
        elif not found:
            return None  # a blank line between the last option and its continuation
        j -= 1
    else:
        return None
    if not found or found[-1].number != 1:
        return None
    found.reverse()
    if len(found) < 2 or sum(o.highlighted for o in found) != 1:
        return None
    return found


def _unnumbered(lines: list[str], last: int, width: int) -> list[_Raw] | None:
    """A contiguous block of lines, one with the highlight glyph, the others aligned with it.

    Without digits a wrapped option looks like one more option, and these menus are answered by
    position: a line that may have been cut at the right edge makes the menu unreadable. So does
    a line that starts like a numbered option: that is a numbered menu `_numbered` could not read.
    """
    block: list[int] = []
    j = last
    while j >= 0 and lines[j].strip() and len(block) < 12:
        if is_rule(lines[j]):
            break
        block.append(j)
        j -= 1
    block.reverse()
    marked = [k for k in block if lines[k].lstrip()[:1] in _HIGHLIGHTS]
    if len(marked) != 1 or len(block) < 2:
        return None
    head = lines[marked[0]]
    marker_column = indent(head)
    text_column = marker_column + 1 + indent(head[marker_column + 1 :])
    out: list[_Raw] = []
    for k in block:
        line = lines[k]
        if k > block[0] and is_full(lines[k - 1], line.strip(), width):
            return None
        if _NUMBERED_START.match(line.strip().lstrip(p.HIGHLIGHT_CHARS).lstrip()):
            return None
        if k == marked[0]:
            text = line.strip()[1:].strip()
            out.append(_Raw(k, len(out) + 1, text_column, marker_column, -1, True, text))
        elif indent(line) == text_column:
            out.append(_Raw(k, len(out) + 1, text_column, marker_column, -1, False, line.strip()))
        else:
            return None
    return out if len(out) >= 2 else None
