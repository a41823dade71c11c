"""Which Codex CLI version runs in a process.

Read from the ``package.json`` of the npm package that holds the program (the launcher's
``@openai/codex`` says ``0.171.0``; the platform package's says ``0.171.0-linux-x64``), else from
``codex --version`` (``codex-cli 0.171.0``, about 10 ms). Cached per program file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Final

from yesman.agents._agent import AgentProcess

__all__ = ["parse_version", "version_of_process"]

_PACKAGE: Final = "@openai/codex"
_VERSION_RE: Final = re.compile(r"(?<![\d.])(\d{1,4}\.\d{1,4}\.\d{1,6})(?![\d.])")
_TIMEOUT: Final = 3.0


def parse_version(text: str) -> str | None:
    """The first x.y.z in ``text`` (``codex-cli 0.171.0``, ``0.171.0-linux-x64``), or None."""
    m = _VERSION_RE.search(text)
    return None if m is None else m.group(1)


def version_of_process(process: AgentProcess) -> str | None:
    """Blocking (reads files, may run the binary): call it off the event loop."""
    for program in _programs(process):
        try:
            stat = program.stat()
        except OSError:
            continue
        version = _version_of_file(str(program), stat.st_mtime_ns)
        if version is not None:
            return version
    return None


def _programs(process: AgentProcess) -> list[Path]:
    found: list[Path] = []
    try:
        exe = Path(os.readlink(f"/proc/{process.pid}/exe"))
    except OSError:
        exe = None
    if exe is not None and not exe.name.startswith("node"):
        found.append(exe)
    for arg in list(process.cmdline)[:3]:
        if "/" in arg and not Path(arg).name.startswith("node") and Path(arg).exists():
            found.append(Path(arg).resolve())
    return found


@lru_cache(maxsize=64)
def _version_of_file(program: str, mtime_ns: int) -> str | None:
    path = Path(program)
    for folder in list(path.parents)[:6]:
        for manifest in (folder / "package.json", folder / "codex-package.json"):
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict):
                continue
            # The platform package's vendor folder has a codex-package.json without a name.
            named = str(data.get("name", "")).startswith(_PACKAGE)
            if named or data.get("variant") == "codex":
                return parse_version(str(data.get("version", "")))
    if path.name == "codex" and os.access(program, os.X_OK):
        try:
            done = subprocess.run(
                [program, "--version"],
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return parse_version(done.stdout)
    return None
