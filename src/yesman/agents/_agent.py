"""`Agent`: everything yesman knows about one coding agent, in one value.

The monitor, the supervisor and the CLI know no agent by name: they ask an `Agent` how to
recognise its process, how to read its screen, which screen lines are worth reporting (usage
limits, API errors) and how it takes keys (its input guard). Each agent lives in its own folder
under ``yesman.agents`` and is listed once in the registry (``_registry.py``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from yesman.agents._hook import AgentHook
from yesman.agents._screen import ScreenParser
from yesman.agents._tools import ToolKind, tool_kind_of

__all__ = ["Agent", "AgentProcess", "AgentSignals", "KeyConventions", "ProcessMatcher"]

ProcessMatcher = Callable[[str, Sequence[str]], bool]
"""Decides from a process name and its argv whether it is the agent."""


class AgentProcess(Protocol):
    """What the agent layer needs to know of a process (``yesman.tmux.ProcessInfo`` has it)."""

    @property
    def pid(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def cmdline(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class AgentSignals:
    """Lines an agent prints that other tools want to hear about, matched one line at a time.

    ``usage_limit`` finds "limit reached" lines; ``reset_time``, searched on such a line, has a
    ``reset`` group with the time the limit resets. ``api_error`` finds failed model requests.
    """

    usage_limit: re.Pattern[str]
    api_error: re.Pattern[str]
    reset_time: re.Pattern[str] | None = None


_P = TypeVar("_P", bound=AgentProcess)


def _no_version(text: str) -> str | None:
    return None


def _plain_lines(text: str) -> list[str]:
    return text.splitlines()


def _no_process_version(process: AgentProcess) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class KeyConventions:
    """How the agent takes answers typed into its dialogs.

    ``input_guard(version)`` is how long, in seconds, a dialog must have been on screen before a
    key typed into it is taken rather than dropped, for that agent version (None: unknown).
    ``digit_selects`` is True when typing an option's digit both selects and confirms it (no
    Enter needed); the policy only ever answers such agents with a single digit.
    """

    input_guard: Callable[[str | None], float]
    digit_selects: bool = True


@dataclass(frozen=True, slots=True)
class Agent:
    """One coding agent yesman can watch.

    ``name`` is a short stable identifier (it appears in events, the audit trail and JSON
    output); ``display_name`` is for people. ``version_from_screen`` reads the agent's version
    from a capture (a start-up banner), None when the screen does not show it;
    ``version_of_process`` from the agent's process (blocking: call it off the event loop).
    ``restart_command`` is what to type at an idle shell to bring the agent back with its
    conversation (used only when restarting is enabled). ``screen_lines`` gives the lines the
    parser read (escapes stripped), which :attr:`Prompt.span` indexes. ``tool_kinds`` maps the
    agent's own tool names (lower-cased, as dialogs and hooks name them) onto canonical kinds;
    names starting with one of ``mcp_prefixes`` are MCP tools.
    ``hook`` is the agent's side of the structured answer channel (``yesman hook``), None
    for an agent without hooks.
    """

    name: str
    display_name: str
    is_agent_process: ProcessMatcher
    parse_screen: ScreenParser
    signals: AgentSignals
    keys: KeyConventions
    version_from_screen: Callable[[str], str | None] = _no_version
    version_of_process: Callable[[AgentProcess], str | None] = _no_process_version
    restart_command: str | None = None
    screen_lines: Callable[[str], list[str]] = _plain_lines
    tool_kinds: Mapping[str, ToolKind] = dataclasses.field(default_factory=dict)
    mcp_prefixes: tuple[str, ...] = ()
    hook: AgentHook | None = None

    def tool_kind(self, tool: str | None) -> ToolKind | None:
        """The canonical kind of one of this agent's tools, None when unknown."""
        return tool_kind_of(tool, self.tool_kinds, mcp_prefixes=self.mcp_prefixes)

    def matches(self, name: str, cmdline: Sequence[str]) -> bool:
        """True when a process (name and argv) is this agent."""
        return self.is_agent_process(name, cmdline)

    def find_process(self, processes: Sequence[_P]) -> _P | None:
        """The first of ``processes`` (a pane's tree, parents first) that is this agent."""
        return next((p for p in processes if self.matches(p.name, p.cmdline)), None)

    def with_commands(self, fragments: Sequence[str]) -> Agent:
        """This agent, also recognised in processes whose argv contains one of ``fragments``
        (for wrappers and launch scripts around the real binary)."""
        if not fragments:
            return self
        base = self.is_agent_process
        extra = tuple(fragments)

        def matches(name: str, cmdline: Sequence[str]) -> bool:
            return base(name, cmdline) or any(f in arg for f in extra for arg in cmdline)

        return dataclasses.replace(self, is_agent_process=matches)
