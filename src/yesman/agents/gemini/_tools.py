"""Gemini CLI's tool names (its function declarations) and the canonical kind of each.

The screen shows display names (``Shell``, ``WriteFile``); the parser turns them into these
names (`_patterns.DISPLAY_NAMES`), which are also what its hooks and the model use.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from yesman.agents._tools import ToolKind, tool_kind_of

__all__ = ["MCP_PREFIXES", "TOOL_KINDS", "tool_kind"]

TOOL_KINDS: Final = MappingProxyType(
    {
        "run_shell_command": ToolKind.SHELL,
        "write_file": ToolKind.WRITE,
        "replace": ToolKind.EDIT,
        "read_file": ToolKind.READ,
        "read_many_files": ToolKind.READ,
        "list_directory": ToolKind.READ,
        "grep_search": ToolKind.READ,
        "glob": ToolKind.READ,
        "web_fetch": ToolKind.FETCH,
        "google_web_search": ToolKind.FETCH,
        "ask_user": ToolKind.QUESTION,
        "exit_plan_mode": ToolKind.PLAN,
        "enter_plan_mode": ToolKind.PLAN,
        "mcp": ToolKind.MCP,
    }
)
MCP_PREFIXES: Final = ("mcp_",)


def tool_kind(tool: str | None) -> ToolKind | None:
    return tool_kind_of(tool, TOOL_KINDS, mcp_prefixes=MCP_PREFIXES)
