"""Read one Gemini CLI screen: which state, and which dialog if one waits.

The dialog is the rounded box at the bottom whose last lines are a numbered menu (`_patterns`
draws one). The parser finds the menu at the bottom (only blank lines and the box's bottom edge
under it), then the box's top edge above option 1, and reads the header, question and the boxed
command or preview in between. While a dialog waits the composer is hidden, so a numbered list
in Gemini's answer (always above the composer) is never read as a dialog.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.agents._text import clean_lines
from yesman.agents.gemini import _patterns as p
from yesman.agents.gemini._tools import tool_kind

__all__ = ["parse_screen"]

_MAX_TRAILER = 8
_MAX_MENU = 30
_MAX_DIALOG = 80
_STATE_SCAN = 14
_SKIPPED = frozenset("▄─ℹ")  # composer top, rule, info notes


@dataclass(frozen=True, slots=True)
class _Menu:
    options: tuple[Option, ...]
    highlighted: int
    first: int
    column: int  # where the options' marker column starts


def parse_screen(text: str) -> AgentScreen:
    """How Gemini CLI's screen reads; never raises on bad input."""
    lines = clean_lines(text)
    if not lines:
        return AgentScreen(ScreenState.UNKNOWN, detail="empty screen")
    menu = _read_menu(lines)
    if menu is not None:
        prompt = _read_dialog(lines, menu)
        if prompt is not None:
            return AgentScreen(ScreenState.WAITING, prompt, detail=prompt.question)
    return _read_state(lines)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _read_menu(lines: list[str]) -> _Menu | None:
    i = len(lines) - 1
    while i >= 0 and len(lines) - 1 - i < _MAX_TRAILER:
        s = lines[i].strip()
        if not s or s.startswith(p.BOX_BOTTOM):
            i -= 1
        else:
            break
    found: list[tuple[int, int, str, bool, int]] = []
    pending: list[str] = []
    j = i
    while j >= 0 and i - j < _MAX_MENU:
        line = lines[j]
        m = p.OPTION_RE.match(line)
        if m is not None:
            number, column = int(m.group(3)), m.start(3)
            if found and (number != found[-1][1] - 1 or column != found[-1][4]):
                return None
            text = " ".join([m.group(4).strip(), *(x.strip() for x in reversed(pending))])
            found.append((j, number, text, m.group(2) is not None, column))
            pending = []
            if number == 1:
                break
        elif line.strip() and (not found or _indent(line) > found[-1][4]):
            pending.append(line)
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
    first_line = lines[found[0][0]]
    return _Menu(options, marked[0], found[0][0], _indent(first_line))


def _read_dialog(lines: list[str], menu: _Menu) -> Prompt | None:
    top = None
    for t in range(menu.first - 1, max(-1, menu.first - _MAX_DIALOG), -1):
        s = lines[t].strip()
        if s.startswith(p.BOX_TOP) and _indent(lines[t]) < menu.column:
            top = t
            break
    if top is None:
        return None
    region = lines[top + 1 : menu.first]
    texts = [s.strip() for s in region if s.strip()]
    cues = "\n".join([*texts, *(o.text for o in menu.options)]).lower()
    for kind, pattern in p.KIND_CUES:
        if pattern.search(cues):
            return _special(kind, texts, region=region, menu=menu, top=top, lines=lines)
    header = next((p.HEADER_RE.match(s) for s in texts if p.HEADER_RE.match(s)), None)
    question = next((s for s in reversed(texts) if s.endswith("?")), None)
    if header is None or question is None:
        return _build(PromptKind.OTHER, None, None, question, menu=menu, top=top, lines=lines)
    display, what = header.group(1), (header.group(2) or "").strip()
    tool = p.DISPLAY_NAMES.get(display.lower(), display)
    mcp = p.MCP_QUESTION_RE.match(question)
    if mcp is not None:
        return _build(
            PromptKind.TOOL_PERMISSION,
            "mcp",
            f"{mcp.group(2)}/{mcp.group(1)}",
            question,
            menu=menu,
            top=top,
            lines=lines,
        )
    if not any(r.match(question) for r in p.PERMISSION_QUESTIONS):
        return _build(PromptKind.OTHER, tool, None, question, menu=menu, top=top, lines=lines)
    target, physical = _target(tool, what, region)
    return _build(
        PromptKind.TOOL_PERMISSION,
        tool,
        target,
        question,
        menu=menu,
        top=top,
        lines=lines,
        target_lines=physical,
    )


