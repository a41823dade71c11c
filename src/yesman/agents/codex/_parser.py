"""Read one Codex CLI screen: which state, and which dialog if one waits.

Only the bottom counts. The menu must end the screen (under it only blank lines and the key
hint); above option 1, within a few dozen lines, must stand a title Codex gives its dialogs
(`_patterns.TITLES`). The composer (`› ` at the left edge with its footer below) never has a menu
under it, so a numbered list in Codex's answer is not read as a dialog.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.agents._text import clean_lines
from yesman.agents.codex import _patterns as p
from yesman.agents.codex._tools import tool_kind

__all__ = ["parse_screen"]

_MAX_TRAILER = 8  # blank and key-hint lines under the last option
_MAX_MENU = 40  # lines from the last option up to option 1
_MAX_DIALOG = 40  # lines from option 1 up to the title
_STATE_SCAN = 60  # lines above the composer searched for the status or an error cell
_STATE_WINDOW = 8  # the last non-blank lines among them
_CELL_GLYPHS = ("•", "■", "›", "✔", "✗", "⚠", "└")


@dataclass(frozen=True, slots=True)
class _Menu:
    options: tuple[Option, ...]
    highlighted: int
    first: int  # line of option 1
    footer: bool  # a key hint under the menu


def parse_screen(text: str) -> AgentScreen:
    """How Codex's screen reads; never raises on bad input."""
    lines = clean_lines(text)
    if not lines:
        return AgentScreen(ScreenState.UNKNOWN, detail="empty screen")
    menu = _read_menu(lines)
    if menu is not None:
        prompt = _read_dialog(lines, menu)
        if prompt is not None:
            return AgentScreen(ScreenState.WAITING, prompt, detail=prompt.question)
    return _read_state(lines)


def _read_menu(lines: list[str]) -> _Menu | None:
    i = len(lines) - 1
    footer = False
    while i >= 0 and len(lines) - 1 - i < _MAX_TRAILER:
        s = lines[i].strip()
        if not s:
            i -= 1
        elif p.FOOTER_RE.match(s):
            footer = True
            i -= 1
        else:
            break
    found: list[tuple[int, int, str, bool, int]] = []  # line, number, text, highlighted, column
    pending: list[str] = []
    j = i
    while j >= 0 and i - j < _MAX_MENU:
        line = lines[j]
        m = p.OPTION_RE.match(line)
        if m is not None:
            number = int(m.group(3))
            column = m.start(3)
            if found and (number != found[-1][1] - 1 or column != found[-1][4]):
                return None
            text = " ".join([m.group(4).strip(), *(x.strip() for x in reversed(pending))])
            found.append((j, number, text, m.group(2) is not None, column))
            pending = []
            if number == 1:
                break
        elif line.strip() and (not found or _indent(line) > found[-1][4]):
            pending.append(line)  # a wrapped option line, under its option's text
        else:
            return None
        j -= 1
    if not found or found[-1][1] != 1 or len(found) < 2 or pending:
        return None
    found.reverse()
    marked = [number for _, number, _, highlighted, _ in found if highlighted]
    if len(marked) != 1:
        return None
    options = tuple(Option(number, text) for _, number, text, _, _ in found)
    return _Menu(options, marked[0], found[0][0], footer)


def _read_dialog(lines: list[str], menu: _Menu) -> Prompt | None:
    for t in range(menu.first - 1, max(-1, menu.first - _MAX_DIALOG), -1):
        s = lines[t].strip()
        if lines[t].startswith(p.HIGHLIGHT + " "):
            break  # the composer or a user message: no dialog title below it
        for pattern, kind, tool in p.TITLES:
            m = pattern.match(s)
            if m is not None:
                return _prompt(
                    lines,
                    t,
                    menu,
                    kind=kind,
                    tool=tool,
                    question=m.group(0) if tool != "mcp" else s,
                )
    if not menu.footer:
        return None
    # Options and Codex's key hint, but a title we do not know: a human must look.
    return _prompt(lines, menu.first, menu, kind=PromptKind.OTHER, tool=None, question=None)


