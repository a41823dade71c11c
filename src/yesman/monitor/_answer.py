"""Typing an answer and checking that it took.

After the keys are sent the pane is captured until it definitely shows something other than the
dialog (busy, idle, error or another dialog: the answer took). An unreadable screen proves
nothing either way. If the very same dialog is still up when ``verify_timeout`` runs out, the keys
were dropped: they are typed once more (only then: a dialog that may have taken the key is never
typed into again), and if that does not take either, the dialog is handed to a human.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from enum import Enum

from yesman.agents import ScreenParser, ScreenState
from yesman.metrics import ComponentTracker
from yesman.monitor._session import SessionManager

__all__ = ["AnswerOutcome", "Answerer", "wait_event"]


class AnswerOutcome(Enum):
    """What the screen showed after an answer was typed."""

    TOOK = "took"  # something definite replaced the dialog
    STILL_UP = "still_up"  # the very same dialog was still on screen at the deadline
    UNCLEAR = "unclear"  # the screen was unreadable at the deadline


WaitForChange = Callable[[float], Awaitable[None]]
"""Waits up to the given seconds for the pane to report a change (returns early on one)."""


class Answerer:
    """Sends keys to one pane and verifies them, charged to ``response_sending``."""

    __slots__ = ("_parse", "_poll", "_session", "_timeout", "_tracker", "_wait_change")

    def __init__(
        self,
        session: SessionManager,
        parse: ScreenParser,
        tracker: ComponentTracker,
        wait_change: WaitForChange,
        *,
        verify_timeout: float,
        verify_poll: float,
    ) -> None:
        self._session = session
        self._parse = parse
        self._tracker = tracker
        self._wait_change = wait_change
        self._timeout = verify_timeout
        self._poll = verify_poll

    async def send(self, keys: tuple[str, ...]) -> float:
        """Type ``keys``; returns the monotonic time they were sent."""
        async with self._tracker.track("response_sending"):
            await self._session.send_keys(*keys)
        return time.monotonic()

    async def verify(self, fingerprint: str, keys: tuple[str, ...]) -> AnswerOutcome:
        """Wait for the dialog to go; type ``keys`` once more only if it is visibly still up."""
        outcome = await self.wait_gone(fingerprint)
        if outcome is AnswerOutcome.STILL_UP:
            await self.send(keys)
            outcome = await self.wait_gone(fingerprint)
        return outcome

    async def wait_gone(self, fingerprint: str) -> AnswerOutcome:
        """TOOK once a capture shows something definite instead of the dialog; at the timeout,
        STILL_UP if the last capture showed the very same dialog, else UNCLEAR."""
        deadline = time.monotonic() + self._timeout
        while True:
            screen = self._parse(await self._session.capture())
            same = screen.prompt is not None and screen.prompt.fingerprint == fingerprint
            if not same and (screen.state is not ScreenState.UNKNOWN or screen.prompt is not None):
                return AnswerOutcome.TOOK
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return AnswerOutcome.STILL_UP if same else AnswerOutcome.UNCLEAR
            with contextlib.suppress(TimeoutError):
                await self._wait_change(min(self._poll, remaining))


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Clear ``event`` and wait up to ``timeout`` seconds for it to be set again."""
    event.clear()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=timeout)
