"""Recognising Codex CLI in a pane's process tree.

``codex`` (npm ``@openai/codex``) is a node launcher, ``bin/codex.js``, that runs the native
binary of the platform package (``@openai/codex-linux-x64/vendor/<triple>/bin/codex``) as its
child, or replaces itself with it where node has ``process.execve``. Either process names Codex.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["is_codex"]

_NAME: Final = "codex"
_SCRIPT_MARKERS: Final = ("@openai/codex/bin/codex.js", "/.bin/codex")


def is_codex(name: str, cmdline: Sequence[str]) -> bool:
    """True for Codex's native binary or node running its launcher script."""
    if name == _NAME:
        return True
    if not cmdline:
        return False
    first = cmdline[0].rsplit("/", 1)[-1]
    if first == _NAME:
        return True
    if first.startswith("node") or name.startswith("node"):
        return any(
            arg.endswith(_SCRIPT_MARKERS) or arg.rsplit("/", 1)[-1] == "codex.js"
            for arg in cmdline[1:3]
        )
    return False
