"""Building control-mode command lines safely.

Commands typed into a control client are parsed by tmux's own command parser, so every argument
is quoted here: printable text goes inside single quotes (where tmux expands nothing: no `$VAR`,
`~`, `#{format}`, `;` or `#` comment), a single quote becomes `\\'` and control characters
become octal escapes outside the quotes, so a command is always exactly one line.
"""

from __future__ import annotations

import re

from yesman.tmux._errors import InvalidKeyError, InvalidTargetError

__all__ = ["check_key", "check_pane_id", "check_session_id", "command_line", "quote"]

_PANE_ID = re.compile(r"%[0-9]+")
_SESSION_ID = re.compile(r"\$[0-9]+")

# Named keys tmux understands (key-string.c); anything else send-keys would type out as text.
_KEY_NAMES = frozenset(
    {
        "Enter", "Escape", "Tab", "BTab", "BSpace", "Space", "Up", "Down", "Left", "Right",
        "Home", "End", "PageUp", "PgUp", "PPage", "PageDown", "PgDn", "NPage", "IC", "Insert",
        "DC", "Delete", "Any",
        *(f"F{n}" for n in range(1, 13)),
        *(f"KP{k}" for k in ("/", "*", "-", "+", ".", "Enter", *map(str, range(10)))),
    }
)  # fmt: skip
_MODIFIED = re.compile(r"(?:[CMS]-)+(.+)")


def check_pane_id(pane_id: str) -> str:
    """`pane_id` if it is tmux's unique pane id (`%N`), else InvalidTargetError."""
    if not isinstance(pane_id, str) or not _PANE_ID.fullmatch(pane_id):
        raise InvalidTargetError("pane", pane_id, "%3")
    return pane_id


def check_session_id(session_id: str) -> str:
    """`session_id` if it is tmux's unique session id (`$N`), else InvalidTargetError."""
    if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        raise InvalidTargetError("session", session_id, "$0")
    return session_id


def check_key(key: str) -> str:
    """`key` if send-keys would send it as one key press, else InvalidKeyError.

    Accepted: one printable character (a digit, a letter), a tmux key name (`Escape`, `Enter`),
    optionally with `C-`/`M-`/`S-` modifiers. Longer strings are refused because tmux would type
    them out character by character, which is what send_literal() is for.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKeyError(key)
    base = key
    modified = _MODIFIED.fullmatch(key)
    if modified is not None:
        base = modified.group(1)
    if base in _KEY_NAMES:
        return key
    if len(base) == 1 and base.isprintable():
        return key
    raise InvalidKeyError(key)


def quote(arg: str) -> str:
    """One argument quoted for tmux's command parser (always a single line).

    Raises ValueError for text tmux cannot carry: NUL, or lone surrogates (not valid UTF-8).
    """
    if "\x00" in arg:
        raise ValueError("tmux arguments cannot contain NUL characters; remove them first")
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"argument holds characters that are not valid UTF-8 (at index {exc.start}); "
            "decode the text with errors='replace' first"
        ) from exc
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append("'" + "".join(run) + "'")
            run.clear()

    for ch in arg:
        code = ord(ch)
        if ch == "'":
            flush()
            out.append("\\'")
        elif code < 0x20 or code == 0x7F:
            flush()
            out.append(f"\\{code:03o}")
        else:
            run.append(ch)
    flush()
    return "".join(out) or "''"


_COMMAND_NAME = re.compile(r"[a-z][a-z-]*")
# Commands that queue further commands: tmux answers those with extra %begin/%end blocks, which
# would pair later replies with the wrong commands. They have no place in a watcher anyway.
_QUEUEING = frozenset(
    {
        "if-shell", "if", "run-shell", "run", "source-file", "source", "confirm-before",
        "confirm", "command-prompt", "display-menu", "menu", "display-popup", "popup",
        "choose-tree", "choose-client", "choose-buffer",
    }
)  # fmt: skip


def command_line(*argv: str) -> str:
    """A full command line: command name then quoted arguments (one tmux command only)."""
    if not argv or not _COMMAND_NAME.fullmatch(argv[0]):
        raise ValueError(
            f"tmux command name {argv[0] if argv else ''!r} is not a plain command such as "
            "'capture-pane'; pass the arguments separately"
        )
    if argv[0] in _QUEUEING:
        raise ValueError(
            f"{argv[0]!r} queues other commands, which the control channel cannot pair with "
            "replies; run the commands it would run directly"
        )
    return " ".join([argv[0], *(quote(a) for a in argv[1:])])
