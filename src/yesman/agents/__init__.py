"""Coding agents: what their screens say, and what yesman knows about each of them.

The values here are agent-neutral: an :class:`AgentScreen` (state and live dialog) read from a
pane, an :class:`Agent` describing one agent (process, screen parser, signals, key conventions,
its hook channel), and the hook channel's :class:`ToolRequest` and :class:`HookVerdict`. Each
agent has its own subpackage (``yesman.agents.claude``) and one line in the registry
(:func:`builtin_agents`); nothing outside this package names an agent.
"""

from __future__ import annotations

from yesman.agents._agent import (
    Agent,
    AgentProcess,
    AgentSignals,
    KeyConventions,
    ProcessMatcher,
)
from yesman.agents._hook import (
    AgentHook,
    HookBehavior,
    HookScope,
    HookSettingsError,
    HookVerdict,
    InstalledHook,
    Question,
    ToolRequest,
)
from yesman.agents._registry import AgentRegistry, builtin_agents, default_agent
from yesman.agents._screen import (
    AgentScreen,
    Option,
    PermissionMode,
    Prompt,
    PromptKind,
    ScreenParser,
    ScreenState,
)
from yesman.agents._tools import ToolKind

__all__ = [
    "Agent",
    "AgentHook",
    "AgentProcess",
    "AgentRegistry",
    "AgentScreen",
    "AgentSignals",
    "HookBehavior",
    "HookScope",
    "HookSettingsError",
    "HookVerdict",
    "InstalledHook",
    "KeyConventions",
    "Option",
    "PermissionMode",
    "ProcessMatcher",
    "Prompt",
    "PromptKind",
    "Question",
    "ScreenParser",
    "ScreenState",
    "ToolKind",
    "ToolRequest",
    "builtin_agents",
    "default_agent",
]
