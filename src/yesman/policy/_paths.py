"""Where the paths a command changes lie: inside the project, in scratch space, or elsewhere.

`ProjectPaths` resolves paths as written against the project folder, following `cd` (an unknown
`cd -`/`popd` makes later relative paths unknown) and expanding `{a,b}` braces; `..` that leaves
the project, `~` and `$HOME` count as outside; globs count as inside when the directory they
expand in is. Anything that depends on a value only known at run time (`$OUT`, `~user`, `$(...)`)
is unknown, and a change to an unknown path is held.

A path that is inside as written must also be inside once the symbolic links on disk are followed
(`out -> /etc` in the project makes `rm -rf out/x` a change to /etc). This is the one place the
analysis reads the disk; it is conservative: removing the link itself (`rm out`) is held too,
since the text alone cannot tell which of the two the command does. A link the same command line
creates (`ln -s /etc out && rm -rf out/x`) does not exist yet when the dialog is read, so paths
through any `ln` destination of the line count as outside (`links`).

It judges output redirections and the `Target`s of `_writes`, and reports each problem through
the `flag` callback of the analysis that owns it.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Final

from yesman.policy._command_tables import BLOCK_DEVICE_RE, SAFE_SINKS, TEMP_DIRS
from yesman.policy._shell import PLACEHOLDER, WRITE_REDIRECTS
from yesman.policy._writes import Target

__all__ = ["ProjectPaths"]

_BRACE_RE: Final = re.compile(r"\{([^{}]*)\}")
_MAX_EXPANSION: Final = 64


class ProjectPaths:
    """The project folder, the home folder and the current directory of one command line."""

    def __init__(self, project: str | None, home: str, flag: Callable[[str], None]) -> None:
        self.project = project
        self.home = home
        self.cwd: str | None = project
        self._flag = flag
        # Inside `find -exec`: `{}` stands for the start folder and everything under it, so a
        # single-path command (`rm -f {}`) naming the project folder itself is expected.
        self.found_root = False
        # Links created earlier on this command line (absolute paths): their targets are unknown.
        self.links: list[str] = []
        self._real_project: str | None = None

    # where a path lies ---------------------------------------------------------------------

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
        """An absolute normalised path lies in the project, as written and on disk."""
        if self.project is None or not _within(path, self.project, allow_root=allow_root):
            return False
        if any(_within(path, link, allow_root=True) for link in self.links):
            return False
        if self._real_project is None:
            self._real_project = os.path.realpath(self.project)
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):  # a NUL byte, or a path the OS refuses
            return False
        return _within(real, self._real_project, allow_root=allow_root)

    def add_link(self, path: str) -> None:
        """`ln` on this command line creates `path`: later paths through it are not inside."""
        resolved = self.resolve(path)
        if resolved is not None:
            self.links.append(resolved)

    def change_dir(self, args: list[str]) -> None:
        """Follow `cd`/`pushd` with these arguments."""
        target = next((a for a in args if not a.startswith("-") or a == "-"), None)
        if target == "-" or "{" in (target or ""):
            self.cwd = None  # the previous directory, or an expansion: unknown from here
        else:
            self.cwd = self.home if target is None else self.resolve(target)

    # what a command may change -------------------------------------------------------------

    def check_redirects(self, redirects: tuple[tuple[str, str], ...]) -> None:
        for op, target in redirects:
            if op not in WRITE_REDIRECTS or (op == ">&" and target.isdigit()) or target == "-":
                continue
            if BLOCK_DEVICE_RE.match(target):
                self._flag(f"writes to a block device ({target})")
            elif target.startswith(SAFE_SINKS):
                continue
            else:
                path = self.resolve(target)
                if path is not None and _in_scratch(path):
                    continue
                if path is None or not self.inside(path, allow_root=False):
                    self._flag(f"redirects output outside the project ({target})")

    def check_target(self, name: str, target: Target) -> None:
        """A path the command deletes, writes, moves or re-permissions must lie inside."""
        path = target.path
        if target.remote:
            self._flag(f"{name} {target.effect.value} a path on another machine ({path})")
        elif target.recursive:
            flag = "-R" if name in ("chmod", "chown", "chgrp") else "-r"
            self.check_tree_path(f"{name} {flag}", path)
        elif target.sink_ok and path.startswith(SAFE_SINKS):
            return
        elif path in ("/", "/*"):
            self._flag(f"{name} on /")
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
                self._flag(f"{what} a brace expansion yesman cannot enumerate ({path})")
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
                self._flag(f"{what} a path only known at run time ({path})")
                return
            # A folder argument (root_ok) may be /tmp itself: `mv x /tmp/`.
            scratch = _in_scratch(resolved + "/" if root_ok else resolved)
            ok = (scratch_ok and scratch) or self.inside(
                resolved, allow_root=root_ok or self.found_root
            )
        if ok:
            return
        if self.project is None:
            self._flag(f"{what} {path} with no project folder known")
        elif glob_at < 0 and self.resolve(path) == self.project:
            self._flag(f"{what} {path}, the project folder itself")
        else:
            self._flag(f"{what} {path}, outside the project")

    def check_tree_path(self, what: str, path: str, *, root_ok: bool = False) -> None:
        """A path a recursive command works on must lie strictly inside the project."""
        if self.project is None:
            self._flag(f"{what} with no project folder known ({path})")
            return
        if "{" in path:
            # Brace expansion turns one word into several paths ("{/,build}" is "/ build").
            expanded = _expand_braces(path)
            if expanded is None:
                self._flag(f"{what} on a brace expansion yesman cannot enumerate ({path})")
                return
            if expanded != [path]:
                for one in expanded:
                    self.check_tree_path(what, one, root_ok=root_ok)
                return
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if last in (".*", "..*") or last.startswith(".*"):
            self._flag(f"{what} on a pattern that matches '..' ({path})")
            return
        glob_at = _glob_position(path)
        if glob_at >= 0:
            # The pattern matches entries of the directory before it; those entries are inside
            # the project when that directory is the project or inside it.
            head = path[:glob_at].rsplit("/", 1)[0] if "/" in path[:glob_at] else "."
            base = self.resolve(head or "/")
            if base is None or not self.inside(base, allow_root=True):
                self._flag(f"{what} outside the project ({path})")
            return
        resolved = self.resolve(path)
        if resolved is None:
            self._flag(f"{what} on a path only known at run time ({path})")
        elif not self.inside(resolved, allow_root=root_ok):
            self._flag(f"{what} outside the project ({path})")


def _within(path: str, root: str, *, allow_root: bool) -> bool:
    if path == root:
        return allow_root
    return PurePosixPath(path).is_relative_to(root)


def _in_scratch(path: str) -> bool:
    """In /tmp or /var/tmp as written, and still there once symlinks are followed (a project
    under /tmp may hold a link to /etc). A trailing slash (a folder argument) is kept."""
    if not path.startswith(TEMP_DIRS):
        return False
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    if path.endswith("/") and not real.endswith("/"):
        real += "/"
    return real.startswith(_real_temp_dirs())


@functools.cache
def _real_temp_dirs() -> tuple[str, ...]:
    # macOS: /tmp is a link to /private/tmp
    return tuple({*TEMP_DIRS, *(os.path.realpath(d) + "/" for d in TEMP_DIRS)})


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
