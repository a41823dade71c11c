"""Peel wrappers off a simple command to find the program that really runs.

`sudo env FOO=1 nice -n 5 timeout 10 xargs rm -rf` runs `rm -rf` with arguments from stdin. Each
wrapper's options are skipped by its own table (options that take a value consume the next
word). Project runners (`uv run`, `poetry run`) and package runners (`npx`, `pnpm dlx`, `uvx`)
count as wrappers too, and so do tracers and sandboxes (`strace`, `unshare`, `systemd-run`).
`xargs`, `parallel` and `fd -x` run their command with words nobody can see. Wrappers that take a
command *string* (`bash -c`, `sh -c`, `eval`, `env -S`, `su -c`, `sg -c`, `script -c`, `watch`,
`npx -c`, `trap`, `alias`) hand that string back for a fresh split. The shell keywords
`function NAME` and `coproc` are skipped like `if` and `then`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Final

from yesman.policy._command_tables import STDIN_PATHS
from yesman.policy._wrapper_tables import (
    ENV_VALUE,
    FD_EXEC,
    PACKAGE_RUNNERS,
    PACKAGE_STRINGS,
    PARALLEL_ARGS,
    PARALLEL_VALUE,
    RUNNERS,
    SHELL_VALUE,
    STRING_OPTIONS,
    WATCH_VALUE,
    WRAPPERS,
    XARGS_VALUE,
)

__all__ = ["Unwrapped", "unwrap"]

SHELLS: Final = frozenset({"bash", "sh", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"})
INTERPRETERS: Final = frozenset(
    {"python", "python3", "python2", "perl", "ruby", "node", "php", "lua", "tclsh", "osascript"}
)
PRIVILEGE: Final = frozenset({"sudo", "doas", "su", "pkexec", "run0", "sudoedit"})
_RESERVED: Final = frozenset(
    {"{", "}", "!", "then", "do", "else", "elif", "if", "while", "until", "fi", "done", "esac"}
)


@dataclass(slots=True)
class Unwrapped:
    """The program that runs and what the wrappers around it told us."""

    words: list[str]
    wrappers: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)  # command strings to split and analyse
    stdin_args: bool = False  # xargs appends arguments nobody can see
    cwd_unknown: bool = False  # env -C / sudo -D moved the working directory
    assignments: list[str] = field(default_factory=list)  # NAME=value set for the program


def program(word: str) -> str:
    """`/usr/bin/rm` and `\\rm` both run `rm`."""
    return os.path.basename(word.lstrip("\\"))


def unwrap(words: list[str]) -> Unwrapped:
    """Strip assignments, reserved words and wrappers until the real program is first."""
    result = Unwrapped(list(words))
    for _ in range(32):  # every pass removes at least one word, so this bounds the work
        w = _skip_keywords(result.words, result.assignments)
        result.words = w
        if not w:
            return result
        name = program(w[0])
        if name in WRAPPERS:
            if name == "command" and len(w) > 1 and w[1] in ("-v", "-V"):
                result.words = []  # `command -v x` only looks x up
                return result
            if name == "sudo" and any(x in ("-D", "--chdir") for x in w[1:]):
                result.cwd_unknown = True
            value_opts, positional = WRAPPERS[name]
            result.wrappers.append(name)
            result.words = _skip_options(w[1:], value_opts, positional)
        elif name == "env":
            result.wrappers.append(name)
            result.words = _unwrap_env(w[1:], result)
        elif name in ("eval",):
            result.wrappers.append(name)
            result.strings.append(" ".join(w[1:]))
            result.words = []
        elif name == "watch":
            result.wrappers.append(name)
            rest = _skip_options(w[1:], WATCH_VALUE, 0)
            result.strings.append(" ".join(rest))
            result.words = []
        elif name == "su":
            result.wrappers.append(name)
            rest = w[1:]
            for k, x in enumerate(rest):
                if x in ("-c", "--command") and k + 1 < len(rest):
                    result.strings.append(rest[k + 1])
            result.words = []
        elif name in SHELLS and _shell_command_string(w) is not None:
            result.wrappers.append(name)
            result.strings.append(_shell_command_string(w) or "")
            result.words = []
        elif name in RUNNERS and len(w) > 1 and w[1] == "run":
            result.wrappers.append(f"{name} run")
            result.words = _skip_options(w[2:], RUNNERS[name], 0)
        elif (runner := _package_runner(w)) is not None:
            result.wrappers.append(name)
            result.words = _unwrap_package_runner(w, runner, result)
        elif name == "busybox" and len(w) > 1:
            result.wrappers.append(name)
            result.words = w[1:]
        elif name in ("xargs", "parallel") or (name in ("fd", "fdfind") and FD_EXEC & set(w)):
            result.wrappers.append(name)
            result.stdin_args = True  # fd -x and parallel add paths and words nobody can see
            result.words = _unwrap_appending(name, w)
        elif name in STRING_OPTIONS or name in ("trap", "alias"):
            result.wrappers.append(name)
            result.strings.extend(_command_strings(name, w[1:]))
            result.words = []
        else:
            return result
    return result


def _skip_keywords(words: list[str], assignments: list[str]) -> list[str]:
    """Drop leading assignments (kept in `assignments`), reserved words and `function NAME`."""
    w = words
    while w:
        if w[0] == "function":
            w = w[2:]  # the keyword and the function's name; its body follows
        elif w[0] == "coproc":
            w = w[2:] if len(w) > 2 and w[2] == "{" else w[1:]  # `coproc NAME { ...; }`
        elif w[0] in _RESERVED:
            w = w[1:]
        elif _is_assignment(w[0]):
            assignments.append(w[0])
            w = w[1:]
        else:
            break
    return w


def _unwrap_appending(name: str, words: list[str]) -> list[str]:
    """The command xargs, parallel or `fd -x` runs; without one, what they fall back to."""
    if name in ("fd", "fdfind"):
        at = next(k for k, x in enumerate(words) if x in FD_EXEC)
        return words[at + 1 :] or ["echo"]
    if name == "xargs":
        return _skip_options(words[1:], XARGS_VALUE, 0) or ["echo"]
    rest = _skip_options(words[1:], PARALLEL_VALUE, 0)
    cut = next((k for k, x in enumerate(rest) if x in PARALLEL_ARGS), len(rest))
    # Without a command, parallel runs each line it reads as a shell command.
    return rest[:cut] or ["sh"]


def _command_strings(name: str, args: list[str]) -> list[str]:
    """The command strings of `sg -c`, `script -c`, `trap 'cmd' SIG`, `alias n='cmd'`."""
    if name == "alias":
        return [a.partition("=")[2] for a in args if "=" in a]
    if name == "trap":
        rest = args[1:] if args[:1] == ["--"] else args
        # `trap - SIG` resets, `trap -p`/`-l` list; otherwise the first word is the command.
        return [rest[0]] if len(rest) >= 2 and not rest[0].startswith("-") else []
    options = STRING_OPTIONS[name]
    found = [args[k + 1] for k, a in enumerate(args[:-1]) if a in options]
    found += [a.partition("=")[2] for a in args if a.startswith("--command=")]
    if name == "sg" and not found and len(args) > 1:
        found.append(" ".join(args[1:]))  # `sg group cmd args`: the rest is the command
    return found


def _package_runner(words: list[str]) -> tuple[str, str | None] | None:
    name = program(words[0])
    if (name, None) in PACKAGE_RUNNERS:
        return (name, None)
    key = (name, words[1] if len(words) > 1 else None)
    return key if key in PACKAGE_RUNNERS else None


def _unwrap_package_runner(
    words: list[str], key: tuple[str, str | None], result: Unwrapped
) -> list[str]:
    rest = words[1:] if key[1] is None else words[2:]
    value_opts = PACKAGE_RUNNERS[key]
    i = 0
    while i < len(rest) and rest[i].startswith("-") and rest[i] != "--":
        if rest[i] in PACKAGE_STRINGS and i + 1 < len(rest):
            result.strings.append(rest[i + 1])
            return []
        if rest[i].startswith("--call="):
            result.strings.append(rest[i].partition("=")[2])
            return []
        i += 2 if rest[i] in value_opts else 1
    if i < len(rest) and rest[i] == "--":
        i += 1
    return rest[i:]


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.isidentifier()


def _skip_options(words: list[str], value_opts: frozenset[str], positional: int) -> list[str]:
    i = 0
    n = len(words)
    while i < n:
        x = words[i]
        if x == "--":
            i += 1
            break
        if not x.startswith("-") or x == "-":
            break
        if x in value_opts:
            i += 2
        else:
            i += 1  # a flag, a cluster of flags, or --option=value
    return words[i + positional :]


def _unwrap_env(words: list[str], result: Unwrapped) -> list[str]:
    i = 0
    n = len(words)
    while i < n:
        x = words[i]
        if x in ("-S", "--split-string") and i + 1 < n:
            result.strings.append(" ".join(words[i + 1 :]))
            return []
        if x.startswith("--split-string="):
            result.strings.append(" ".join([x.partition("=")[2], *words[i + 1 :]]))
            return []
        if x in ("-C", "--chdir") or x.startswith("--chdir="):
            result.cwd_unknown = True
        if x == "--":
            i += 1
            break
        if x in ENV_VALUE:
            i += 2
        elif x.startswith("-") or _is_assignment(x):
            if not x.startswith("-"):
                result.assignments.append(x)
            i += 1
        else:
            break
    return words[i:]


def _shell_command_string(words: list[str]) -> str | None:
    """The string a shell runs with -c, or None if it runs a script or reads stdin."""
    i = 1
    n = len(words)
    has_c = False
    while i < n:
        x = words[i]
        if x in SHELL_VALUE:
            i += 2
            continue
        if x.startswith("-") and not x.startswith("--") and "c" in x[1:]:
            has_c = True
        elif not x.startswith(("-", "+")):
            return x if has_c else None
        i += 1
    return "" if has_c else None


def shell_reads_stdin(words: list[str]) -> bool:
    """A shell started without -c and without a script file reads commands from stdin."""
    i = 1
    n = len(words)
    while i < n:
        x = words[i]
        if x in SHELL_VALUE:
            i += 2
            continue
        if x in {"-s", "-"} or x in STDIN_PATHS:
            return True
        if not x.startswith(("-", "+")):
            return False
        i += 1
    return True
