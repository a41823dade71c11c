"""Keeping a `ControlClient`'s picture of the server current, and acting on what changed.

A refresh re-lists every pane (`list-panes -a`) and diffs it against the last picture
(`yesman.tmux._topology`). It runs when a structural notification or a lost connection asks
for one (`wanted`; a burst is folded into one refresh), and every `interval` seconds regardless,
since some changes come with no notification. Refreshes run one at a time, so an older list
never overwrites a newer one.

What the diff sets off: the notifications themselves; a closed pane's pending output, mute and
one-pane change streams are dropped; a new or dead pane is marked changed so watchers capture
its screen; sessions that appeared are attached to and those that closed are let go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Set

from yesman.tmux._changes import ChangeDebouncer
from yesman.tmux._errors import (
    ClientClosedError,
    TmuxCommandError,
    TmuxDisconnectedError,
    TmuxTimeoutError,
)
from yesman.tmux._muting import OutputMuting
from yesman.tmux._notifications import Notification, PaneAdded, PaneClosed, PaneDied, SessionAdded
from yesman.tmux._panes import PaneInfo
from yesman.tmux._sessions import SessionConnections
from yesman.tmux._streams import ChangeStream
from yesman.tmux._topology import Topology, diff_topology

__all__ = ["TopologyRefresher"]

logger = logging.getLogger(__name__)


class TopologyRefresher:
    """One run's topology: the last picture (`topology`), the refresh loop and the diff's
    effects."""

    def __init__(
        self,
        list_panes: Callable[[], Awaitable[list[PaneInfo]]],
        sessions: SessionConnections,
        *,
        debouncer: ChangeDebouncer,
        muting: OutputMuting,
        change_streams: Set[ChangeStream],
        publish: Callable[[Notification], None],
        wanted: asyncio.Event,
        interval: float,
        running: Callable[[], bool],
    ) -> None:
        self._list_panes = list_panes
        self._sessions = sessions
        self._debouncer = debouncer
        self._muting = muting
        self._change_streams = change_streams  # the client's live set of subscribers
        self._publish = publish
        self._wanted = wanted
        self._interval = interval
        self._running = running
        self.topology = Topology()
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        """Refresh when wanted, or every `interval` seconds (run it in the client's TaskGroup)."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wanted.wait()
            await asyncio.sleep(0.005)  # fold a burst of notifications into one refresh
            self._wanted.clear()
            if self._sessions.connected.is_set():
                await self.refresh(initial=False)

    async def refresh(self, *, initial: bool) -> None:
        """List panes and apply the result; a failed listing is logged and skipped (the next
        refresh will do)."""
        async with self._lock:  # one at a time, so an older list never wins
            try:
                panes = await self._list_panes()
            except ClientClosedError:
                return  # stop() was called while this refresh was due: nothing to refresh
            except (TmuxDisconnectedError, TmuxTimeoutError) as exc:
                logger.debug("topology refresh failed: %s", exc)
                return
            except TmuxCommandError as exc:
                logger.warning("topology refresh refused by tmux: %s", exc)
                return
            if self._sessions.connected.is_set() or initial:
                self.apply(panes, initial=initial)

    def apply(self, panes: list[PaneInfo], *, initial: bool = False) -> None:
        """Publish what changed since the last look, and attach to / let go of sessions."""
        new = Topology.from_panes(panes)
        for event in diff_topology(self.topology, new):
            if isinstance(event, PaneClosed):
                self._debouncer.forget(event.pane.pane_id)
                self._muting.forget(event.pane.pane_id)
                for stream in self._change_streams:
                    stream.pane_closed(event.pane.pane_id)
            elif isinstance(event, PaneAdded | PaneDied):
                self._debouncer.mark(event.pane.pane_id)  # so watchers capture its screen
            if initial and isinstance(event, PaneAdded | SessionAdded):
                continue  # what was there before we connected is not news
            self._publish(event)
        for stream in self._change_streams:
            if stream.pane_id is not None and stream.pane_id not in new.panes:
                stream.pane_closed(stream.pane_id)
        self.topology = new
        if self._running():
            self._sessions.follow(new.sessions)
