"""Which agents yesman knows, and which one runs in a pane.

Adding an agent is a new folder under ``yesman.agents`` that defines an :class:`Agent` plus one
line in ``_BUILTIN`` below. Agents are imported on first use, so reading the list costs nothing
until someone asks for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from yesman.agents._agent import Agent

__all__ = ["AgentRegistry", "builtin_agents", "default_agent"]

# "module:attribute" of every agent shipped with yesman, in the order they are tried.
_BUILTIN: tuple[str, ...] = (
    "yesman.agents.claude:CLAUDE_CODE",
    "yesman.agents.codex:CODEX",
    "yesman.agents.gemini:GEMINI",
)


class _Process(Protocol):
    """What identifying an agent needs of a process (``yesman.tmux.ProcessInfo`` has it)."""

    @property
    def name(self) -> str: ...

    @property
    def cmdline(self) -> Sequence[str]: ...


class AgentRegistry:
    """An ordered set of agents; the first whose process matches names a pane's agent."""

    __slots__ = ("_agents",)

    def __init__(self, agents: Iterable[Agent] = ()) -> None:
        self._agents: dict[str, Agent] = {}
        for agent in agents:
            self.register(agent)

    def register(self, agent: Agent, *, replace: bool = False) -> None:
        """Add an agent; a second agent with the same name is refused unless ``replace``."""
        if agent.name in self._agents and not replace:
            raise ValueError(f"an agent named {agent.name!r} is already registered")
        self._agents[agent.name] = agent

    def get(self, name: str) -> Agent:
        try:
            return self._agents[name]
        except KeyError:
            known = ", ".join(self._agents) or "none"
            raise KeyError(f"no agent named {name!r} (known: {known})") from None

    def identify(self, processes: Iterable[_Process]) -> Agent | None:
        """The agent running among ``processes`` (a pane's process tree), or None."""
        tree = list(processes)
        for agent in self._agents.values():
            if any(agent.matches(p.name, p.cmdline) for p in tree):
                return agent
        return None

    def __iter__(self) -> Iterator[Agent]:
        return iter(self._agents.values())

    def __len__(self) -> int:
        return len(self._agents)

    def __contains__(self, name: object) -> bool:
        return name in self._agents

    def __repr__(self) -> str:
        return f"AgentRegistry({list(self._agents)!r})"


def builtin_agents() -> AgentRegistry:
    """A fresh registry of every agent shipped with yesman."""
    agents = []
    for spec in _BUILTIN:
        module, _, attribute = spec.partition(":")
        agents.append(getattr(importlib.import_module(module), attribute))
    return AgentRegistry(agents)


def default_agent() -> Agent:
    """The agent assumed where none is named: the first one shipped (Claude Code)."""
    module, _, attribute = _BUILTIN[0].partition(":")
    agent: Agent = getattr(importlib.import_module(module), attribute)
    return agent
