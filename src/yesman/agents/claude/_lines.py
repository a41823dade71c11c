"""Small facts about screen lines shared by the parser's modules."""

from __future__ import annotations

from yesman.agents.claude import _patterns as p

__all__ = ["indent", "is_dashed", "is_full", "is_rule", "join_wrapped"]

# Ink drops the space it breaks at and may leave a column or two free at the right edge.
_RIGHT_SLACK = 3


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


_RULE_START = frozenset(p.RULE_CHARS | set(p.BOX_TOP) | set(p.BOX_BOTTOM))
_DASH_START = frozenset("╌┄┈")


def is_rule(line: str) -> bool:
    """A horizontal rule or the top/bottom edge of a box (at least 10 columns wide)."""
    s = line.lstrip()
    if len(s) < 10 or s[0] not in _RULE_START:
        return False  # the common case, decided without copying the line
    s = s.rstrip()
    if s[0] not in p.RULE_CHARS:
        s = s[1:-1]
    return bool(s) and s[0] in p.RULE_CHARS and s.count(s[0]) >= len(s) * 0.9


def is_top(line: str) -> bool:
    """A line that can open a dialog: a full rule or the top edge of a box."""
    return is_rule(line) and line.lstrip()[0] not in p.BOX_BOTTOM


def is_dashed(line: str) -> bool:
    """The dashed separator fencing previews and commands inside a dialog."""
    s = line.lstrip()
    return len(s) >= 10 and s[0] in _DASH_START and set(s.rstrip()) <= p.DASH_CHARS


def is_full(previous: str, following: str, width: int) -> bool:
    """Was `previous` cut at the right edge, i.e. would `following`'s first word not fit?"""
    first_word = following.split(" ", 1)[0]
    return len(previous) + 1 + len(first_word) > width - _RIGHT_SLACK


def join_wrapped(head: str, tail: str) -> str:
    """Join a wrapped line to its continuation (Ink breaks at a space, which it drops)."""
    return f"{head} {tail}" if head and tail else head + tail
