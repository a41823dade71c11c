"""Canonical tool kinds: one name per kind of action, whichever agent asks for it.

Each agent calls its tools by its own names (Claude Code's ``Bash``, Codex's ``exec_command``,
Gemini CLI's ``run_shell_command``). A policy rule that says ``tool = "shell"`` must cover all of
them, and the guards (dangerous commands, writes outside the project) must run on every agent's
shell and file dialogs. So each agent maps its tool names onto these kinds
(:attr:`Agent.tool_kinds <yesman.agents.Agent.tool_kinds>`), and its screen parser stamps the
kind on every tool prompt (:attr:`Prompt.tool_kind <yesman.agents.Prompt.tool_kind>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["ToolKind", "tool_kind_of"]


class ToolKind(StrEnum):
    """What a tool does, in words every agent shares."""

    SHELL = "shell"  # runs a shell command
    WRITE = "write"  # creates or overwrites a file
    EDIT = "edit"  # changes part of a file (a replace, a patch)
    READ = "read"  # reads a file or lists a folder
    FETCH = "fetch"  # fetches a URL or searches the web
    MCP = "mcp"  # calls a tool of an MCP server
    QUESTION = "question"  # asks the human a question
    PLAN = "plan"  # asks to approve a plan or to leave plan mode


def tool_kind_of(
    tool: str | None, kinds: Mapping[str, ToolKind], *, mcp_prefixes: tuple[str, ...] = ()
) -> ToolKind | None:
    """The kind of ``tool`` by an agent's table (names compared case-insensitively), MCP for a
    name that starts with one of ``mcp_prefixes``, else None (unknown tools have no kind)."""
    if not tool:
        return None
    key = tool.lower()
    found = kinds.get(key)
    if found is not None:
        return found
    if mcp_prefixes and key.startswith(mcp_prefixes):
        return ToolKind.MCP
    return None
