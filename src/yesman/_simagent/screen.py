"""How the simulated agent draws and reads: Claude Code 2.1.x's text layout and key bytes.

Pure functions over strings, so the layout can be tested without a terminal. Styles are whole-line
SGR codes: `tmux capture-pane` without ``-e`` drops them, so they never change the text a watcher
sees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from yesman._simagent.scenarios import Dialog, Scenario

__all__ = [
    "SPINNER",
    "Line",
    "answer",
    "banner",
    "input_box",
    "outcome",
    "parse_keys",
    "pending",
    "render_dialog",
    "render_rows",
    "spinner_line",
    "user_message",
    "wrap_line",
]

SPINNER: Final = ("·", "✢", "✳", "✶", "✻", "✽")
_GUTTER_FROM: Final = 80
_POINTER: Final = "\u276f"  # the heavy angle quote Claude uses for its highlight and prompt

DIM: Final = "\x1b[2m"
ACCENT: Final = "\x1b[38;5;153m"  # the highlight colour real captures show
WARN: Final = "\x1b[38;2;255;193;7m"
BOLD: Final = "\x1b[1m"
RESET: Final = "\x1b[0m"


# --------------------------------------------------------------------------- text layout


@dataclass(frozen=True, slots=True)
class Line:
    """One logical line, wrapped to the width at draw time.

    Its first `hang` characters are a prefix ("   2. ", "  ⎿  "); continuation rows start with
    `hang` spaces instead, or with `gutter` when set (the " │ " of long commands). `right` is
    the margin kept free on the right, as Claude Code's padded boxes do.
    """

    text: str
    hang: int = 0
    style: str = ""
    gutter: str = ""
    right: int = 0


def _wrap_words(text: str, columns: int) -> list[str]:
    """Greedy word wrap the way Ink's wrap-ansi does it (``trim: false, hard: true``).

    Its quirk is kept on purpose: after a row filled to exactly `columns`, the next row begins
    with the separating space, so that row holds one character less. Real captures show it.
    """
    rows = [""]
    for index, word in enumerate(text.split(" ")):
        length = len(rows[-1])
        if index:
            if length >= columns:
                rows.append("")
                length = 0
            rows[-1] += " "
            length += 1
        if len(word) > columns:  # hard wrap: cut the word, starting here if that saves a row
            room = columns - length
            if (len(word) - 1) // columns < 1 + (len(word) - room - 1) // columns:
                rows.append("")
            for char in word:
                if len(rows[-1]) >= columns:
                    rows.append("")
                rows[-1] += char
            continue
        if length + len(word) > columns and length > 0 and word:
            if rows[-1].strip():
                rows.append("")
            else:  # only the carried-over space: reuse the row rather than leave it blank
                rows[-1] = ""
        rows[-1] += word
    return rows


def wrap_line(text: str, width: int, hang: int | str = 0, right: int = 0) -> list[str]:
    """Wrap `text` to `width` columns like Claude Code (Ink) does.

    The first `hang` characters of `text` (or ``len(hang)`` when it is a string) are its prefix;
    continuation rows start with `hang` spaces (or `hang` itself). The rest wraps at spaces in
    ``width - len(prefix) - right`` columns; words longer than that are cut. Every row is at
    most `width` characters.
    """
    width = max(width, 1)
    lead = hang if isinstance(hang, str) else " " * hang
    lead = lead[: width - 1]
    columns = max(1, width - len(lead) - max(right, 0))
    first, body = text[: len(lead)], text[len(lead) :]
    rows = _wrap_words(body, columns)
    out = [first + rows[0]]
    for row in rows[1:]:
        out.append(lead + (row[1:] if row.startswith(" ") else row))  # Ink drops that space
    return [row[:width].rstrip(" ") if len(rows) > 1 else row[:width] for row in out]


def _rule(width: int, char: str = "─") -> Line:
    return Line(char * width, style=DIM)


def _boxed(text: str, pad: str, width: int) -> list[Line]:
    """A command or warning: plain when short, else behind a "│" gutter.

    Real captures put the gutter on text longer than 80 columns even when a wide terminal fits
    it on one line, and never on short text, so the test is against min(width, 80).
    """
    if len(pad) + len(text) <= min(width, _GUTTER_FROM):
        return [Line(f"{pad}{text}", hang=len(pad))]
    return [Line(f"{pad}│ {text}", gutter=f"{pad}│ ")]


def render_dialog(dialog: Dialog, highlighted: int, width: int) -> list[Line]:
    """The dialog at the bottom of the screen, from its horizontal rule to its footer.

    Laid out like Claude Code 2.1.x (see tests/agents/claude/corpus): title, description, the
    command between dashed rules, long text behind a "│" gutter, the question, the options with
    continuation lines aligned under the option text, a blank line, the footer.
    """
    lines = (_render_plan if dialog.kind == "plan" else _render_box)(dialog, highlighted, width)
    # Text keeps as much room free on the right as it is indented on the left; rules span all.
    return [line if _is_rule(line) else replace(line, right=dialog.indent) for line in lines]


def _is_rule(line: Line) -> bool:
    return bool(line.text) and not line.text.strip(" ─╌▔")


def _render_box(dialog: Dialog, highlighted: int, width: int) -> list[Line]:
    pad = " " * dialog.indent
    lines: list[Line] = [_rule(width), Line(f"{pad}{dialog.title}", hang=len(pad), style=BOLD)]
    if dialog.tip:
        lines.append(Line(f"{pad}{dialog.tip}", hang=len(pad), style=DIM))
    if dialog.subtitle:
        lines.append(Line(f"{pad}{dialog.subtitle}", hang=len(pad)))
    if dialog.body:
        lines.append(_rule(width, "╌"))
        for text in dialog.body:
            lines.extend(_boxed(text, pad, width))
        lines.append(_rule(width, "╌"))
    if dialog.warning:
        lines.extend(replace(line, style=WARN) for line in _boxed(dialog.warning, pad, width))
        lines.append(Line(""))
    if dialog.about:
        heading, text = dialog.about
        lines.append(Line(f"{pad}{heading}", hang=len(pad)))
        lines.append(Line(f"{pad}│ {text}", gutter=f"{pad}│ "))
        lines.append(Line(""))
    for paragraph in dialog.paragraphs:
        lines.append(Line(""))
        lines.append(Line(f"{pad}{paragraph}" if paragraph else "", hang=len(pad)))
    if dialog.question:
        if dialog.paragraphs or dialog.kind in ("question", "plan"):
            lines.append(Line(""))
        lines.append(Line(f"{pad}{dialog.question}", hang=len(pad)))
    if dialog.kind != "permission":
        lines.append(Line(""))
    lines += _options(dialog, highlighted, width, pad)
    if dialog.footer:
        lines.append(Line(""))
        lines.append(Line(f"{pad}{dialog.footer}", hang=len(pad), style=DIM))
    return lines


def _options(dialog: Dialog, highlighted: int, width: int, pad: str) -> list[Line]:
    lines: list[Line] = []
    for index, label in enumerate(dialog.choices):
        if index == len(dialog.options):
            lines.append(_rule(width))  # AskUserQuestion sets "Chat about this" apart
        number = f"{index + 1}. " if dialog.numbered else ""
        pointer = _POINTER if index == highlighted else " "
        style = ACCENT if index == highlighted else ""
        hang = len(pad) + 2 + len(number)
        lines.append(Line(f"{pad}{pointer} {number}{label}", hang=hang, style=style))
        note = dialog.notes[index] if index < len(dialog.notes) else ""
        if note:
            lines.append(Line(f"{' ' * hang}{note}", hang=hang, style=DIM))
    return lines


def _render_plan(dialog: Dialog, highlighted: int, width: int) -> list[Line]:
    """Plan approval: the plan in an inset frame, then the question in a second one."""
    pad = " " * dialog.indent
    inset = "  "
    rule = Line(inset + "─" * max(1, width - 2 * len(inset)), style=DIM)
    dashes = Line(inset + "╌" * max(1, width - 2 * len(inset)), style=DIM)
    lines = [Line("▔" * width, style=DIM), Line(""), rule]
    lines += [Line(f"{pad}{dialog.title}", hang=len(pad), style=BOLD), Line("")]
    lines += [Line(f"{pad}{text}", hang=len(pad)) for text in dialog.paragraphs]
    lines += [
        dashes,
        *(Line(f"{pad}{text}" if text else "", hang=len(pad)) for text in dialog.body),
    ]
    lines += [dashes, Line(""), rule, Line(f"{pad}{dialog.question}", hang=len(pad)), Line("")]
    lines += _options(dialog, highlighted, width, pad)
    lines += [Line(""), Line(f"{pad}{dialog.footer}", hang=len(pad), style=DIM)]
    return lines


def input_box(width: int, *, busy: bool = False) -> list[Line]:
    """The prompt area: effort hint, the input line between two rules, the mode line.

    While busy the spinner sits above it and the mode line says "esc to interrupt".
    """
    effort = "◐ medium · /effort"
    hint = "esc to interrupt" if busy else "? for shortcuts"
    return [
        Line(f"{effort:>{max(len(effort), width - 2)}}", style=DIM),
        _rule(width),
        Line(f"{_POINTER}\u00a0"),  # Claude Code puts a no-break space after the mark
        _rule(width),
        Line(f"  ⏸ manual mode on · {hint} · ← for agents", hang=2, style=DIM),
    ]


def spinner_line(frame: int, word: str, elapsed: float = 0.0) -> Line:
    """The busy line; after a second Claude adds the time and a token count."""
    text = f"{SPINNER[frame % len(SPINNER)]} {word}…"
    if elapsed >= 1:
        text += f" ({elapsed:.0f}s · ↓ {round(elapsed * 8)} tokens)"
    return Line(text, style=ACCENT)


def user_message(text: str) -> list[Line]:
    return [Line(f"{_POINTER} {text}", hang=2), Line("")]


def pending(scenario: Scenario, bullet_on: bool) -> list[Line]:
    """The tool call waiting for permission, as shown above the dialog; its bullet blinks."""
    if not scenario.pending:
        return []
    head, *rest = scenario.pending
    lines = [Line(f"{'●' if bullet_on else ' '} {head}", hang=2)]
    lines.extend(
        Line(f"{'  ⎿  ' if i == 0 else '     '}{text}", hang=5) for i, text in enumerate(rest)
    )
    return lines


def _under(results: list[str], *, done: bool = True) -> list[Line]:
    # Finished calls put a no-break space after the elbow; the pending one a plain space.
    elbow = "  ⎿ \u00a0" if done else "  ⎿  "
    return [
        Line(f"{elbow if index == 0 else '     '}{text}", hang=5)
        for index, text in enumerate(results)
    ]


def outcome(scenario: Scenario, label: str | None, note: str) -> list[Line]:
    """The transcript after a dialog closes: the tool and its result, or the refusal."""
    if label is None:
        # As Claude Code shows a refused call: no bullet, the call, then the interruption.
        lines = [Line("  Did not run 1 call", hang=2)]
        for text in scenario.pending[1:]:
            lines += _under([text])
        lines += _under(["Interrupted · What should Claude do instead?"])
        if note:
            lines.append(Line(f"     ({note})", hang=5))
    elif scenario.done_line:  # "Ran 1 shell command", then Claude's reply
        lines = [Line(f"  {scenario.done_line}", hang=2), Line("")]
        lines += _reply([text.replace("{label}", label) for text in scenario.result])
    else:
        lines = [Line(f"● {scenario.tool_line}", hang=2)]
        lines += _under([text.replace("{label}", label) for text in scenario.result])
    lines.append(Line(""))
    return lines


def _reply(texts: list[str] | tuple[str, ...]) -> list[Line]:
    return [
        Line(f"{'● ' if index == 0 else '  '}{text}" if text else "", hang=2)
        for index, text in enumerate(texts)
    ]


def answer(scenario: Scenario, seconds: float) -> list[Line]:
    """A plain text reply: the bullet on the first line, the rest indented under it."""
    lines = [*_reply(scenario.answer), Line("")]
    if scenario.worked:
        lines += [Line(f"✻ Worked for {seconds:.0f}s", style=DIM), Line("")]
    return lines


def banner(cwd: str) -> list[Line]:
    """The start-up header: Claude's logo, version, a model line, the working folder."""
    return [
        Line(""),
        Line(" ▐▛███▛█   Claude Code v2.1.332"),
        Line("▝▜██████▀  yesman simulated agent · no API"),
        Line(f" ▝▝   ▝▝   {cwd}"),
        Line(""),
        Line(""),
    ]


