"""Claude Code: read its screen.

`parse_screen(text)` turns a pane capture (plain or with ANSI escapes) into an
:class:`~yesman.agents.AgentScreen`. `clean_lines(text)` gives the lines the parser read, which
:attr:`Prompt.span <yesman.agents.Prompt.span>` indexes.
"""

from __future__ import annotations

from yesman.agents.claude._parser import parse_screen
from yesman.agents.claude._text import clean_lines

__all__ = ["clean_lines", "parse_screen"]
