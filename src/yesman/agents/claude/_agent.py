"""`CLAUDE_CODE`: the :class:`~yesman.agents.Agent` description of Anthropic's Claude Code CLI."""

from __future__ import annotations

from typing import Final

from yesman.agents._agent import Agent, AgentSignals, KeyConventions
from yesman.agents.claude import _patterns as p
from yesman.agents.claude._guards import input_guard, parse_version
from yesman.agents.claude._hook import CLAUDE_HOOK
from yesman.agents.claude._parser import parse_screen
from yesman.agents.claude._process import is_claude_code
from yesman.agents.claude._text import clean_lines
from yesman.agents.claude._tools import MCP_PREFIXES, TOOL_KINDS
from yesman.agents.claude._version import version_of_process

__all__ = ["CLAUDE_CODE", "version_from_screen"]


def version_from_screen(text: str) -> str | None:
    """The version in Claude Code's start-up banner (``Claude Code v2.1.332``), if on screen."""
    found = p.VERSION_BANNER_RE.search(text)
    if found is None:
        return None
    parsed = parse_version(found.group(1))
    return None if parsed is None else str(parsed)


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
    version_of_process=version_of_process,
    restart_command="claude --continue",
    screen_lines=clean_lines,
    tool_kinds=TOOL_KINDS,
    mcp_prefixes=MCP_PREFIXES,
    hook=CLAUDE_HOOK,
)
