"""Peel wrappers off a simple command to find the program that really runs.

`sudo env FOO=1 nice -n 5 timeout 10 xargs rm -rf` runs `rm -rf` with arguments from stdin. Each
wrapper's options are skipped by its own table (project runners such as `uv run` and
`poetry run` count as wrappers too) (options that take a value consume the next word),
and wrappers that take a command *string* (`bash -c`, `sh -c`, `eval`, `env -S`, `su -c`,
`watch`) hand that string back for a fresh split.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Final

__all__ = ["Unwrapped", "unwrap"]

SHELLS: Final = frozenset({"bash", "sh", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"})
INTERPRETERS: Final = frozenset(
    {"python", "python3", "python2", "perl", "ruby", "node", "php", "lua", "tclsh", "osascript"}
)
PRIVILEGE: Final = frozenset({"sudo", "doas", "su", "pkexec", "run0", "sudoedit"})
_RESERVED: Final = frozenset(
    {"{", "}", "!", "then", "do", "else", "elif", "if", "while", "until", "fi", "done", "esac"}
)

# wrapper -> (options that take a value, whether a word after the options is consumed first)
_WRAPPERS: Final[dict[str, tuple[frozenset[str], int]]] = {
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "pkexec": (frozenset({"--user"}), 0),
    "run0": (frozenset({"-u", "--user", "-g", "--group", "-D", "--chdir"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "--class", "--classdata"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "nohup": (frozenset(), 0),
    "setsid": (frozenset(), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "chroot": (frozenset({"--userspec", "--groups"}), 1),
    "taskset": (frozenset(), 1),
    "caffeinate": (frozenset({"-t", "-w"}), 0),
    "unbuffer": (frozenset(), 0),
    "flock": (frozenset({"-w", "-E", "--timeout", "--conflict-exit-code"}), 1),
}
_XARGS_VALUE: Final = frozenset(
    {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args"}
)
_ENV_VALUE: Final = frozenset({"-u", "--unset", "-C", "--chdir"})
_SHELL_VALUE: Final = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_WATCH_VALUE: Final = frozenset({"-n", "--interval", "-q", "--equexit"})
# Project runners whose `run` subcommand starts a program in the project's environment
# (`uv run python -c ...` runs `python -c ...`): options that take a value.
_RUNNERS: Final[dict[str, frozenset[str]]] = {
    "uv": frozenset(
        {
            "--with",
            "--with-editable",
            "--with-requirements",
            "--python",
            "-p",
            "--package",
            "--extra",
            "--group",
            "--env-file",
            "--directory",
            "--project",
            "--index",
            "--index-url",
            "--default-index",
        }
    ),
    "poetry": frozenset({"--directory", "-C", "--project", "-P"}),
    "pdm": frozenset({"--project", "-p", "--venv"}),
    "pipenv": frozenset(),
    "hatch": frozenset({"--env", "-e"}),
    "rye": frozenset({"--pyproject"}),
    "conda": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "micromamba": frozenset({"-n", "--name", "-p", "--prefix"}),
}


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
        w = result.words
        while w and (_is_assignment(w[0]) or w[0] in _RESERVED):
            if w[0] not in _RESERVED:
                result.assignments.append(w[0])
            w = w[1:]
        result.words = w
        if not w:
            return result
        name = program(w[0])
        if name in _WRAPPERS:
            if name == "command" and len(w) > 1 and w[1] in ("-v", "-V"):
                result.words = []  # `command -v x` only looks x up
                return result
            if name == "sudo" and any(x in ("-D", "--chdir") for x in w[1:]):
                result.cwd_unknown = True
            value_opts, positional = _WRAPPERS[name]
            result.wrappers.append(name)
            result.words = _skip_options(w[1:], value_opts, positional)
        elif name == "env":
            result.wrappers.append(name)
            result.words = _unwrap_env(w[1:], result)
        elif name == "xargs":
            result.wrappers.append(name)
            result.stdin_args = True
            rest = _skip_options(w[1:], _XARGS_VALUE, 0)
            result.words = rest or ["echo"]
        elif name in ("eval",):
            result.wrappers.append(name)
            result.strings.append(" ".join(w[1:]))
            result.words = []
        elif name == "watch":
            result.wrappers.append(name)
            rest = _skip_options(w[1:], _WATCH_VALUE, 0)
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
        elif name in _RUNNERS and len(w) > 1 and w[1] == "run":
            result.wrappers.append(f"{name} run")
            result.words = _skip_options(w[2:], _RUNNERS[name], 0)
        elif name == "busybox" and len(w) > 1:
            result.wrappers.append(name)
            result.words = w[1:]
        else:
            return result
    return result


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
        if x in _ENV_VALUE:
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
        if x in _SHELL_VALUE:
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
        if x in _SHELL_VALUE:
            i += 2
            continue
        if x in {"-s", "-"}:
            return True
        if not x.startswith(("-", "+")):
            return False
        i += 1
    return True
