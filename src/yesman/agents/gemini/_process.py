"""Recognising Gemini CLI in a pane's process tree.

``gemini`` (npm ``@google/gemini-cli``) is node running ``bundle/gemini.js``; by default it starts
itself again as a child node process with more memory (unless ``GEMINI_CLI_NO_RELAUNCH``), so a
pane shows one or two node processes running that script.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["is_gemini"]

_MARKERS: Final = ("@google/gemini-cli/bundle/gemini.js", "/.bin/gemini", "/bin/gemini")


def is_gemini(name: str, cmdline: Sequence[str]) -> bool:
    """True for node running Gemini CLI's script (directly or through its bin link)."""
    if name == "gemini":
        return True
    if not cmdline:
        return False
    if cmdline[0].rsplit("/", 1)[-1] == "gemini":
        return True
    if cmdline[0].rsplit("/", 1)[-1].startswith("node") or name.startswith("node"):
        return any(arg.endswith(_MARKERS) for arg in cmdline[1:6])
    return False
