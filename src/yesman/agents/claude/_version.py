"""Which Claude Code version runs in a process.

The start-up banner (``Claude Code v2.1.332``) scrolls away, so the version is read from the
program itself: the ``package.json`` of the npm package the binary or script belongs to (no
process started), else the binary's ``--version`` output (about 10 ms for the native binary).
Results are cached per program file (path and modification time), so each install is asked once.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Final, Protocol

from yesman.agents.claude._guards import parse_version

__all__ = ["version_of_process"]

_PACKAGE: Final = "@anthropic-ai/claude-code"
_VERSION_TIMEOUT: Final = 3.0
_BINARIES: Final = frozenset({"claude", "claude.exe"})


class _Process(Protocol):
    @property
    def pid(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def cmdline(self) -> Sequence[str]: ...


def version_of_process(process: _Process) -> str | None:
    """The version of the Claude Code running as ``process``, or None when it cannot be told.

    Blocking (it may read files or run the binary): call it off the event loop.
    """
    for program in _programs(process):
        try:
            stat = program.stat()
        except OSError:
            continue
        version = _version_of_file(str(program), stat.st_mtime_ns)
        if version is not None:
            return version
    return None


def _programs(process: _Process) -> list[Path]:
    """The files that may tell the version: the executable, and the script node runs."""
    found: list[Path] = []
    try:
        exe = Path(os.readlink(f"/proc/{process.pid}/exe"))
    except OSError:
        exe = None
    if exe is not None and not exe.name.startswith("node"):
        found.append(exe)
    # node running the package's script: the script path is the first argument that exists.
    for arg in list(process.cmdline)[:3]:
        if "/" in arg and not Path(arg).name.startswith("node"):
            path = Path(arg)
            if path.exists():
                found.append(path.resolve())
    return found


@lru_cache(maxsize=64)
def _version_of_file(program: str, mtime_ns: int) -> str | None:
    version = _from_package_json(Path(program))
    # Only Claude Code's own binary is run: a wrapper recognised by `--agent-cmd` could be any
    # program, and running an unknown program with --version is not harmless.
    if version is None and Path(program).name in _BINARIES and os.access(program, os.X_OK):
        version = _from_version_flag(program)
    return version


def _from_package_json(program: Path) -> str | None:
    """The version in the package.json of the npm package that holds ``program``."""
    for folder in list(program.parents)[:6]:
        manifest = folder / "package.json"
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and str(data.get("name", "")).startswith(_PACKAGE):
            parsed = parse_version(str(data.get("version", "")))
            return None if parsed is None else str(parsed)
    return None


def _from_version_flag(program: str) -> str | None:
    try:
        done = subprocess.run(
            [program, "--version"],
            capture_output=True,
            text=True,
            timeout=_VERSION_TIMEOUT,
            check=False,
            env={**os.environ, "DISABLE_AUTOUPDATER": "1"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    parsed = parse_version(done.stdout)
    return None if parsed is None else str(parsed)
