"""`AgentProcessController`: is the agent running in a pane, and (opt-in) restarting it.

Whether the agent runs is read from the pane's process tree (the pane's first process and its
descendants), never from a substring of `pane_current_command`, which only names the foreground
program and says "node" for many things.

Restarting is off by default. When enabled it types the configured command into the pane's shell
only when the pane holds nothing but an idle shell, waits longer after each attempt (exponential
backoff) and gives up after a budget of attempts per hour. It never sends Ctrl-D or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import psutil

from yesman.agents import Agent, default_agent
from yesman.monitor._session import SessionManager
from yesman.tmux import ProcessInfo, process_tree

__all__ = ["AgentProcessController", "ClaudeProcessController", "RestartPolicy"]

log = logging.getLogger(__name__)

_SHELLS = frozenset({"bash", "zsh", "sh", "dash", "fish", "ksh", "tcsh", "csh"})


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """How an exited agent is restarted; `enabled=False` (the default) never restarts.

    `command` None means the agent's own `restart_command`; an agent without one is not restarted.
    """

    enabled: bool = False
    command: str | None = None
    initial_backoff: float = 2.0
    max_backoff: float = 300.0
    budget: int = 5  # attempts allowed per `budget_window` seconds
    budget_window: float = 3600.0


class AgentProcessController:
    """Answers "is the agent running in this pane?" and restarts it when allowed.

    Process-tree reads are cached for `cache_ttl` seconds (the tree rarely changes, and a read
    costs a few hundred microseconds); `invalidate()` forces a fresh read, e.g. after a pane
    reported that its process exited.
    """

    def __init__(
        self,
        session: SessionManager,
        agent: Agent | None = None,
        *,
        restart: RestartPolicy | None = None,
        cache_ttl: float = 2.0,
    ) -> None:
        self._session = session
        self.agent = agent if agent is not None else default_agent()
        self._restart = restart or RestartPolicy()
        self._cache_ttl = cache_ttl
        self._cached: tuple[float, bool] | None = None
        self._version: str | None = None
        self._version_of: tuple[int, float] | None = None  # (pid, create_time) it was read from
        self._cwd: str | None = None
        self._attempts: deque[float] = deque()
        self._next_allowed = 0.0
        self._backoff = self._restart.initial_backoff

    @property
    def restart_policy(self) -> RestartPolicy:
        return self._restart

    def invalidate(self) -> None:
        self._cached = None

    @property
    def agent_version(self) -> str | None:
        """The version of the agent process last seen in the pane (None: unknown)."""
        return self._version

    @property
    def agent_cwd(self) -> str | None:
        """The folder the agent process runs in: its project (None: not found or unreadable).

        Read from the process itself, once per agent process: the pane's own path can be the
        tmux server's folder when it is looked at before the program has started.
        """
        return self._cwd

    async def is_agent_running(self) -> bool:
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < self._cache_ttl:
            return self._cached[1]
        running = await asyncio.to_thread(self._scan, self._session.pane_pid)
        self._cached = (now, running)
        if running:
            self._backoff = self._restart.initial_backoff
        return running

    def matches(self, tree: Sequence[ProcessInfo]) -> bool:
        """True when the agent is among the processes of a pane's tree."""
        return any(self.agent.matches(p.name, p.cmdline) for p in tree)

    def _scan(self, pane_pid: int) -> bool:
        """Runs in a thread: is the agent in the pane's tree, and which version is it."""
        found = self.agent.find_process(process_tree(pane_pid))
        if found is None:
            return False
        identity = (found.pid, found.create_time)
        if identity != self._version_of:
            # A new agent process (started, or restarted): read its version and folder once.
            self._version_of = identity
            self._version = self.agent.version_of_process(found)
            self._cwd = _cwd_of(found.pid)
        return True

    @staticmethod
    def _only_a_shell(pane_pid: int) -> bool:
        tree = process_tree(pane_pid)
        return len(tree) == 1 and tree[0].name in _SHELLS

    async def is_claude_running(self) -> bool:
        """The seed's name for :meth:`is_agent_running`."""
        return await self.is_agent_running()

    def next_attempt_in(self) -> float | None:
        """Seconds until a restart may be tried again; None when the budget is spent."""
        policy = self._restart
        now = time.monotonic()
        live = [t for t in self._attempts if now - t <= policy.budget_window]
        if len(live) >= policy.budget:
            return None
        return max(0.0, self._next_allowed - now)

    async def maybe_restart(self) -> str | None:
        """Restart the agent if the policy allows it now; returns what was done, or None."""
        policy = self._restart
        command = policy.command or self.agent.restart_command
        if not policy.enabled or not command:
            return None
        now = time.monotonic()
        while self._attempts and now - self._attempts[0] > policy.budget_window:
            self._attempts.popleft()
        if len(self._attempts) >= policy.budget:
            return None
        if now < self._next_allowed:
            return None
        if not await asyncio.to_thread(self._only_a_shell, self._session.pane_pid):
            log.warning(
                "not restarting the agent in pane %s: the pane is not an idle shell",
                self._session.pane_id,
                extra={"pane_id": self._session.pane_id},
            )
            self._next_allowed = now + self._backoff
            return None
        self._attempts.append(now)
        self._next_allowed = now + self._backoff
        self._backoff = min(self._backoff * 2, policy.max_backoff)
        # Typing a command line at an idle shell prompt is the one place yesman presses Enter.
        await self._session.send_literal(command)
        await self._session.send_keys("Enter")
        self.invalidate()
        log.warning(
            "restarted the agent in pane %s with %r (attempt %d of %d this hour)",
            self._session.pane_id,
            command,
            len(self._attempts),
            policy.budget,
            extra={"pane_id": self._session.pane_id},
        )
        return command


ClaudeProcessController = AgentProcessController
"""The name this had while Claude Code was the only agent."""


def _cwd_of(pid: int) -> str | None:
    try:
        return psutil.Process(pid).cwd() or None
    except psutil.Error:
        return None
