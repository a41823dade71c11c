"""`CODEX`: the :class:`~yesman.agents.Agent` description of OpenAI's Codex CLI."""

from __future__ import annotations

from typing import Final

from yesman.agents._agent import Agent, AgentSignals, KeyConventions
from yesman.agents._text import clean_lines
from yesman.agents.codex import _patterns as p
from yesman.agents.codex._guards import input_guard
from yesman.agents.codex._hook import CODEX_HOOK
from yesman.agents.codex._parser import parse_screen
from yesman.agents.codex._process import is_codex
from yesman.agents.codex._tools import MCP_PREFIXES, TOOL_KINDS
from yesman.agents.codex._version import version_of_process

__all__ = ["CODEX", "version_from_screen"]


def version_from_screen(text: str) -> str | None:
    """The version in Codex's banner (``>_ OpenAI Codex (v0.171.0)``), if on screen."""
    found = p.VERSION_BANNER_RE.search(text)
    return None if found is None else found.group(1)


CODEX: Final = Agent(
    name="codex",
    display_name="Codex CLI",
    is_agent_process=is_codex,
    parse_screen=parse_screen,
    signals=AgentSignals(
        usage_limit=p.USAGE_LIMIT_LINE_RE,
        api_error=p.API_ERROR_LINE_RE,
        reset_time=p.RESET_TIME_RE,
    ),
    keys=KeyConventions(input_guard=input_guard, digit_selects=True),
    version_from_screen=version_from_screen,
    version_of_process=version_of_process,
    restart_command="codex resume --last",
    screen_lines=clean_lines,
    tool_kinds=TOOL_KINDS,
    mcp_prefixes=MCP_PREFIXES,
    hook=CODEX_HOOK,
)
