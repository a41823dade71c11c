"""Gemini CLI (npm ``@google/gemini-cli``): recognise its process, read its screen, know its keys.

`GEMINI` is the :class:`~yesman.agents.Agent` the monitor uses; `parse_screen(text)` reads a pane
capture into an :class:`~yesman.agents.AgentScreen`.
"""

from __future__ import annotations

from yesman.agents.gemini._agent import GEMINI, version_from_screen
from yesman.agents.gemini._guards import input_guard
from yesman.agents.gemini._parser import parse_screen
from yesman.agents.gemini._process import is_gemini
from yesman.agents.gemini._tools import TOOL_KINDS
from yesman.agents.gemini._version import parse_version

__all__ = [
    "GEMINI",
    "TOOL_KINDS",
    "input_guard",
    "is_gemini",
    "parse_screen",
    "parse_version",
    "version_from_screen",
]
