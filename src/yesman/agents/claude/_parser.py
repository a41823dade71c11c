"""Read one Claude Code screen: which state, and which dialog if one waits.

Only the live dialog at the bottom counts. The parser anchors on the bottom of the screen: under
the menu there may be nothing but blank lines, key hints and rules (`_options`). Above option 1 it
looks for the rule Claude Code draws over every dialog, and reads the region between (`_dialog`).
A numbered list in Claude's answer always has the input box below it, an old dialog in the
scrollback always has later output below it, so neither can be read as a prompt.

Everything runs from the bottom up over a few dozen lines with anchored regular expressions, so a
screen costs tens of microseconds.
"""

from __future__ import annotations

from yesman.agents import AgentScreen, PermissionMode, Prompt, ScreenState
from yesman.agents.claude import _patterns as p
from yesman.agents.claude._dialog import read_dialog
from yesman.agents.claude._lines import is_rule, is_top
from yesman.agents.claude._options import read_menu
from yesman.agents.claude._text import clean_lines

__all__ = ["parse_screen"]

_MAX_DIALOG = 120  # lines from option 1 up to the dialog's top rule
_STATE_WINDOW = 8  # non-blank lines above the input box that may show a spinner or an error
_STATE_SCAN = 60  # how far up to look for them
_PROMPT_GLYPHS = frozenset("\u276f>\u203a")


def parse_screen(text: str) -> AgentScreen:
    """How Claude Code's screen reads: state and, when a dialog waits, the prompt.

    Accepts plain or ANSI-escaped captures of any size and content; never raises on bad input.
    """
    lines = clean_lines(text)
    if not lines:
        return AgentScreen(ScreenState.UNKNOWN, detail="empty screen")
    prompt = _find_dialog(lines)
    if prompt is not None:
        return AgentScreen(ScreenState.WAITING, prompt, detail=prompt.question)
    return _read_state(lines)


def _find_dialog(lines: list[str]) -> Prompt | None:
    width = _screen_width(lines)
    menu = read_menu(lines, width)
    if menu is None:
        return None
    top = _find_top(lines, menu.first)
    if top is None:
        return None
    return read_dialog(lines, top, menu, width)


def _screen_width(lines: list[str]) -> int:
    """Rules span the pane (the plan dialog's is indented), so the nearest one gives the width
    lines wrapped at."""
    for j in range(len(lines) - 1, -1, -1):
        line = lines[j]
        head = line[:1]
        if head == " ":
            head = line.lstrip()[:1]
        if head in p.RULE_CHARS and is_rule(line):
            return len(line)
    return max(len(line) for line in lines)


def _find_top(lines: list[str], first: int) -> int | None:
    for j in range(first - 1, max(-1, first - _MAX_DIALOG), -1):
        if is_top(lines[j]):
            return j
        line = lines[j]
        if (
            line.lstrip()[:1] in _PROMPT_GLYPHS
            and j > 0
            and is_rule(lines[j - 1])
            and p.INPUT_RE.match(line)
        ):
            return None  # an input box above the options: they are Claude's output
    return None


def _read_state(lines: list[str]) -> AgentScreen:
    n = len(lines)
    box = _find_input_box(lines)
    end = box if box is not None else n
    window: list[str] = []  # the last non-blank lines above the input box, top first
    for j in range(end - 1, max(-1, end - _STATE_SCAN), -1):
        s = lines[j].strip()
        if s:
            window.insert(0, s)
            if len(window) == _STATE_WINDOW:
                break
    below = [s.strip() for s in lines[end:] if s.strip()] if box is not None else []
    mode = _mode(lines, box) if box is not None else None
    # One search per pattern over the joined lines; the line that matched is only looked up
    # when one did.
    near = "\n".join([*window[-6:], *below])
    found = p.BUSY_RE.search(near.lower()) or p.SPINNER_RE.search(near)
    if found is not None:
        return AgentScreen(ScreenState.BUSY, detail=_line_at(near, found.start()), mode=mode)
    recent = "\n".join(window)
    found = p.ERROR_RE.search(recent.lower())
    if found is not None:
        return AgentScreen(ScreenState.ERROR, detail=_line_at(recent, found.start()), mode=mode)
    if box is not None:
        return AgentScreen(ScreenState.IDLE, detail="input box ready", mode=mode)
    return AgentScreen(ScreenState.UNKNOWN, detail="no Claude Code dialog, spinner or input box")


def _mode(lines: list[str], box: int) -> PermissionMode | None:
    """The permission mode named in the footer under the input box, if any."""
    # Only the footer proper, under the rule that closes the input box: what the human typed
    # into the box may say anything.
    below = next((j for j in range(box + 2, len(lines)) if is_rule(lines[j])), None)
    if below is None:
        return None
    for line in lines[below + 1 : below + 4]:
        found = p.MODE_FOOTER_RE.search(line.lower())
        if found is not None:
            return PermissionMode(p.MODE_NAMES[found.group(1)])
    return None


def _line_at(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start : end if end >= 0 else len(text)]


def _find_input_box(lines: list[str]) -> int | None:
    """Index of the rule above Claude Code's input box near the bottom, if there is one."""
    n = len(lines)
    for j in range(n - 1, max(0, n - 12), -1):
        if p.INPUT_RE.match(lines[j]) and is_rule(lines[j - 1]):
            return j - 1
    return None
