"""Codex CLI (npm ``@openai/codex``): recognise its process, read its screen, know its keys.

`CODEX` is the :class:`~yesman.agents.Agent` the monitor uses; `parse_screen(text)` reads a pane
capture into an :class:`~yesman.agents.AgentScreen`; `CODEX_HOOK` (``CODEX.hook``) reads and
answers Codex's ``PermissionRequest`` hook and installs it in ``hooks.json``.
"""

from __future__ import annotations

from yesman.agents.codex._agent import CODEX, version_from_screen
from yesman.agents.codex._guards import input_guard
from yesman.agents.codex._hook import CODEX_HOOK
from yesman.agents.codex._parser import parse_screen
from yesman.agents.codex._process import is_codex
from yesman.agents.codex._tools import TOOL_KINDS
from yesman.agents.codex._version import parse_version

__all__ = [
    "CODEX",
    "CODEX_HOOK",
    "TOOL_KINDS",
    "input_guard",
    "is_codex",
    "parse_screen",
    "parse_version",
    "version_from_screen",
]
