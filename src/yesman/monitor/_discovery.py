"""Which panes of a server a supervisor watches, and as which agent.

A pane is watched when it is named (a target) or, with no targets, when its process tree runs one
of the known agents. Every other pane is muted on the control client when muting is on: its
output then costs nothing, and it is looked at again when its foreground program changes (the
client reports that for muted panes too) or, unmuted, when it draws something and was last looked
at more than ``recheck_interval`` seconds ago.

A pane that has just been created may not run its program yet (tmux forks, then the child
changes folder and execs), so its first look can find no agent, and its foreground command may
never be reported as changed. `NewPaneRechecks` looks at such panes again a few times over
their first seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import AsyncIterator, Sequence

from yesman.agents import Agent, AgentRegistry
from yesman.tmux import ControlClient, PaneInfo, TmuxError, process_trees

__all__ = ["NewPaneRechecks", "PaneSelector"]

log = logging.getLogger(__name__)


class PaneSelector:
    """Picks the panes to watch and mutes the rest (see the module docstring)."""

    __slots__ = ("_last_check", "_mute", "_recheck_interval", "agents", "targets")

    def __init__(
        self,
        agents: AgentRegistry,
        targets: Sequence[str],
        *,
        mute: bool,
        recheck_interval: float,
    ) -> None:
        self.agents = agents
        self.targets = tuple(targets)
        self._mute = mute
        self._recheck_interval = recheck_interval
        self._last_check: dict[str, float] = {}

    def targeted(self, pane: PaneInfo) -> bool:
        return any(t in (pane.pane_id, pane.session_id, pane.session_name) for t in self.targets)

    def missing(self, panes: Sequence[PaneInfo]) -> tuple[str, ...]:
        """The targets that match none of ``panes``."""
        return tuple(
            t
            for t in self.targets
            if not any(t in (p.pane_id, p.session_id, p.session_name) for p in panes)
        )

    def due(self, pane_id: str) -> bool:
        """An unwatched pane drew something: is it time to look at it again?"""
        now = time.monotonic()
        if now - self._last_check.get(pane_id, 0.0) < self._recheck_interval:
            return False
        self._last_check[pane_id] = now
        return True

    def forget(self, pane_id: str) -> None:
        self._last_check.pop(pane_id, None)

    async def choose(
        self, client: ControlClient, candidates: Sequence[PaneInfo]
    ) -> list[tuple[PaneInfo, Agent]]:
        """The candidates to watch, each with its agent; the others are muted."""
        now = time.monotonic()
        for pane in candidates:
            self._last_check[pane.pane_id] = now
        chosen = list(candidates)
        if self.targets:
            for pane in chosen:
                if not self.targeted(pane):
                    await self.mute(client, pane.pane_id)
            chosen = [p for p in chosen if self.targeted(p)]
        trees = await asyncio.to_thread(process_trees, [p.pane_pid for p in chosen])
        found: list[tuple[PaneInfo, Agent]] = []
        for pane in chosen:
            agent = self.agents.identify(trees.get(pane.pane_pid, ()))
            if agent is None and self.targets:
                agent = next(iter(self.agents))  # named: watched even before its agent starts
            if agent is None:
                await self.mute(client, pane.pane_id)
            else:
                found.append((pane, agent))
        return found

    async def mute(self, client: ControlClient, pane_id: str) -> None:
        """Stop paying for the output of a pane that is not watched (when muting is on)."""
        if not self._mute or pane_id in client.muted_panes():
            return
        try:
            await client.mute_output(pane_id)
        except TmuxError as exc:
            log.debug("could not mute pane %s: %s", pane_id, exc)


class NewPaneRechecks:
    """When to look again at new panes in which no agent was found (seconds after creation)."""

    DELAYS = (0.3, 1.0, 3.0)

    def __init__(self, delays: Sequence[float] = DELAYS) -> None:
        self._delays = tuple(delays)
        self._due: list[tuple[float, str]] = []
        self._wake = asyncio.Event()

    def note(self, pane_id: str) -> None:
        """A pane was just created and is not watched (yet)."""
        now = time.monotonic()
        for delay in self._delays:
            heapq.heappush(self._due, (now + delay, pane_id))
        self._wake.set()

    async def due(self) -> AsyncIterator[str]:
        """Pane ids, each when its next look is due; runs until cancelled."""
        while True:
            if not self._due:
                self._wake.clear()
                await self._wake.wait()
                continue
            when, pane_id = self._due[0]
            wait = when - time.monotonic()
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            heapq.heappop(self._due)
            yield pane_id
