"""What a `ControlClient` tells its subscribers: frozen values, one class per kind of change."""

from __future__ import annotations

from dataclasses import dataclass

from yesman.tmux._panes import PaneInfo

__all__ = [
    "Notification",
    "OutputPaused",
    "PaneAdded",
    "PaneChanged",
    "PaneClosed",
    "PaneCommandChanged",
    "PaneDied",
    "ServerConnected",
    "ServerDisconnected",
    "SessionAdded",
    "SessionClosed",
    "SessionRenamed",
]


@dataclass(frozen=True, slots=True)
class ServerConnected:
    """The client (re)connected. `attempt` is 0 for the first connection, else retries it took."""

    server: str
    attempt: int
    downtime: float  # seconds since the connection was lost; 0.0 on the first connect


@dataclass(frozen=True, slots=True)
class ServerDisconnected:
    """The server went away (killed, crashed, last session closed). The client keeps retrying."""

    server: str
    reason: str


@dataclass(frozen=True, slots=True)
class SessionAdded:
    session_id: str
    name: str


@dataclass(frozen=True, slots=True)
class SessionClosed:
    session_id: str
    name: str


@dataclass(frozen=True, slots=True)
class SessionRenamed:
    session_id: str
    old_name: str
    new_name: str


@dataclass(frozen=True, slots=True)
class PaneAdded:
    pane: PaneInfo


@dataclass(frozen=True, slots=True)
class PaneClosed:
    """The pane is gone (or its process was respawned: same id, new pid). `pane` is its last
    known state."""

    pane: PaneInfo


@dataclass(frozen=True, slots=True)
class PaneDied:
    """The pane's process exited but tmux keeps the pane (remain-on-exit); `pane.dead` is True.
    Reported within about a second (tmux checks its subscriptions once a second)."""

    pane: PaneInfo


@dataclass(frozen=True, slots=True)
class PaneCommandChanged:
    """The pane's foreground command (tmux's ``pane_current_command``) changed: a shell started
    a program or got it back. Pushed within about a second by a format subscription, also for
    panes whose output is muted, so a watcher can re-check a pane it muted as "not an agent"."""

    pane: PaneInfo
    previous: str  # the command before; `pane.current_command` is the new one


@dataclass(frozen=True, slots=True)
class OutputPaused:
    """tmux paused this pane's output because the client fell behind; the client resumes it and
    reports the pane changed, so nothing is missed."""

    pane_id: str


@dataclass(frozen=True, slots=True)
class PaneChanged:
    """The pane drew something; a debounced summary of a burst of `%output`.

    Times are `time.monotonic()` seconds: the first and last output in the burst, and when the
    burst was released (quiet period over, or the maximum delay reached).
    """

    pane_id: str
    first_output: float
    last_output: float
    released: float
    outputs: int  # %output notifications folded into this change


Notification = (
    ServerConnected
    | ServerDisconnected
    | SessionAdded
    | SessionClosed
    | SessionRenamed
    | PaneAdded
    | PaneClosed
    | PaneDied
    | PaneCommandChanged
    | OutputPaused
)
