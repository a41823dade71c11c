"""Claude Code's tool names (as its permission settings and its dialog headers spell them) and
the canonical kind of each."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from yesman.agents._tools import ToolKind, tool_kind_of

__all__ = ["MCP_PREFIXES", "TOOL_KINDS", "tool_kind"]

TOOL_KINDS: Final = MappingProxyType(
    {
        "bash": ToolKind.SHELL,
        "write": ToolKind.WRITE,
        "edit": ToolKind.EDIT,
        "multiedit": ToolKind.EDIT,
        "notebookedit": ToolKind.EDIT,
        "read": ToolKind.READ,
        "grep": ToolKind.READ,
        "glob": ToolKind.READ,
        "fetch": ToolKind.FETCH,
        "webfetch": ToolKind.FETCH,
        "websearch": ToolKind.FETCH,
        "mcp": ToolKind.MCP,
        "askuserquestion": ToolKind.QUESTION,
        "exitplanmode": ToolKind.PLAN,
    }
)
# MCP tools are named mcp__<server>__<tool>.
MCP_PREFIXES: Final = ("mcp__",)


def tool_kind(tool: str | None) -> ToolKind | None:
    return tool_kind_of(tool, TOOL_KINDS, mcp_prefixes=MCP_PREFIXES)
