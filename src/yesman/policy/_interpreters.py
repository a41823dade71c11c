"""Code handed to an interpreter inline, which the guard cannot read.

`python3 -c '...'`, `perl -e '...'`, `node --eval`, `php -r`, `osascript -e`, a here-document or
a pipe into `python3` (or `python3 /dev/stdin`, or a makefile fed to `make -f -`): the program
text is Python, Perl, JavaScript ..., not shell, so the shell analysis cannot see what it does
(`shutil.rmtree("/")`). Such commands are held. A script file
named on the command line (`python3 tools/x.py`, `node server.js`, `python -m pytest`) is the
project's own code and is not held; shells' `-c` strings are shell and are analysed instead
(`_unwrap`).

Each interpreter's options are scanned the way it reads them: clustered short letters
(`perl -lne`), letters that take a value (`python -W error`, `ruby -r json`), and the first word
that is not an option, the script, which ends the interpreter's own options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from yesman.policy._command_tables import STDIN_PATHS

__all__ = ["INTERPRETER_NAMES", "inline_code"]


@dataclass(frozen=True, slots=True)
class _Syntax:
    code: str = ""  # short letters whose value is program text
    code_long: frozenset[str] = frozenset()  # long options whose value is program text
    values: str = ""  # short letters that take a value (attached or the next word)
    digits: str = ""  # short letters that take optional attached digits (perl -l, -0)
    values_long: frozenset[str] = frozenset()
    stops: str = ""  # short letters after which the rest are arguments (python -m module)
    code_commands: frozenset[str] = frozenset()  # subcommands that take code (deno eval)
    separate_values: bool = True  # False: values are only ever attached (perl -i.bak, -Ilib)


_JS: Final = _Syntax(
    code="ep",
    code_long=frozenset({"--eval", "--print"}),
    values="r",
    values_long=frozenset({"--require", "--import", "--loader", "--experimental-loader"}),
    code_commands=frozenset({"eval"}),
)
_SYNTAX: Final[dict[str, _Syntax]] = {
    "python": _Syntax(code="c", values="WXQ", stops="m"),
    "pypy": _Syntax(code="c", values="WXQ", stops="m"),
    "perl": _Syntax(code="eE", values="IMmixCdD", digits="l0", separate_values=False),
    "ruby": _Syntax(code="e", values="IrCExFKTWU", code_long=frozenset({"--eval"})),
    "irb": _Syntax(),
    "node": _JS,
    "nodejs": _JS,
    "bun": _JS,
    "deno": _JS,
    "php": _Syntax(code="rBRE", values="cdzt"),
    "lua": _Syntax(code="e", values="l"),
    "luajit": _Syntax(code="e", values="lj"),
    "osascript": _Syntax(code="e", values="ls"),
    "rscript": _Syntax(code="e", code_long=frozenset({"--eval"})),
    "r": _Syntax(code="e"),
    "julia": _Syntax(code="eE", code_long=frozenset({"--eval", "--print"})),
    "tclsh": _Syntax(),
    "wish": _Syntax(),
    "expect": _Syntax(code="c"),
    "groovy": _Syntax(code="e"),
    "elixir": _Syntax(code="e", code_long=frozenset({"--eval"})),
    "erl": _Syntax(code_long=frozenset({"-eval"})),
}
# PowerShell spells its long options with one dash, in any case.
_PWSH_CODE: Final = frozenset({"-c", "-command", "-e", "-ec", "-encodedcommand"})
_AWKS: Final = frozenset({"awk", "gawk", "mawk", "nawk"})
# awk programs that run commands or write files: system(), "cmd" | getline, print | "cmd",
# print > "file".
_AWK_SIDE_EFFECT_RE: Final = re.compile(r"system|\||\b(?:print|printf)\b[^;{}]*>")
# sed commands that run a command (e, s///e) or write a file (w, W, s///w).
_SED_SIDE_EFFECT_RE: Final = re.compile(
    r"(?:^|[;{}\n])\s*(?:(?:\d+|\$|/[^/\n]*/)(?:\s*,\s*(?:\d+|\$|/[^/\n]*/))?)?\s*!?\s*[ewW]"
    r"|s(.)(?:\\.|(?!\1).)*\1(?:\\.|(?!\1).)*\1[gpiImM0-9]*[ewW]"
)
_VERSION_RE: Final = re.compile(r"^([a-z]+?)[\d.]*$")
INTERPRETER_NAMES: Final = frozenset(_SYNTAX) | {"pwsh", "powershell"} | _AWKS | {"sed"}
_STDIN_FEEDS: Final = frozenset({"<<", "<<-", "<<<"})


def family(name: str) -> str:
    """`python3.12` -> `python`, `Rscript` -> `rscript`: the key of the syntax table."""
    lower = name.lower()
    m = _VERSION_RE.match(lower)
    return m.group(1) if m and m.group(1) in _SYNTAX else lower


def inline_code(
    name: str, words: list[str], redirects: tuple[tuple[str, str], ...], piped_in: bool
) -> str | None:
    """Why this command runs program text the guard cannot read, or None when it does not."""
    key = family(name)
    args = words[1:]
    fed = piped_in or any(op in _STDIN_FEEDS for op, _ in redirects)
    if key in _AWKS:
        return _awk(name, args)
    if key == "sed":
        return _sed(args)
    if key in ("make", "gmake"):
        return _make(name, args, fed)
    if key in ("pwsh", "powershell"):
        if any(a.lower() in _PWSH_CODE for a in args):
            return f"{name} runs inline PowerShell code"
        return None
    syntax = _SYNTAX.get(key)
    if syntax is None:
        return None
    script = _script_or_code(syntax, args)
    if script is _CODE:
        return f"{name} runs inline code the guard cannot read"
    if (script is None or script in STDIN_PATHS) and fed:
        return f"{name} reads its program from a pipe or here-document"
    return None


_CODE: Final = "\x00code\x00"  # sentinel: an inline-code option was found


def _script_or_code(syntax: _Syntax, args: list[str]) -> str | None:
    """The script word, `_CODE` when code is given inline, or None when neither is named."""
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        i += 1
        if a == "--":
            return args[i] if i < n else None
        if a.startswith("--") or (a.startswith("-") and a in syntax.code_long):
            name = a.partition("=")[0]
            if name in syntax.code_long:
                return _CODE
            if name in syntax.values_long and "=" not in a:
                i += 1
            continue
        if not a.startswith("-") or a == "-":
            if a in syntax.code_commands:
                return _CODE
            return a
        j = 1
        while j < len(a):
            ch = a[j]
            if ch in syntax.code:
                return _CODE
            if ch in syntax.stops:
                return a  # python -m module: a named module, not inline code
            if ch in syntax.values:
                if j + 1 == len(a) and syntax.separate_values:
                    i += 1  # the value is the next word
                break
            j += 1
            if ch in syntax.digits:
                while j < len(a) and a[j].isdigit():
                    j += 1
    return None


def _make(name: str, args: list[str], fed: bool) -> str | None:
    """`make -f -` (or /dev/stdin) fed by a pipe or here-document runs recipes nobody can read."""
    for k, a in enumerate(args):
        if a in ("-f", "--file", "--makefile") and k + 1 < len(args):
            makefile = args[k + 1]
        elif a.startswith(("--file=", "--makefile=")):
            makefile = a.partition("=")[2]
        elif a.startswith("-f") and len(a) > 2:
            makefile = a[2:]
        else:
            continue
        if makefile in STDIN_PATHS and fed:
            return f"{name} reads its makefile from a pipe or here-document"
    return None


def _awk(name: str, args: list[str]) -> str | None:
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-f", "--file") or a.startswith("-f"):
            return None  # program from a file of the project
        if a in ("-F", "-v", "--assign", "--field-separator"):
            i += 2
            continue
        if a.startswith("-") and a != "-":
            i += 1
            continue
        if _AWK_SIDE_EFFECT_RE.search(a):
            return f"{name} program runs a command or writes a file"
        return None
    return None


def _sed(args: list[str]) -> str | None:
    scripts: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-f", "--file") or a.startswith(("-f", "--file=")):
            return None  # the script is a file of the project
        if a in ("-e", "--expression") and i + 1 < len(args):
            scripts.append(args[i + 1])
            i += 2
            continue
        if a.startswith("--expression="):
            scripts.append(a.partition("=")[2])
        elif a.startswith("-e") and len(a) > 2:
            scripts.append(a[2:])
        elif a in ("-l", "--line-length"):
            i += 1
        elif not a.startswith("-") or a == "-":
            positional.append(a)
        i += 1
    if not scripts and positional:
        scripts.append(positional[0])
    if any(_SED_SIDE_EFFECT_RE.search(s) for s in scripts):
        return "sed script runs a command or writes a file (e or w)"
    return None
