"""What exists on a server (sessions and panes) and what changed between two looks at it.

tmux has no notification for every change that matters (a pane respawned in place, a
remain-on-exit pane dying, a pane closed in a session we are not attached to), so the client
re-lists panes when something structural happens and diffs the result. The diff is the single
source of truth for Session*/Pane* notifications, so duplicates and gaps cannot arise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from yesman.tmux._notifications import (
    Notification,
    PaneAdded,
    PaneClosed,
    PaneCommandChanged,
    PaneDied,
    SessionAdded,
    SessionClosed,
    SessionRenamed,
)
from yesman.tmux._panes import PaneInfo

__all__ = ["Topology", "diff_topology"]


@dataclass(frozen=True, slots=True)
class Topology:
    """Panes by id and session names by session id, as of one `list-panes -a`."""

    panes: Mapping[str, PaneInfo] = field(default_factory=lambda: MappingProxyType({}))
    sessions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_panes(cls, panes: Iterable[PaneInfo]) -> Topology:
        by_id: dict[str, PaneInfo] = {}
        sessions: dict[str, str] = {}
        for pane in panes:
            by_id.setdefault(pane.pane_id, pane)  # a linked window lists its panes per session
            sessions.setdefault(pane.session_id, pane.session_name)
        return cls(MappingProxyType(by_id), MappingProxyType(sessions))


def diff_topology(old: Topology, new: Topology) -> list[Notification]:
    """What happened between `old` and `new`, in the order a watcher wants to hear it:
    sessions added/renamed, panes closed, panes added, panes died or changed command, sessions
    closed.

    A pane whose id stayed but whose pid changed was respawned: closed, then added.
    """
    events: list[Notification] = []
    for sid, name in new.sessions.items():
        before = old.sessions.get(sid)
        if before is None:
            events.append(SessionAdded(sid, name))
        elif before != name:
            events.append(SessionRenamed(sid, before, name))
    for pane_id, pane in old.panes.items():
        current = new.panes.get(pane_id)
        if current is None or current.pane_pid != pane.pane_pid:
            events.append(PaneClosed(pane))
    for pane_id, pane in new.panes.items():
        previous = old.panes.get(pane_id)
        if previous is None or previous.pane_pid != pane.pane_pid:
            events.append(PaneAdded(pane))
        elif pane.dead and not previous.dead:
            events.append(PaneDied(pane))
        elif pane.current_command != previous.current_command and not pane.dead:
            events.append(PaneCommandChanged(pane, previous.current_command))
    events.extend(
        SessionClosed(sid, name) for sid, name in old.sessions.items() if sid not in new.sessions
    )
    return events
