"""Dialog bookkeeping: one decision per dialog instance, never two answers to one dialog.

A dialog *instance* lasts from the first capture that shows it until the pane definitely shows
something else (busy, idle, error or another dialog); an unreadable screen does not end it. The
same dialog reappearing within ``reanswer_guard`` seconds of being answered is not taken as new
(it is most likely the answered one, still on screen for a moment); it is looked at again once the
guard has passed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from yesman.agents import AgentScreen, Prompt, ScreenState
from yesman.monitor._claims import HookClaim
from yesman.policy import Decision

__all__ = ["DialogBook", "DialogInstance", "Novelty"]


def _correlation_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(slots=True)
class DialogInstance:
    """One appearance of a dialog on screen, from first seen until something else shows.

    ``channel`` is how it was decided: ``"screen"``, or ``"hook"`` when the agent's permission
    hook asked first (``hook`` is then its claim, and ``first_seen`` the request's arrival).
    """

    prompt: Prompt
    first_seen: float  # monotonic
    first_seen_wall: float
    correlation_id: str = field(default_factory=_correlation_id)
    decision: Decision | None = None
    answered_at: float | None = None
    record_id: int | None = None
    held: tuple[str, str, bool] | None = None  # (rule, reason, alert) once left for a human
    channel: str = "screen"
    hook: HookClaim | None = None
    verified_late: bool = False  # a hook's answer that did not take was reported


class Novelty(Enum):
    """What a capture means for dialog bookkeeping."""

    NOTHING = "nothing"  # no dialog waits (or the screen is unreadable)
    SAME = "same"  # the dialog already decided
    TOO_SOON = "too_soon"  # looks like the dialog just answered: look again after the guard
    NEW = "new"  # a dialog not yet decided


class DialogBook:
    """Which dialog instance is current and which fingerprints were answered a moment ago."""

    __slots__ = ("_current", "_ended", "_recent", "reanswer_guard")

    def __init__(
        self, reanswer_guard: float, *, ended: Callable[[float], None] | None = None
    ) -> None:
        self.reanswer_guard = reanswer_guard
        self._ended = ended  # told (monotonic time) whenever the current instance ends
        self._current: DialogInstance | None = None
        self._recent: dict[str, float] = {}  # fingerprint -> monotonic time answered

    @property
    def current(self) -> DialogInstance | None:
        return self._current

    def classify(self, screen: AgentScreen, now: float) -> Novelty:
        """Look at a capture; ends the current instance when the pane shows something else."""
        prompt = screen.prompt
        if screen.state is not ScreenState.WAITING or prompt is None:
            if screen.state is not ScreenState.UNKNOWN:
                self._end(now)  # the pane definitely shows something else now
            return Novelty.NOTHING
        current = self._current
        if current is not None and current.prompt.fingerprint == prompt.fingerprint:
            return Novelty.SAME
        answered = self._recent.get(prompt.fingerprint)
        if answered is not None and now - answered < self.reanswer_guard:
            return Novelty.TOO_SOON
        return Novelty.NEW

    def begin(self, prompt: Prompt, seen_at: float) -> DialogInstance:
        """Start a new instance for a confirmed dialog first seen at ``seen_at`` (monotonic)."""
        wall = time.time() - (time.monotonic() - seen_at)
        self._end(seen_at)
        self._current = DialogInstance(prompt=prompt, first_seen=seen_at, first_seen_wall=wall)
        return self._current

    def _end(self, now: float) -> None:
        if self._current is not None:
            self._current = None
            if self._ended is not None:
                self._ended(now)

    def answered(self, fingerprint: str, when: float) -> None:
        """Remember an answer; only answers younger than the guard are kept."""
        horizon = when - self.reanswer_guard
        for old in [fp for fp, t in self._recent.items() if t < horizon]:
            del self._recent[old]
        self._recent[fingerprint] = when
