"""Codex's tool names and the canonical kind of each.

The screen names no tool, only what is asked; the parser calls a command approval ``exec``, a
patch approval ``apply_patch``, a network approval ``network``, an MCP approval ``mcp``. The
table also holds the names of Codex's own tools (``exec_command``, ``shell``, ``shell_command``,
``local_shell``) and the ``Bash`` its hooks report, so rules and the hook channel share it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from yesman.agents._tools import ToolKind, tool_kind_of

__all__ = ["MCP_PREFIXES", "TOOL_KINDS", "tool_kind"]

TOOL_KINDS: Final = MappingProxyType(
    {
        "exec": ToolKind.SHELL,
        "exec_command": ToolKind.SHELL,
        "write_stdin": ToolKind.SHELL,
        "shell": ToolKind.SHELL,
        "shell_command": ToolKind.SHELL,
        "local_shell": ToolKind.SHELL,
        "bash": ToolKind.SHELL,
        "apply_patch": ToolKind.EDIT,
        "network": ToolKind.FETCH,
        "web_search": ToolKind.FETCH,
        "view_image": ToolKind.READ,
        "mcp": ToolKind.MCP,
        "request_user_input": ToolKind.QUESTION,
        "plan": ToolKind.PLAN,
    }
)
MCP_PREFIXES: Final = ("mcp__",)


def tool_kind(tool: str | None) -> ToolKind | None:
    return tool_kind_of(tool, TOOL_KINDS, mcp_prefixes=MCP_PREFIXES)
