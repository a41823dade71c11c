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

Paths are resolved against the project folder, following `cd` and the symbolic links on disk
(`_paths`); the acts dangerous wherever they happen are judged in `_acts`, from the lists in
`_command_tables`. This module walks the command line and dispatches.

Not dangerous on purpose: words that merely mention a command (`echo rm -rf /`, `grep "sudo"`):
they do not run it; a script or module of the project run by name (`python tools/x.py`,
`python -m pytest`, `bash scripts/t.sh`). Here-documents are read as commands, so dangerous text
in one is held.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from yesman.policy._acts import git_danger, kill_danger, powers_off
from yesman.policy._command_tables import (
    BLOCK_DEVICE_RE,
    DEVICE_READERS,
    DISK_TOOLS,
    FIND_TESTS,
    FORK_BOMB_RE,
)
from yesman.policy._indirect import indirect_execution
from yesman.policy._interpreters import inline_code
from yesman.policy._paths import ProjectPaths
from yesman.policy._shell import (
    MAX_DEPTH,
    PLACEHOLDER,
    ShellSyntaxError,
    SimpleCommand,
    split_commands,
)
from yesman.policy._unwrap import PRIVILEGE, SHELLS, program, shell_reads_stdin, unwrap
from yesman.policy._writes import Target, file_writes

__all__ = ["UNPARSABLE", "CommandVerdict", "analyse_command"]

UNPARSABLE: Final = "cannot analyse the command safely"
# `source FILE` / `. FILE` run a script in the current shell: like `bash FILE`.
_SOURCE: Final = frozenset({"source", "."})
# at and batch queue the commands they read from stdin (unless given -f FILE, or listing jobs).
_AT: Final = frozenset({"at", "batch"})


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
    """One walk over a command line: what it runs (`programs`) and why it is dangerous."""

    def __init__(self, project: str | None, home: str) -> None:
        self.reasons: list[str] = []
        self.programs: list[str] = []
        self.paths = ProjectPaths(project, home, self.flag)

    def flag(self, reason: str) -> None:
        self.reasons.append(reason.replace(PLACEHOLDER, "$(…)"))

    def run(self, text: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.flag("commands nested too deeply to analyse")
            return
        if FORK_BOMB_RE.search(text):
            self.flag("fork bomb")
        try:
            commands = split_commands(text, depth)
        except ShellSyntaxError as exc:
            self.flag(f"{UNPARSABLE}: {exc}")
            return
        for command in commands:
            self.check(command, depth)

    def check(self, command: SimpleCommand, depth: int) -> None:
        paths = self.paths
        paths.check_redirects(command.redirects)
        u = unwrap(list(command.words))
        self.programs.extend(u.wrappers)
        if u.cwd_unknown:
            paths.cwd = None
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
                paths.check_target(name, target)
            if writes.unseen:
                self.flag(f"{name} on paths yesman cannot see (from xargs, or none given)")
            if name == "ln":
                self.note_links(args, writes.targets)
        code = inline_code(name, words, command.redirects, command.piped_in)
        if code is not None:
            self.flag(code)
        side_door = indirect_execution(name, args, u.assignments, paths.inside_path)
        if side_door is not None:
            self.flag(side_door)
        if name in PRIVILEGE:
            self.flag(f"runs with elevated privileges ({name})")
        elif name == "rm" and "--no-preserve-root" in args:
            self.flag("rm --no-preserve-root")
        elif name in DISK_TOOLS or name.startswith(("mkfs.", "mkfs_", "newfs")):
            self.flag(f"formats or partitions a disk ({name})")
        elif name == "dd" and any(a.startswith("of=") for a in args):
            self.flag("dd writing with of=")
        elif powers_off(name, args):
            self.flag(f"shuts down or restarts the machine ({name})")
        elif name == "git":
            self.flag_if(git_danger(args))
        elif name in ("cd", "pushd"):
            paths.change_dir(args)
        elif name == "popd":
            paths.cwd = None
        elif name == "find":
            self.check_find(args, depth)
        elif name in ("kill", "pkill", "killall", "killall5"):
            self.flag_if(kill_danger(name, args))
        elif name == "crontab" and any(a not in ("-l", "-u") for a in args[:1] + args[2:]):
            self.flag("crontab replaces or removes the user's scheduled jobs")
        elif name in SHELLS or name in _SOURCE:
            self.check_shell(name, words, command, depth)
        elif name in _AT and not any(a.startswith(("-f", "-l", "-r", "-d")) for a in args):
            self.check_stdin_script(name, command, depth)  # at reads the job from stdin
        elif (
            PLACEHOLDER in " ".join(words[1:])
            and code is None
            and inline_code(name, [name], (), True)
        ):
            self.flag(f"{name} runs a script produced at run time (process substitution)")
        if name not in DEVICE_READERS and any(BLOCK_DEVICE_RE.match(a) for a in args):
            self.flag(f"{name} on a block device")

    def flag_if(self, reason: str | None) -> None:
        if reason is not None:
            self.flag(reason)

    def check_find(self, args: list[str], depth: int) -> None:
        starts: list[str] = []
        for a in args:
            if a.startswith(("-", "(", "!")):
                break
            starts.append(a)
        if "-delete" in args:
            # With a test (`-name '*.pyc'`) find deletes what matches inside the start folder,
            # so the project folder may be the start; without one it deletes all of it.
            filtered = any(a in FIND_TESTS for a in args)
            for start in starts or ["."]:
                self.paths.check_tree_path("find -delete", start, root_ok=filtered)
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
                        saved = self.paths.cwd
                        self.paths.found_root = True
                        self.check(SimpleCommand(words, (), False, depth + 1), depth + 1)
                        self.paths.cwd = saved
                        self.paths.found_root = False

    def check_shell(self, name: str, words: list[str], command: SimpleCommand, depth: int) -> None:
        if any(PLACEHOLDER in w for w in words[1:]):
            self.flag(f"{name} runs a script produced at run time (process substitution)")
        elif shell_reads_stdin(words):
            self.check_stdin_script(name, command, depth)

    def check_stdin_script(self, name: str, command: SimpleCommand, depth: int) -> None:
        """`name` runs what its standard input holds: a pipe is unknown, a here-string is read."""
        if command.piped_in:
            self.flag(f"pipes text into {name} to run it")
        for op, text in command.redirects:
            if op == "<<<":
                self.run(text, depth + 1)  # a here-string is the script itself

    def note_links(self, args: list[str], targets: tuple[Target, ...]) -> None:
        """Remember the links `ln` creates; with no destination given, it is named after the
        source, in the current directory."""
        made = [t.path for t in targets]
        if not made:
            last = next((a for a in reversed(args) if not a.startswith("-")), None)
            made = [] if last is None else [os.path.basename(last.rstrip("/")) or last]
        for link in made:
            self.paths.add_link(link)
