"""Is a shell command dangerous? Analysis that wrapping cannot get around.

The command line is split into every simple command it runs (`_shell`), each is unwrapped down to
the real program (`_unwrap`: sudo, env, timeout, nice, xargs, bash -c, uv run ...), and the
program is judged by what it does rather than by its name alone:

- paths it deletes, truncates, overwrites, moves or re-permissions (`_writes`: rm, mv, cp, ln,
  install, rsync, tee, truncate, shred, chmod, sed -i, curl -o, tar -C ...) and output
  redirections must lie inside the project (single files may also go to /tmp); a recursive
  delete or chmod must lie strictly inside it, never on the project folder itself;
- program text handed to an interpreter inline or on stdin (`_interpreters`: python -c,
  perl -e, node -e, php -r, a here-document into python3, awk system(), sed `e`) cannot be read
  and is held; shell `-c` strings and here-strings are shell and are analysed instead;
- signals to every process or a process group (`kill -9 -1`, `kill -- -1`, `pkill -9 .`,
  `killall`), and a fixed list of acts that are dangerous wherever they happen: `mkfs` and disk
  partitioners, `dd of=`, writes to block devices, fork bombs, text piped into a shell or
  interpreter (`curl | sh`), a shell run on a process substitution, `git push --force` (and
  `+refspec`, `--mirror`, `--delete`), `git reset --hard` (yesman cannot see which branch is
  shared), `shutdown`/`reboot` and friends, `crontab -r`, and `sudo`/`doas`/`su`/`pkexec`.

Anything that cannot be analysed with certainty counts as dangerous: unbalanced quotes, a program
name from an expansion, a path with an unknown variable (`$OUT`, `~user`), paths appended by
xargs, a relative path after `cd -`. The cost of a wrong "dangerous" is a human looking, the cost
of a wrong "safe" is a wiped disk.

Paths are resolved against the project folder, following `cd` (an unknown `cd -`/`popd` makes
later relative paths unknown) and expanding `{a,b}` braces; `..` that leaves the project, `~`
and `$HOME` count as outside; globs count as inside when the directory they expand in is.
Symlinks are not followed: the analysis reads text, not the disk.

Not dangerous on purpose: words that merely mention a command (`echo rm -rf /`, `grep "sudo"`):
they do not run it; a script or module of the project run by name (`python tools/x.py`,
`python -m pytest`, `bash scripts/t.sh`). Here-documents are read as commands, so dangerous text
in one is held.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from yesman.policy._indirect import indirect_execution
from yesman.policy._interpreters import inline_code
from yesman.policy._shell import (
    MAX_DEPTH,
    PLACEHOLDER,
    WRITE_REDIRECTS,
    ShellSyntaxError,
    SimpleCommand,
    split_commands,
)
from yesman.policy._unwrap import PRIVILEGE, SHELLS, program, shell_reads_stdin, unwrap
from yesman.policy._writes import Target, file_writes

__all__ = ["UNPARSABLE", "CommandVerdict", "analyse_command"]

UNPARSABLE: Final = "cannot analyse the command safely"

_FORK_BOMB_RE: Final = re.compile(r"([\w:.]{1,40})\s*\(\)\s*\{[^}]{0,200}?\1\s*\|\s*&?\s*\1")
_BLOCK_DEVICE_RE: Final = re.compile(
    r"^/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|loop|md|dm-|mapper/|sr|nbd)"
)
_SAFE_SINKS: Final = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/")
_TEMP_DIRS: Final = ("/tmp/", "/var/tmp/")
_DISK_TOOLS: Final = frozenset(
    {
        "mkfs",
        "mke2fs",
        "mkswap",
        "wipefs",
        "fdisk",
        "sfdisk",
        "cfdisk",
        "gdisk",
        "sgdisk",
        "parted",
        "blkdiscard",
        "diskutil",
        "format",
    }
)
_DEVICE_READERS: Final = frozenset(
    {
        "lsblk",
        "blkid",
        "ls",
        "stat",
        "file",
        "cat",
        "less",
        "od",
        "hexdump",
        "xxd",
        "head",
        "smartctl",
        "df",
        "echo",
    }
)
_POWER: Final = frozenset({"shutdown", "reboot", "halt", "poweroff", "kexec"})
_POWER_VERBS: Final = frozenset(
    {"poweroff", "reboot", "halt", "kexec", "suspend", "hibernate", "soft-reboot"}
)
_GIT_VALUE_OPTS: Final = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace"})


@dataclass(frozen=True, slots=True)
class CommandVerdict:
    """The analysis of one command line: dangerous or not, and why."""

    dangerous: bool
    reasons: tuple[str, ...]
    programs: tuple[str, ...]  # every program the line runs, wrappers included

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else "no dangerous command found"


def analyse_command(
    text: str, project_dir: str | os.PathLike[str] | None, home: str | None = None
) -> CommandVerdict:
    """Analyse a shell command line as it would run in `project_dir` (None: unknown)."""
    analysis = _Analysis(
        None if project_dir is None else os.path.normpath(os.fspath(project_dir)),
        home if home is not None else os.path.expanduser("~"),
    )
    analysis.run(text, depth=0)
    reasons = tuple(dict.fromkeys(analysis.reasons))  # unique, first seen first
    return CommandVerdict(bool(reasons), reasons, tuple(dict.fromkeys(analysis.programs)))


class _Analysis:
    def __init__(self, project: str | None, home: str) -> None:
        self.project = project
        self.home = home
        self.cwd: str | None = project
        self.reasons: list[str] = []
        self.programs: list[str] = []
        # Inside `find -exec`: `{}` stands for the start folder and everything under it, so a
        # single-path command (`rm -f {}`) naming the project folder itself is expected.
        self.found_root = False

    def flag(self, reason: str) -> None:
        self.reasons.append(reason.replace(PLACEHOLDER, "$(…)"))

    def run(self, text: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.flag("commands nested too deeply to analyse")
            return
        if _FORK_BOMB_RE.search(text):
            self.flag("fork bomb")
        try:
            commands = split_commands(text, depth)
        except ShellSyntaxError as exc:
            self.flag(f"{UNPARSABLE}: {exc}")
            return
        for command in commands:
            self.check(command, depth)

    def check(self, command: SimpleCommand, depth: int) -> None:
        self.check_redirects(command)
        u = unwrap(list(command.words))
        self.programs.extend(u.wrappers)
        if u.cwd_unknown:
            self.cwd = None
        for wrapper in u.wrappers:
            if wrapper in PRIVILEGE:
                self.flag(f"runs with elevated privileges ({wrapper})")
        for string in u.strings:
            if PLACEHOLDER in string or "$" in string:
                self.flag("runs a command string that is only known at run time")
            self.run(string, depth + 1)
        words = u.words
        if not words:
            return
        name = program(words[0])
        self.programs.append(name)
        if PLACEHOLDER in words[0] or "$" in words[0]:
            self.flag("the program to run comes from an expansion")
            return
        args = words[1:]
        writes = file_writes(name, args, u.stdin_args)
        if writes is not None:
            for target in writes.targets:
                self.check_target(name, target)
            if writes.unseen:
                self.flag(f"{name} on paths yesman cannot see (from xargs, or none given)")
        code = inline_code(name, words, command.redirects, command.piped_in)
        if code is not None:
            self.flag(code)
        side_door = indirect_execution(name, args, u.assignments, self.inside_path)
        if side_door is not None:
            self.flag(side_door)
        if name in PRIVILEGE:
            self.flag(f"runs with elevated privileges ({name})")
        elif name == "rm" and "--no-preserve-root" in args:
            self.flag("rm --no-preserve-root")
        elif name in _DISK_TOOLS or name.startswith(("mkfs.", "mkfs_", "newfs")):
            self.flag(f"formats or partitions a disk ({name})")
        elif name == "dd" and any(a.startswith("of=") for a in args):
            self.flag("dd writing with of=")
        elif _powers_off(name, args):
            self.flag(f"shuts down or restarts the machine ({name})")
        elif name == "git":
            self.check_git(args)
        elif name in ("cd", "pushd"):
            self.change_dir(args)
        elif name == "popd":
            self.cwd = None
        elif name == "find":
            self.check_find(args, depth)
        elif name in ("kill", "pkill", "killall", "killall5"):
            self.check_kill(name, args)
        elif name == "crontab" and any(a not in ("-l", "-u") for a in args[:1] + args[2:]):
            self.flag("crontab replaces or removes the user's scheduled jobs")
        elif name in SHELLS:
            self.check_shell(name, words, command, depth)
        elif (
            PLACEHOLDER in " ".join(words[1:])
            and code is None
            and inline_code(name, [name], (), True)
        ):
            self.flag(f"{name} runs a script produced at run time (process substitution)")
        if name not in _DEVICE_READERS and any(_BLOCK_DEVICE_RE.match(a) for a in args):
            self.flag(f"{name} on a block device")

    def check_redirects(self, command: SimpleCommand) -> None:
        for op, target in command.redirects:
            if op not in WRITE_REDIRECTS or (op == ">&" and target.isdigit()) or target == "-":
                continue
            if _BLOCK_DEVICE_RE.match(target):
                self.flag(f"writes to a block device ({target})")
            elif target.startswith(_SAFE_SINKS):
                continue
            else:
                path = self.resolve(target)
                if path is not None and path.startswith(_TEMP_DIRS):
                    continue
                if path is None or not self.inside(path, allow_root=False):
                    self.flag(f"redirects output outside the project ({target})")

    def check_target(self, name: str, target: Target) -> None:
        """A path the command deletes, writes, moves or re-permissions must lie inside."""
        path = target.path
        if target.remote:
            self.flag(f"{name} {target.effect.value} a path on another machine ({path})")
        elif target.recursive:
            flag = "-R" if name in ("chmod", "chown", "chgrp") else "-r"
            self.check_tree_path(f"{name} {flag}", path)
        elif target.sink_ok and path.startswith(_SAFE_SINKS):
            return
        elif path in ("/", "/*"):
            self.flag(f"{name} on /")
        else:
            self.check_path(
                f"{name} {target.effect.value}",
                path,
                root_ok=target.root_ok,
                scratch_ok=target.scratch_ok,
            )

    def check_path(self, what: str, path: str, *, root_ok: bool, scratch_ok: bool) -> None:
        """One (non-recursive) path: inside the project, or in /tmp when scratch is fine."""
        if "{" in path:
            expanded = _expand_braces(path)
            if expanded is None:
                self.flag(f"{what} a brace expansion yesman cannot enumerate ({path})")
                return
            if expanded != [path]:
                for one in expanded:
                    self.check_path(what, one, root_ok=root_ok, scratch_ok=scratch_ok)
                return
        glob_at = _glob_position(path)
        if glob_at >= 0:
            head = path[:glob_at].rsplit("/", 1)[0] if "/" in path[:glob_at] else "."
            base = self.resolve(head or "/")
            ok = base is not None and (
                self.inside(base, allow_root=True) or (scratch_ok and _in_scratch(base + "/"))
            )
        else:
            resolved = self.resolve(path)
            if resolved is None:
                self.flag(f"{what} a path only known at run time ({path})")
                return
            # A folder argument (root_ok) may be /tmp itself: `mv x /tmp/`.
            scratch = _in_scratch(resolved + "/" if root_ok else resolved)
            ok = (scratch_ok and scratch) or self.inside(
                resolved, allow_root=root_ok or self.found_root
            )
        if ok:
            return
        if self.project is None:
            self.flag(f"{what} {path} with no project folder known")
        elif glob_at < 0 and self.resolve(path) == self.project:
            self.flag(f"{what} {path}, the project folder itself")
        else:
            self.flag(f"{what} {path}, outside the project")

    def check_tree_path(self, what: str, path: str, *, root_ok: bool = False) -> None:
        """A path a recursive command works on must lie strictly inside the project."""
        if self.project is None:
            self.flag(f"{what} with no project folder known ({path})")
            return
        if "{" in path:
            # Brace expansion turns one word into several paths ("{/,build}" is "/ build").
            expanded = _expand_braces(path)
            if expanded is None:
                self.flag(f"{what} on a brace expansion yesman cannot enumerate ({path})")
                return
            if expanded != [path]:
                for one in expanded:
                    self.check_tree_path(what, one, root_ok=root_ok)
                return
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if last in (".*", "..*") or last.startswith(".*"):
            self.flag(f"{what} on a pattern that matches '..' ({path})")
            return
        glob_at = _glob_position(path)
        if glob_at >= 0:
            # The pattern matches entries of the directory before it; those entries are inside
            # the project when that directory is the project or inside it.
            head = path[:glob_at].rsplit("/", 1)[0] if "/" in path[:glob_at] else "."
            base = self.resolve(head or "/")
            if base is None or not self.inside(base, allow_root=True):
                self.flag(f"{what} outside the project ({path})")
            return
        resolved = self.resolve(path)
        if resolved is None:
            self.flag(f"{what} on a path only known at run time ({path})")
        elif not self.inside(resolved, allow_root=root_ok):
            self.flag(f"{what} outside the project ({path})")

    def check_git(self, args: list[str]) -> None:
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += 2 if args[i] in _GIT_VALUE_OPTS else 1
        if i >= len(args):
            return
        sub, rest = args[i], args[i + 1 :]
        if sub == "push":
            for a in rest:
                forced = a.startswith("--force") or a in ("--mirror", "--delete", "--prune")
                short = a.startswith("-") and not a.startswith("--") and ("f" in a or "d" in a)
                if forced or short or (a.startswith("+") and len(a) > 1):
                    self.flag(f"git push {a} rewrites or deletes shared history")
                    return
                if a.startswith(":") and len(a) > 1:
                    self.flag(f"git push {a} deletes a remote branch")
                    return
        elif sub == "reset" and "--hard" in rest:
            self.flag("git reset --hard discards work (yesman cannot see if the branch is shared)")

    def check_find(self, args: list[str], depth: int) -> None:
        starts: list[str] = []
        for a in args:
            if a.startswith(("-", "(", "!")):
                break
            starts.append(a)
        if "-delete" in args:
            # With a test (`-name '*.pyc'`) find deletes what matches inside the start folder,
            # so the project folder may be the start; without one it deletes all of it.
            filtered = any(a in _FIND_TESTS for a in args)
            for start in starts or ["."]:
                self.check_tree_path("find -delete", start, root_ok=filtered)
        for k, a in enumerate(args):
            if a in ("-exec", "-execdir", "-ok", "-okdir"):
                nested = []
                for b in args[k + 1 :]:
                    if b in (";", "+"):
                        break
                    nested.append(b)
                # `{}` stands for every path found, the start paths included (`find .`
                # yields `.` itself), so the command is checked with each start path there.
                for start in starts or ["."]:
                    words = tuple(start if b == "{}" else b for b in nested)
                    if words:
                        saved = self.cwd
                        self.found_root = True
                        self.check(SimpleCommand(words, (), False, depth + 1), depth + 1)
                        self.cwd = saved
                        self.found_root = False

    def check_shell(self, name: str, words: list[str], command: SimpleCommand, depth: int) -> None:
        if any(PLACEHOLDER in w for w in words[1:]):
            self.flag(f"{name} runs a script produced at run time (process substitution)")
        elif shell_reads_stdin(words):
            if command.piped_in:
                self.flag(f"pipes text into {name} to run it")
            for op, text in command.redirects:
                if op == "<<<":
                    self.run(text, depth + 1)  # a here-string is the script itself

    def check_kill(self, name: str, args: list[str]) -> None:
        """Signals to every process (`kill -9 -1`), a process group, init, or by a loose pattern."""
        if name in ("killall", "killall5"):
            self.flag(f"{name} signals every process with a name (or every process)")
            return
        if name == "pkill":
            pattern = _pkill_pattern(args)
            if pattern is None or not _PLAIN_NAME_RE.fullmatch(pattern):
                self.flag(f"pkill with a pattern that may match many processes ({pattern})")
            return
        rest = args
        signal = None
        if rest and rest[0] in ("-s", "-n", "--signal"):
            signal, rest = rest[1:2], rest[2:]
        elif rest and rest[0].startswith("-") and rest[0] not in ("--", "-l", "-L"):
            signal, rest = [rest[0]], rest[1:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        if signal == ["-1"] and not rest:
            self.flag("kill -1: reads as a signal to every process")
        for pid in rest:
            if pid.startswith("-") or pid in ("0", "1"):
                self.flag(f"kill {pid} signals every process or a whole process group")
                return

    def change_dir(self, args: list[str]) -> None:
        target = next((a for a in args if not a.startswith("-") or a == "-"), None)
        if target == "-" or "{" in (target or ""):
            self.cwd = None  # the previous directory, or an expansion: unknown from here
        else:
            self.cwd = self.home if target is None else self.resolve(target)

    def resolve(self, path: str) -> str | None:
        """Absolute normalised path, or None when it depends on something unknown."""
        for prefix in ("${HOME}", "$HOME"):
            if path == prefix or path.startswith(prefix + "/"):
                return os.path.normpath(self.home + path[len(prefix) :])
        for prefix in ("${PWD}", "$PWD"):
            if path == prefix or path.startswith(prefix + "/"):
                cwd = self.cwd
                return None if cwd is None else os.path.normpath(cwd + path[len(prefix) :])
        if PLACEHOLDER in path or "$" in path or "`" in path:
            return None
        if path.startswith("~"):
            if path != "~" and not path.startswith("~/"):
                return None  # ~user
            return os.path.normpath(self.home + path[1:])
        if path.startswith("/"):
            return os.path.normpath(path)
        if self.cwd is None:
            return None
        return os.path.normpath(os.path.join(self.cwd, path))

    def inside_path(self, path: str) -> bool:
        """A path as written (relative, ~, $HOME) lies in the project or is the project."""
        resolved = self.resolve(path)
        return resolved is not None and self.inside(resolved, allow_root=True)

    def inside(self, path: str, *, allow_root: bool) -> bool:
        if self.project is None:
            return False
        if path == self.project:
            return allow_root
        return PurePosixPath(path).is_relative_to(self.project)


_FIND_TESTS: Final = frozenset(
    {
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-regex",
        "-iregex",
        "-type",
        "-newer",
        "-mtime",
        "-mmin",
        "-size",
        "-empty",
        "-user",
        "-perm",
    }
)
_PLAIN_NAME_RE: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{2,}")
_PKILL_VALUES: Final = frozenset({"-g", "-G", "-P", "-s", "-t", "-u", "-U", "-F", "--signal"})


def _pkill_pattern(args: list[str]) -> str | None:
    i = 0
    while i < len(args):
        a = args[i]
        if a in _PKILL_VALUES:
            i += 2
        elif a.startswith("-") and a != "-":
            i += 1
        else:
            return a
    return None


def _in_scratch(path: str) -> bool:
    return path.startswith(_TEMP_DIRS)


def _powers_off(name: str, args: list[str]) -> bool:
    if name in _POWER:
        return True
    if name in ("init", "telinit"):
        return args[:1] in (["0"], ["6"])
    return name in ("systemctl", "loginctl") and bool(_POWER_VERBS.intersection(args))


def _split_options(args: list[str]) -> tuple[list[str], list[str]]:
    options: list[str] = []
    rest: list[str] = []
    ended = False
    for a in args:
        if ended or not a.startswith("-") or a == "-":
            rest.append(a)
        elif a == "--":
            ended = True
        else:
            options.append(a)
    return options, rest


_BRACE_RE: Final = re.compile(r"\{([^{}]*)\}")
_MAX_EXPANSION: Final = 64


def _expand_braces(word: str) -> list[str] | None:
    """Bash brace expansion of comma lists; None for ranges (`{1..9}`) or too many results."""
    out: list[str] = []
    pending = [word]
    while pending:
        current = pending.pop()
        m = _BRACE_RE.search(current)
        if m is None or "," not in m.group(1):
            if m is not None and ".." in m.group(1):
                return None
            out.append(current)
        else:
            head, tail = current[: m.start()], current[m.end() :]
            pending.extend(head + choice + tail for choice in m.group(1).split(","))
        if len(out) + len(pending) > _MAX_EXPANSION:
            return None
    return sorted(out)


def _glob_position(path: str) -> int:
    positions = [k for k in (path.find("*"), path.find("?"), path.find("[")) if k >= 0]
    return min(positions) if positions else -1
