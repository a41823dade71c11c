"""Claude Code: recognise its process, read its screen, know its conventions.

`CLAUDE_CODE` is the :class:`~yesman.agents.Agent` the monitor uses. `parse_screen(text)` turns a
pane capture (plain or with ANSI escapes) into an :class:`~yesman.agents.AgentScreen`;
`clean_lines(text)` gives the lines the parser read, which
:attr:`Prompt.span <yesman.agents.Prompt.span>` indexes.
"""

from __future__ import annotations

from yesman.agents.claude._agent import CLAUDE_CODE, version_from_screen
from yesman.agents.claude._guards import input_guard, parse_version
from yesman.agents.claude._parser import parse_screen
from yesman.agents.claude._process import is_claude_code
from yesman.agents.claude._text import clean_lines

__all__ = [
    "CLAUDE_CODE",
    "clean_lines",
    "input_guard",
    "is_claude_code",
    "parse_screen",
    "parse_version",
    "version_from_screen",
]
