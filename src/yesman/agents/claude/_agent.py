"""`CLAUDE_CODE`: the :class:`~yesman.agents.Agent` description of Anthropic's Claude Code CLI."""

from __future__ import annotations

from typing import Final

from yesman.agents._agent import Agent, AgentSignals, KeyConventions
from yesman.agents.claude import _patterns as p
from yesman.agents.claude._parser import parse_screen
from yesman.agents.claude._process import is_claude_code
from yesman.agents.claude._text import clean_lines

__all__ = ["CLAUDE_CODE", "input_guard", "version_from_screen"]

# Claude Code 2.1 drops keys that arrive within ~200 ms of drawing a dialog (measured: 6 of 6
# lost at 0-100 ms, 12 of 12 taken at >= 200 ms).
_DEFAULT_GUARD: Final = 0.25


def input_guard(version: str | None) -> float:
    """Seconds a dialog must be on screen before Claude Code takes a key typed into it."""
    return _DEFAULT_GUARD


def version_from_screen(text: str) -> str | None:
    """The version in Claude Code's start-up banner (``Claude Code v2.1.332``), if on screen."""
    found = p.VERSION_BANNER_RE.search(text)
    return found.group(1) if found else None


CLAUDE_CODE: Final = Agent(
    name="claude-code",
    display_name="Claude Code",
    is_agent_process=is_claude_code,
    parse_screen=parse_screen,
    signals=AgentSignals(
        usage_limit=p.USAGE_LIMIT_LINE_RE,
        api_error=p.API_ERROR_LINE_RE,
        reset_time=p.RESET_TIME_RE,
    ),
    keys=KeyConventions(input_guard=input_guard, digit_selects=True),
    version_from_screen=version_from_screen,
    restart_command="claude --continue",
    screen_lines=clean_lines,
)
