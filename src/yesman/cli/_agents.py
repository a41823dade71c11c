"""Which agents the CLI works with: the `--agent` option and the registry behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console

from yesman.agents import Agent, AgentRegistry, builtin_agents, default_agent

__all__ = ["AgentOption", "agent_named", "agents_for_watch"]

AgentOption = Annotated[
    str | None,
    typer.Option(
        "--agent",
        help="Which agent drew the screen (default: the first one yesman ships, Claude Code).",
        show_default=False,
    ),
]


def agent_named(name: str | None, err: Console) -> Agent:
    """The agent called ``name`` (None: the default), or a usage error listing the known ones."""
    if name is None:
        return default_agent()
    registry = builtin_agents()
    if name in registry:
        return registry.get(name)
    known = ", ".join(a.name for a in registry)
    err.print(f"[red]error:[/] no agent named {name!r}; known agents: {known}", highlight=False)
    raise typer.Exit(2)


def agents_for_watch(extra_commands: Sequence[str]) -> AgentRegistry:
    """Every shipped agent; ``--agent-cmd`` fragments also name the default agent's process."""
    registry = builtin_agents()
    if extra_commands:
        first = default_agent()
        registry.register(first.with_commands(extra_commands), replace=True)
    return registry