def _target(tool: str, what: str, region: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """(target, its physical lines) for a tool confirmation. A path Gemini cut short with "…"
    is no path: the guards then hold the dialog rather than guess."""
    if tool == "run_shell_command":
        boxed = _boxed(region)
        return ("\n".join(boxed) or what or None), boxed
    if tool in ("write_file", "replace"):
        m = (p.WRITING_TO_RE if tool == "write_file" else p.EDIT_TARGET_RE).match(what)
        path = m.group(1).strip() if m is not None else None
        if path is None or path.endswith("…"):
            return None, ()
        return path, ()
    if tool == "web_fetch":
        urls = [m.group(0) for s in region if (m := p.URL_RE.search(s)) and "…" not in m.group(0)]
        return (urls[-1] if urls else None), ()
    return (what or None), ()


def _boxed(region: list[str]) -> tuple[str, ...]:
    """The lines inside the inner box (the command), without their frame."""
    out: list[str] = []
    inside = False
    for line in region:
        s = line.strip()
        if s.startswith(p.BOX_TOP):
            inside = True
            continue
        if s.startswith(p.BOX_BOTTOM):
            break
        if inside:
            out.append(s.strip("│").strip())
    return tuple(x for x in out if x)


def _special(
    kind: PromptKind,
    texts: list[str],
    *,
    region: list[str],
    menu: _Menu,
    top: int,
    lines: list[str],
) -> Prompt:
    question = next((s for s in texts if s.endswith("?")), texts[0] if texts else None)
    target = None
    tool = None
    if kind is PromptKind.TRUST_FOLDER:
        target = next((m.group(1) for s in texts if (m := p.TRUST_PATH_RE.match(s))), None)
    elif kind is PromptKind.QUESTION:
        tool = "ask_user"
    elif kind is PromptKind.PLAN_APPROVAL:
        tool = "exit_plan_mode"
    elif kind is PromptKind.USAGE_LIMIT:
        question = next((s for s in texts if "usage limit" in s.lower()), question)
    return _build(kind, tool, target, question, menu=menu, top=top, lines=lines)


def _build(
    kind: PromptKind,
    tool: str | None,
    target: str | None,
    question: str | None,
    *,
    menu: _Menu,
    top: int,
    lines: list[str],
    target_lines: tuple[str, ...] = (),
) -> Prompt:
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
        span=(top, len(lines) - 1),
        target_lines=target_lines,
        tool_kind=tool_kind(tool),
    )


def _read_state(lines: list[str]) -> AgentScreen:
    n = len(lines)
    tail = lines[max(0, n - _STATE_SCAN) :]
    box = next(
        (j for j in range(n - 1, max(-1, n - _STATE_SCAN), -1) if p.INPUT_RE.match(lines[j])),
        None,
    )
    idle = box is not None and any(p.IDLE_HINT_RE.search(s) for s in tail)
    for s in tail:
        if p.BUSY_RE.search(s):
            return AgentScreen(ScreenState.BUSY, detail=s.strip())
    if idle and box is not None:
        error = _last_item_error(lines, box)
        if error is not None:
            return AgentScreen(ScreenState.ERROR, detail=error)
        return AgentScreen(ScreenState.IDLE, detail="input box ready")
    return AgentScreen(ScreenState.UNKNOWN, detail="no Gemini CLI dialog, spinner or input box")


def _last_item_error(lines: list[str], box: int) -> str | None:
    """The last history item above the composer, when it is an error ("✕ [API Error: ...]").

    Walks up past the composer's frame, key hints, indented continuation lines and "ℹ" notes
    to the first item that starts at the left edge; only that one counts, so an error followed
    by a later answer no longer reads as an error.
    """
    for j in range(box - 1, max(-1, box - _MAX_DIALOG), -1):
        line = lines[j]
        if not line.strip() or line[:1] == " " or line[:1] in _SKIPPED:
            continue
        return line.strip() if p.ERROR_RE.match(line) else None
    return None
