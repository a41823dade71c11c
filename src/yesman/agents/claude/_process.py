"""Recognising the Claude Code process in a pane's process tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["is_claude_code"]

_NAMES: Final = frozenset({"claude", "claude.exe"})
_PACKAGE: Final = "@anthropic-ai/claude-code"


def is_claude_code(name: str, cmdline: Sequence[str]) -> bool:
    """True for the Claude Code CLI: its native binary (`claude`, shipped as `claude.exe` by the
    npm package) or node running the package's script."""
    if name in _NAMES:
        return True
    if not cmdline:
        return False
    first = cmdline[0]
    if first.rsplit("/", 1)[-1] in _NAMES or f"{_PACKAGE}/" in first:
        return True
    if first.rsplit("/", 1)[-1].startswith("node") or name.startswith("node"):
        return any(_PACKAGE in arg or arg.rsplit("/", 1)[-1] in _NAMES for arg in cmdline[1:3])
    return False