def _prompt(
    lines: list[str],
    title: int,
    menu: _Menu,
    *,
    kind: PromptKind,
    tool: str | None,
    question: str | None,
) -> Prompt:
    region = lines[title + 1 : menu.first]
    target: str | None = None
    description: str | None = None
    target_lines: tuple[str, ...] = ()
    if tool in ("exec", "write_stdin"):
        target_lines = _command_lines(region)
        target = _join_command(target_lines, max(len(line) for line in lines)) or None
        description = _field(region, p.REASON_RE)
    elif tool == "apply_patch":
        target = _field(region, p.DESTINATION_RE)
        description = _field(region, p.DESCRIPTION_RE)
    elif tool == "network" and question is not None:
        m = p.TITLES[3][0].match(question)
        target = m.group(1) if m is not None else None
    elif kind is PromptKind.TRUST_FOLDER:
        near = lines[max(0, title - 3) : menu.first]
        target = next((s.strip() for s in near if p.TRUST_PATH_RE.match(s)), None)
        question = "Trust this folder?"
    elif tool == "mcp" and question is not None:
        target = question.removesuffix(" needs your approval.").strip()
    parts = [kind.value, tool or "", target or "", question or ""]
    parts += [f"{o.number}.{o.text}" for o in menu.options]
    fingerprint = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()
    return Prompt(
        kind=kind,
        tool=tool,
        target=target,
        question=question,
        options=menu.options,
        highlighted=menu.highlighted,
        warning=None,
        fingerprint=fingerprint,
        description=description,
        span=(title, len(lines) - 1),
        target_lines=target_lines,
        tool_kind=tool_kind(tool) if kind is not PromptKind.TRUST_FOLDER else None,
    )


def _command_lines(region: list[str]) -> tuple[str, ...]:
    """The command after ``$ ``: its first line and the lines that continue it (deeper
    indented, or up to the next blank line)."""
    out: list[str] = []
    started = False
    for line in region:
        s = line.strip()
        if not started:
            m = p.COMMAND_RE.match(s)
            if m is not None:
                out.append(m.group(1).strip())
                started = True
            continue
        if not s:
            break
        out.append(s)
    return tuple(out)


def _join_command(physical: tuple[str, ...], width: int) -> str:
    """Join lines Codex wrapped at the right edge with a space (it breaks at one and drops it);
    keep a newline where a line ended short of the edge (the command's own line break). The
    policy analyses every physical line too, so a misjoin costs a hold, never a yes."""
    out = ""
    for k, line in enumerate(physical):
        if k == 0:
            out = line
            continue
        previous = physical[k - 1]
        first_word = line.split(" ", 1)[0]
        # +4: the "  $ " (or two-space) margin the physical line had on screen.
        full = len(previous) + 4 + 1 + len(first_word) > width - 2
        out += (" " if full else "\n") + line
    return out


def _field(region: list[str], pattern: re.Pattern[str]) -> str | None:
    for k, line in enumerate(region):
        m = pattern.match(line.strip())
        if m is not None:
            value = [m.group(1).strip()]
            # The value wraps onto lines indented under it until a blank line.
            for extra in region[k + 1 :]:
                if not extra.strip() or ":" in extra.strip().split(" ", 1)[0]:
                    break
                value.append(extra.strip())
            return " ".join(v for v in value if v) or None
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _read_state(lines: list[str]) -> AgentScreen:
    box = _find_composer(lines)
    end = box if box is not None else len(lines)
    # Codex leaves its viewport's blank rows between the history and the composer.
    above = [s for s in lines[max(0, end - _STATE_SCAN) : end] if s.strip()][-_STATE_WINDOW:]
    below = [s.strip() for s in lines[end:] if s.strip()] if box is not None else []
    for s in [*above[-3:], *below]:
        if p.BUSY_RE.search(s):
            return AgentScreen(ScreenState.BUSY, detail=s.strip())
    cell = next((s for s in reversed(above) if s.startswith(_CELL_GLYPHS)), None)
    if cell is not None and p.ERROR_CELL_RE.match(cell):
        return AgentScreen(ScreenState.ERROR, detail=cell.strip())
    if box is not None:
        return AgentScreen(ScreenState.IDLE, detail="input box ready")
    return AgentScreen(ScreenState.UNKNOWN, detail="no Codex dialog, status or input box")


def _find_composer(lines: list[str]) -> int | None:
    """The composer's first line: `› ` at the left edge with Codex's footer under it."""
    n = len(lines)
    for j in range(n - 1, max(-1, n - 10), -1):
        if p.INPUT_RE.match(lines[j]) and any(
            p.IDLE_HINT_RE.search(s) or " · " in s for s in lines[j : j + 5]
        ):
            return j
    return None
