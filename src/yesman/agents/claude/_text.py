"""Clean screen lines for Claude Code's parser: the agent-neutral cleaner (``agents._text``)."""

from __future__ import annotations

from yesman.agents._text import MAX_CHARS, MAX_LINES, clean_lines

__all__ = ["MAX_CHARS", "MAX_LINES", "clean_lines"]
