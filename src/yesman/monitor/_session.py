"""`SessionManager`: access to the one tmux pane a monitor watches.

It holds the pane's identity (`%pane_id` and pane pid; session names are only labels, since
sessions can be renamed) and reaches tmux through a `PaneBackend`, normally the shared
control-mode client of the pane's server.
"""

from __future__ import annotations

from typing import Protocol

from yesman.tmux import ChangeStream, PaneInfo

__all__ = ["PaneBackend", "SessionManager"]


class PaneBackend(Protocol):
    """The tmux operations a monitor needs (the control client provides them)."""

    async def capture_pane(self, pane_id: str) -> str: ...

    async def send_keys(self, pane_id: str, *keys: str) -> None: ...

    async def send_literal(self, pane_id: str, text: str) -> None: ...


class SessionManager:
    """One pane: capture its screen and type keys into it."""

    def __init__(self, backend: PaneBackend, pane: PaneInfo) -> None:
        self._backend = backend
        self._pane = pane

    @property
    def pane(self) -> PaneInfo:
        return self._pane

    @property
    def pane_id(self) -> str:
        return self._pane.pane_id

    @property
    def pane_pid(self) -> int:
        return self._pane.pane_pid

    @property
    def session_name(self) -> str:
        return self._pane.session_name

    @property
    def project_dir(self) -> str:
        return self._pane.current_path

    def update(self, pane: PaneInfo) -> None:
        """Take a fresher snapshot of the same pane (e.g. after a session rename)."""
        if pane.pane_id != self._pane.pane_id:
            raise ValueError(f"pane {pane.pane_id} is not the watched pane {self._pane.pane_id}")
        self._pane = pane

    async def capture(self) -> str:
        return await self._backend.capture_pane(self._pane.pane_id)

    async def send_keys(self, *keys: str) -> None:
        """Send key names (a digit, `Escape`), each as its own tmux key."""
        await self._backend.send_keys(self._pane.pane_id, *keys)

    async def send_literal(self, text: str) -> None:
        await self._backend.send_literal(self._pane.pane_id, text)

    def changes(self) -> ChangeStream | None:
        """The pane's debounced change stream, when the backend pushes changes."""
        changes = getattr(self._backend, "changes", None)
        if changes is None:
            return None
        stream: ChangeStream = changes(self._pane.pane_id)
        return stream
