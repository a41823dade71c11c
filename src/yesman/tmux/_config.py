"""What a `ControlClient` is told (`ControlConfig`) and what it tells back (`ControlStats`).

`Counters` are the running totals its helpers (connections, supervisor) bump; they live in one
record owned by the client so that they carry over a restart, when the helpers are made anew.
"""

from __future__ import annotations

from dataclasses import dataclass

from yesman.tmux._changes import DebounceConfig

__all__ = ["ControlConfig", "ControlStats", "Counters"]


@dataclass(frozen=True, slots=True)
class ControlConfig:
    """Tuning for a `ControlClient`; the defaults suit a watcher."""

    command_timeout: float = 5.0
    debounce: DebounceConfig = DebounceConfig()  # noqa: RUF009 - frozen value
    reconnect_initial: float = 0.1  # first retry delay, doubled per failure ...
    reconnect_max: float = 5.0  # ... up to this
    # tmux pauses a pane's output for this client once it is this many seconds behind, instead
    # of buffering without bound (or disconnecting the client after 5 minutes)
    pause_after: int | None = 5
    # safety net: re-list panes this often even without a structural notification (a pane
    # respawned in place, a remain-on-exit pane dying, produce none)
    topology_interval: float = 30.0
    notification_queue: int = 10_000  # per subscriber; oldest dropped (and logged) beyond it


@dataclass(frozen=True, slots=True)
class ControlStats:
    """A snapshot of a client's counters since it was opened."""

    connected: bool
    connections: int  # live tmux -C processes (one per session)
    panes: int
    outputs: int  # %output notifications read
    changes: int  # PaneChanged released after debouncing
    commands: int
    command_errors: int  # %error replies
    command_timeouts: int
    reconnects: int
    paused: int  # %pause received (the client fell behind)


@dataclass(slots=True)
class Counters:
    """Totals bumped by a client's helpers (the client counts outputs, changes and pauses
    itself, next to the code that handles them)."""

    commands: int = 0
    command_errors: int = 0  # %error replies
    command_timeouts: int = 0
    reconnects: int = 0
