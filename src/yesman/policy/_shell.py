"""Split a shell command line into the simple commands it runs.

Not a shell: just enough of one to see every command a line can start. Command substitutions
(`$(...)`, backticks, `<(...)`, `>(...)`) are cut out and split on their own; in the outer line
they become a placeholder word whose value is unknown. Lists and pipelines (`;`, `&`, `&&`, `||`,
`|`, newlines) and subshell parentheses separate commands. Quotes are honoured through `shlex`.
Anything this module cannot split with certainty raises :class:`ShellSyntaxError`, and the caller
treats the command as dangerous.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Final

from yesman._errors import YesmanError

__all__ = ["PLACEHOLDER", "ShellSyntaxError", "SimpleCommand", "split_commands"]

# Stands for the output of a command substitution: a value nobody can know in advance.
PLACEHOLDER: Final = "\x00subst\x00"
MAX_LENGTH: Final = 16_384
MAX_DEPTH: Final = 8

_PUNCTUATION: Final = ";&|()<>\n"
_REDIRECTS: Final = frozenset(
    {">", ">>", "<", "<<", "<<<", "<<-", ">&", "<&", "&>", "&>>", ">|", "<>"}
)
WRITE_REDIRECTS: Final = frozenset({">", ">>", "&>", "&>>", ">|", "<>", ">&"})


class ShellSyntaxError(YesmanError, ValueError):
    """The command line could not be split with certainty (unbalanced quotes, too deep ...)."""


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    """One command with its arguments and redirections, as the shell would start it.

    ``piped_in`` is true when its standard input is the output of an earlier pipeline stage.
    """

    words: tuple[str, ...]
    redirects: tuple[tuple[str, str], ...] = ()
    piped_in: bool = False
    depth: int = 0


def split_commands(text: str, depth: int = 0) -> list[SimpleCommand]:
    """Every simple command `text` would run, substitutions first, in source order after that."""
    if depth > MAX_DEPTH:
        raise ShellSyntaxError("commands nested too deeply to analyse")
    if len(text) > MAX_LENGTH:
        raise ShellSyntaxError(f"command longer than {MAX_LENGTH} characters")
    text = text.replace("\\\n", "")
    outer, inner = _cut_substitutions(text)
    commands: list[SimpleCommand] = []
    for sub in inner:
        commands.extend(split_commands(sub, depth + 1))
    commands.extend(_split_outer(outer, depth))
    return commands


def _cut_substitutions(text: str) -> tuple[str, list[str]]:
    """(text with substitutions replaced by PLACEHOLDER, the substitutions' contents)."""
    if "$(" not in text and "`" not in text and "<(" not in text and ">(" not in text:
        return text, []
    out: list[str] = []
    inner: list[str] = []
    i = 0
    n = len(text)
    quote = ""  # "'" inside single quotes, '"' inside double quotes
    while i < n:
        c = text[i]
        if quote == "'":
            out.append(c)
            if c == "'":
                quote = ""
            i += 1
        elif c == "\\" and i + 1 < n:
            out.append(text[i : i + 2])
            i += 2
        elif c == "'" and not quote:
            quote = "'"
            out.append(c)
            i += 1
        elif c == '"':
            quote = "" if quote == '"' else '"'
            out.append(c)
            i += 1
        elif c in "$<>" and i + 1 < n and text[i + 1] == "(" and (c == "$" or not quote):
            end = _matching_paren(text, i + 1)
            inner.append(text[i + 2 : end])
            out.append(PLACEHOLDER)
            i = end + 1
        elif c == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ShellSyntaxError("unbalanced backquote")
            inner.append(text[i + 1 : end])
            out.append(PLACEHOLDER)
            i = end + 1
        else:
            out.append(c)
            i += 1
    if quote:
        raise ShellSyntaxError("unbalanced quote")
    return "".join(out), inner


def _matching_paren(text: str, open_at: int) -> int:
    level = 0
    quote = ""
    i = open_at
    n = len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == "(":
            level += 1
        elif c == ")":
            level -= 1
            if level == 0:
                return i
        i += 1
    raise ShellSyntaxError("unbalanced parenthesis in a command substitution")


def _split_outer(text: str, depth: int) -> list[SimpleCommand]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError as exc:  # shlex: "No closing quotation", "No escaped character"
        raise ShellSyntaxError(str(exc)) from exc

    commands: list[SimpleCommand] = []
    words: list[str] = []
    redirects: list[tuple[str, str]] = []
    piped_in = False
    pending_redirect: str | None = None

    def finish(next_piped: bool) -> None:
        nonlocal words, redirects, piped_in
        if words or redirects:
            commands.append(SimpleCommand(tuple(words), tuple(redirects), piped_in, depth))
        words, redirects = [], []
        piped_in = next_piped

    for token in tokens:
        if pending_redirect is not None:
            if token and all(ch in _PUNCTUATION for ch in token):
                raise ShellSyntaxError(f"redirection {pending_redirect!r} without a target")
            redirects.append((pending_redirect, token))
            pending_redirect = None
        elif token and all(ch in _PUNCTUATION for ch in token):
            if token in _REDIRECTS:
                pending_redirect = token
            else:
                # shlex glues neighbouring operators (";(", ")&&"): any bare "|" among them
                # means the next command reads a pipe.
                finish("|" in token.replace("||", ""))
        else:
            words.append(token)
    if pending_redirect is not None:
        raise ShellSyntaxError(f"redirection {pending_redirect!r} without a target")
    finish(False)
    return commands
