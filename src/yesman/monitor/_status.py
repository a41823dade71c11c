"""`StatusManager`: what one watched pane is doing now, and a bounded history of it."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from yesman.agents import PermissionMode, Prompt, ScreenState

__all__ = ["PaneStatus", "StatusChange", "StatusManager"]


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The pane moved from one state to another at `time` (wall clock)."""

    time: float
    old: ScreenState | None
    new: ScreenState
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class PaneStatus:
    """A snapshot for views: the state, the last prompt and what was done about it."""

    state: ScreenState
    agent_running: bool
    last_prompt: Prompt | None
    last_action: str | None
    last_rule: str | None
    last_reason: str | None
    last_latency_ms: float | None
    answered: int
    held: int
    denied: int
    updated_at: float
    agent: str = ""  # the agent's name (``Agent.name``)
    agent_version: str | None = None
    mode: PermissionMode | None = None  # the permission mode last shown on screen

    @property
    def claude_running(self) -> bool:
        """The name this had while Claude Code was the only agent."""
        return self.agent_running


class StatusManager:
    """Keeps the current status of one pane and the last `history_size` state changes."""

    def __init__(self, history_size: int = 200, *, agent: str = "") -> None:
        self._state = ScreenState.UNKNOWN
        self._agent = agent
        self._agent_version: str | None = None
        self._agent_running = False
        self._mode: PermissionMode | None = None
        self._prompt: Prompt | None = None
        self._action: str | None = None
        self._rule: str | None = None
        self._reason: str | None = None
        self._latency_ms: float | None = None
        self._counts = {"answer": 0, "hold": 0, "deny": 0}
        self._updated = time.time()
        self._history: deque[StatusChange] = deque(maxlen=history_size)

    @property
    def state(self) -> ScreenState:
        return self._state

    def update_state(
        self, state: ScreenState, *, agent_running: bool, detail: str | None = None
    ) -> StatusChange | None:
        """Record the latest reading; returns the change when the state differs from before."""
        self._agent_running = agent_running
        self._updated = time.time()
        if state is self._state and self._history:
            return None
        change = StatusChange(self._updated, self._state if self._history else None, state, detail)
        self._state = state
        self._history.append(change)
        return change

    def record_mode(self, mode: PermissionMode | None) -> bool:
        """Note the permission mode a screen showed; True when it changed."""
        changed = mode is not self._mode
        self._mode = mode
        return changed

    def record_agent_version(self, version: str) -> None:
        self._agent_version = version

    def record_prompt(self, prompt: Prompt | None) -> None:
        self._prompt = prompt

    def record_decision(
        self, action: str, rule: str, reason: str, latency_ms: float | None = None
    ) -> None:
        self._action, self._rule, self._reason = action, rule, reason
        if latency_ms is not None:
            self._latency_ms = latency_ms
        if action in self._counts:
            self._counts[action] += 1

    def history(self) -> tuple[StatusChange, ...]:
        return tuple(self._history)

    def snapshot(self) -> PaneStatus:
        return PaneStatus(
            state=self._state,
            agent_running=self._agent_running,
            last_prompt=self._prompt,
            last_action=self._action,
            last_rule=self._rule,
            last_reason=self._reason,
            last_latency_ms=self._latency_ms,
            answered=self._counts["answer"],
            held=self._counts["hold"],
            denied=self._counts["deny"],
            updated_at=self._updated,
            agent=self._agent,
            agent_version=self._agent_version,
            mode=self._mode,
        )
