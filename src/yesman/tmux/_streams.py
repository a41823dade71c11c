"""What subscribers read: `ChangeStream` (debounced pane changes) and `NotificationStream`.

Both are bounded so that a subscriber that stops reading costs little and slows nobody down:
a change stream holds at most one pending change per pane (later ones are merged into it), a
notification stream drops its oldest entries past a limit and says so in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Self

from yesman.tmux._notifications import Notification, PaneChanged

__all__ = ["ChangeStream", "NotificationStream"]

logger = logging.getLogger(__name__)


class ChangeStream:
    """An async iterator of `PaneChanged` for one subscriber, optionally for one pane only.

    Ends when the client closes, or (for a single-pane stream) when that pane closes.
    """

    def __init__(self, pane_id: str | None, on_close: Callable[[ChangeStream], None]) -> None:
        self.pane_id = pane_id
        self._pending: dict[str, PaneChanged] = {}
        self._ready = asyncio.Event()
        self._ended = False
        self._on_close = on_close
        self.coalesced = 0  # changes merged because the subscriber had not read the previous one

    def _put(self, change: PaneChanged) -> None:
        if self._ended or (self.pane_id is not None and change.pane_id != self.pane_id):
            return
        old = self._pending.get(change.pane_id)
        if old is not None:
            self.coalesced += 1
            change = PaneChanged(
                change.pane_id,
                old.first_output,
                change.last_output,
                change.released,
                old.outputs + change.outputs,
            )
        self._pending[change.pane_id] = change
        self._ready.set()

    def _end(self) -> None:
        self._ended = True
        self._ready.set()

    def pane_closed(self, pane_id: str) -> None:
        if self.pane_id == pane_id:
            self._end()
        else:
            self._pending.pop(pane_id, None)

    def __aiter__(self) -> AsyncIterator[PaneChanged]:
        return self

    async def __anext__(self) -> PaneChanged:
        while not self._pending:
            if self._ended:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        pane_id = next(iter(self._pending))
        return self._pending.pop(pane_id)

    def get_nowait(self) -> PaneChanged | None:
        """The oldest pending change, or None."""
        if not self._pending:
            return None
        return self._pending.pop(next(iter(self._pending)))

    def close(self) -> None:
        """Stop receiving changes (idempotent)."""
        if not self._ended:
            self._end()
        self._on_close(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class NotificationStream:
    """An async iterator of `Notification` values for one subscriber (bounded, lossy on overflow
    with a warning). Ends when the client closes."""

    def __init__(self, maxlen: int, on_close: Callable[[NotificationStream], None]) -> None:
        self._queue: deque[Notification] = deque()
        self._maxlen = maxlen
        self._ready = asyncio.Event()
        self._ended = False
        self._on_close = on_close
        self.dropped = 0

    def _put(self, item: Notification) -> None:
        if self._ended:
            return
        if len(self._queue) >= self._maxlen:
            self._queue.popleft()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.warning("a tmux notification subscriber is not reading: %d dropped",
                               self.dropped)  # fmt: skip
        self._queue.append(item)
        self._ready.set()

    def _end(self) -> None:
        self._ended = True
        self._ready.set()

    def __aiter__(self) -> AsyncIterator[Notification]:
        return self

    async def __anext__(self) -> Notification:
        while not self._queue:
            if self._ended:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._queue.popleft()

    def get_nowait(self) -> Notification | None:
        """The oldest pending notification, or None."""
        return self._queue.popleft() if self._queue else None

    def close(self) -> None:
        """Stop receiving notifications (idempotent)."""
        self._end()
        self._on_close(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
