"""Which Gemini CLI version runs in a process: the ``package.json`` of ``@google/gemini-cli``
above the script node runs (no process started). Cached per script file."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Final

from yesman.agents._agent import AgentProcess

__all__ = ["parse_version", "version_of_process"]

_PACKAGE: Final = "@google/gemini-cli"
_VERSION_RE: Final = re.compile(r"(?<![\d.])(\d{1,4}\.\d{1,4}\.\d{1,6})(?![\d.])")


def parse_version(text: str) -> str | None:
    m = _VERSION_RE.search(text)
    return None if m is None else m.group(1)


def version_of_process(process: AgentProcess) -> str | None:
    """Blocking (reads files): call it off the event loop."""
    for arg in list(process.cmdline)[1:6]:
        if "/" not in arg:
            continue
        path = Path(arg)
        try:
            resolved = path.resolve()
            stat = resolved.stat()
        except OSError:
            continue
        version = _version_of_file(str(resolved), stat.st_mtime_ns)
        if version is not None:
            return version
    return None


@lru_cache(maxsize=64)
def _version_of_file(program: str, mtime_ns: int) -> str | None:
    for folder in list(Path(program).parents)[:4]:
        try:
            data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("name") == _PACKAGE:
            return parse_version(str(data.get("version", "")))
    return None
