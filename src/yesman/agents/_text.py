"""Turn a raw pane capture into clean screen lines (any agent's).

Captures arrive with or without ANSI escapes (`capture-pane -e`), sometimes as garbage (a binary
file fed to `yesman explain`, a 10 MB log). Work is capped: only the tail of the text matters,
because only the bottom of the screen can hold a live dialog.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["BOX_SIDE", "MAX_CHARS", "MAX_LINES", "clean_lines"]

# Vertical frame characters of boxes drawn around dialogs and commands.
BOX_SIDE: Final = "│┃"
_SIDES: Final = frozenset(BOX_SIDE)
MAX_CHARS: Final = 128 * 1024
MAX_LINES: Final = 400

# CSI (colours, cursor moves), OSC (titles, hyperlinks; ended by BEL or ST), and the remaining
# two-byte escapes. Each alternative is linear: no nested quantifiers.
_ANSI_RE: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x1b"
)
# Other C0 controls and DEL (except tab and the line breaks) carry no text.
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")


def clean_lines(text: str) -> list[str]:
    """The capture's last lines without escapes, control bytes, box sides or trailing blanks."""
    if len(text) > MAX_CHARS:
        text = text[-MAX_CHARS:]
    if "\x1b" in text:
        text = _ANSI_RE.sub("", text)
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        lines = lines[-MAX_LINES:]
    # isprintable() is one C call per line; the regex only runs on the rare line that needs it.
    out = [line.rstrip() if line.isprintable() else _clean_line(line) for line in lines]
    if "│" in text or "┃" in text:
        out = [_strip_box_side(line) if line.lstrip()[:1] in _SIDES else line for line in out]
    while out and not out[-1]:
        out.pop()
    return out


def _clean_line(line: str) -> str:
    if "\t" in line:
        line = line.expandtabs()
    return _CONTROL_RE.sub("", line).rstrip()


def _strip_box_side(line: str) -> str:
    """Blank out the `│` frame (1.x boxes, 2.x framed commands), keeping every column in place:
    telling a wrapped line from a short one needs the true line lengths."""
    body = line.lstrip()
    inner = body[1:]
    if inner.endswith(tuple(BOX_SIDE)):
        inner = inner[:-1]
    return (" " * (len(line) - len(body) + 1) + inner).rstrip()