# --------------------------------------------------------------------------- keys


def parse_keys(data: bytes) -> list[str]:
    """Split raw terminal input into key names: ``"1"``, ``"Enter"``, ``"Escape"``, ``"Up"``,
    ``"Down"``, ``"Left"``, ``"Right"``, ``"Tab"``, ``"BTab"``, ``"C-c"``, ``"C-d"``, other
    printable characters as themselves, anything else as ``"0x.."``.

    A lone ESC at the very end of `data` is ``"Escape"``; the caller waits briefly before
    parsing so a sequence split across reads is not mistaken for Esc.
    """
    arrows = {"A": "Up", "B": "Down", "C": "Right", "D": "Left", "Z": "BTab"}
    keys: list[str] = []
    text = data.decode("utf-8", errors="replace")
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\x1b":
            if i + 2 < len(text) and text[i + 1] in "[O" and text[i + 2] in arrows:
                keys.append(arrows[text[i + 2]])
                i += 3
                continue
            if i + 1 < len(text) and text[i + 1] in "[O":
                # Some other CSI/SS3 sequence: skip to its final byte.
                j = i + 2
                while j < len(text) and not ("@" <= text[j] <= "~"):
                    j += 1
                keys.append("0x1b")
                i = j + 1
                continue
            keys.append("Escape")
            i += 1
            continue
        named = {"\r": "Enter", "\n": "Enter", "\t": "Tab", "\x03": "C-c", "\x04": "C-d"}
        if char in named:
            keys.append(named[char])
        elif char.isprintable():
            keys.append(char)
        else:
            keys.append(f"0x{ord(char):02x}")
        i += 1
    return keys


def render_rows(logical: list[Line], width: int, height: int) -> list[tuple[str, str]]:
    """Wrap `logical` lines to `width` and keep the last `height` rows as (style, text)."""
    rows: list[tuple[str, str]] = []
    for line in logical:
        pieces = wrap_line(line.text, width, line.gutter or line.hang, line.right)
        rows.extend((line.style, piece) for piece in pieces)
    return rows[-height:]
