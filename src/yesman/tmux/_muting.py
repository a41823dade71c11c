"""Muting the `%output` of panes that are not agents, for one run of a `ControlClient`.

tmux's per-client pause (``refresh-client -A %N:pause``) is sent to every control connection;
a connection that attaches later applies the muted set itself (`Connection._subscribe`). Why
pause and not ``off``, and what stays visible, is in `ControlClient.mute_output`.
"""

from __future__ import annotations

from yesman.tmux._changes import ChangeDebouncer
from yesman.tmux._commands import command_line
from yesman.tmux._sessions import SessionConnections

__all__ = ["OutputMuting"]


class OutputMuting:
    """Keeps `panes` (the client's muted set, which its output handler reads directly) and
    tmux's per-client pause in step."""

    def __init__(
        self, panes: set[str], sessions: SessionConnections, debouncer: ChangeDebouncer
    ) -> None:
        self.panes = panes
        self._sessions = sessions
        self._debouncer = debouncer

    async def mute(self, pane_id: str) -> None:
        self.panes.add(pane_id)
        self._debouncer.forget(pane_id)
        await self._sessions.command_each(command_line("refresh-client", "-A", f"{pane_id}:pause"))

    async def unmute(self, pane_id: str) -> None:
        """Resume a muted pane and report it changed (what it drew meanwhile was not seen)."""
        if pane_id not in self.panes:
            return
        self.panes.discard(pane_id)
        await self._sessions.command_each(
            command_line("refresh-client", "-A", f"{pane_id}:continue")
        )
        self._debouncer.mark(pane_id)

    def forget(self, pane_id: str) -> None:
        """A pane closed: drop it (pane ids are reused after a server restart)."""
        self.panes.discard(pane_id)
