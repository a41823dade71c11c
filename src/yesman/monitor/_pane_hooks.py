"""One monitor's side of the hook channel: the dialogs of its pane that a hook decides.

The pipeline asks `PaneHooks.owns` about every new dialog before it decides anything:

* a live claim for this dialog (`HookClaims.take`) is *adopted*: the dialog becomes an instance
  in the monitor's book with the hook's decision, record and correlation id, so the screen
  watcher treats it as already decided (no second decision, no keys). A held one is then
  tracked as held, waiting for a human since the request arrived;
* no claim matches, but the hook left a request of this pane to the human that no dialog has
  matched yet: that claim is adopted instead (the screen may draw the request differently;
  holding is safe, answering could let through what the hook held);
* no claim yet, but this pane's agent has sent hook requests before: the dialog is left alone
  for up to ``hook_wait`` seconds, so the hook (which may still be starting) gets to decide it;
  after that the screen watcher decides as usual and stops waiting in this pane until its next
  hook request;
* otherwise the screen watcher decides.

A hook's answer that the agent ignored (its dialog still up ``verify_timeout`` seconds later) is
handed to a human with an alert, as a typed answer that does not take is.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from yesman.agents import Prompt, PromptKind, ToolRequest
from yesman.monitor._claims import ClaimState, HookClaim, HookClaims, hooked_kind, same_dialog
from yesman.monitor._dialogs import DialogBook, DialogInstance
from yesman.monitor._respond import Responder

__all__ = ["CHANNEL_HOOK", "PaneHooks"]

log = logging.getLogger(__name__)

CHANNEL_HOOK = "hook"


class PaneHooks:
    """Adopts the dialogs of one pane that a hook decides (see the module docstring)."""

    __slots__ = (
        "_claims",
        "_dialogs",
        "_pane",
        "_recent",
        "_recent_ttl",
        "_recheck",
        "_responder",
        "_verify_timeout",
        "_wait",
        "_waiting",
    )

    def __init__(
        self,
        claims: HookClaims,
        pane_id: str,
        *,
        dialogs: DialogBook,
        responder: Responder,
        schedule_recheck: Callable[[float], None],
        wait: float,
        verify_timeout: float,
    ) -> None:
        self._claims = claims
        self._pane = pane_id
        self._dialogs = dialogs
        self._responder = responder
        self._recheck = schedule_recheck
        self._wait = wait
        self._verify_timeout = verify_timeout
        self._waiting: tuple[str, float] | None = None  # (fingerprint, first seen) unclaimed
        # Dialogs the screen decided lately: a hook that asks about one of them afterwards (it
        # was slower than the screen) gets no second decision. Kept as long as a hook may take.
        self._recent: deque[tuple[Prompt, float]] = deque(maxlen=16)
        self._recent_ttl = max(wait, 10.0)

    def owns(self, prompt: Prompt, seen_at: float, *, may_wait: bool) -> bool:
        """True when the hook channel has (or will have) this new dialog: the screen watcher
        must not decide it now. ``may_wait`` False: only adopt a claim already there."""
        now = time.monotonic()
        claim = self._claims.take(self._pane, prompt, now)
        if claim is None and hooked_kind(prompt.kind):
            claim = self._claims.take_unmatched_hold(self._pane, now)
        if claim is not None:
            self._adopt(prompt, claim)
            return True
        if not may_wait or not self._claims.uses_hooks(self._pane):
            return False
        if not hooked_kind(prompt.kind):
            return False
        if self._waiting is None or self._waiting[0] != prompt.fingerprint:
            self._waiting = (prompt.fingerprint, seen_at)
        left = self._waiting[1] + self._wait - now
        if left > 0:
            self._recheck(left)
            return True
        log.warning(
            "pane %s: no hook request came for this dialog within %.1f s; answering it on "
            "screen (and no longer waiting for hooks here until one comes)",
            self._pane,
            self._wait,
            extra={"pane_id": self._pane},
        )
        self._claims.missed(self._pane)
        self._waiting = None
        return False

    def decided_on_screen(self, dialog: DialogInstance) -> None:
        """The screen watcher decided ``dialog`` (remembered for late hook requests)."""
        self._recent.append((dialog.prompt, time.monotonic()))

    def screen_decided(self, request: ToolRequest) -> bool:
        """Has the screen watcher already decided the dialog this request is about? (Then the
        hook was slower than the screen; the same decision is not taken twice.)"""
        current = self._dialogs.current
        if (
            current is not None
            and current.hook is None
            and current.decision is not None
            and _decided_for(current.prompt, request)
        ):
            return True
        horizon = time.monotonic() - self._recent_ttl
        for entry in list(self._recent):
            prompt, at = entry
            if at >= horizon and _decided_for(prompt, request):
                self._recent.remove(entry)  # one late request per screen decision
                return True
        return False

    async def check(self, dialog: DialogInstance) -> None:
        """A dialog the hook answered is still up: after ``verify_timeout``, alert a human."""
        claim = dialog.hook
        if claim is None or claim.state is not ClaimState.ANSWERED or dialog.verified_late:
            return
        answered = claim.answered_at if claim.answered_at is not None else claim.received
        left = answered + self._verify_timeout - time.monotonic()
        if left > 0:
            self._recheck(left + 0.01)
            return
        dialog.verified_late = True
        dialog.record_id = claim.record_id  # recorded after the dialog may have been adopted
        reason = (
            f"the agent still shows the dialog its hook answered ({claim.decision.action}) "
            f"{self._verify_timeout:g} s ago; a human must look at this pane"
        )
        log.error("pane %s: %s", self._pane, reason, extra={"pane_id": self._pane})
        await self._responder.hook_ignored(dialog, reason)

    def _adopt(self, prompt: Prompt, claim: HookClaim) -> None:
        self._waiting = None
        dialog = self._dialogs.begin(prompt, claim.received)
        dialog.correlation_id = claim.correlation_id
        dialog.decision = claim.decision
        dialog.record_id = claim.record_id
        dialog.hook = claim
        dialog.channel = CHANNEL_HOOK
        if claim.state is ClaimState.ANSWERED:
            dialog.answered_at = claim.answered_at
            self._recheck(self._verify_timeout + 0.01)
        log.debug(
            "pane %s: dialog %s is the hook's (%s)",
            self._pane,
            prompt.fingerprint,
            claim.state.value,
            extra={"pane_id": self._pane},
        )


def _decided_for(screen: Prompt, request: ToolRequest) -> bool:
    """Does a decision on the screen's dialog stand for ``request``'s? As `same_dialog`, except
    that a dialog the screen could not read (OTHER) stands only for a request as unknown: a
    screen that held some other dialog a moment ago (Codex asks to trust its hooks just before
    the first request) must not take the request's decision away."""
    if screen.kind is PromptKind.OTHER and request.prompt.kind is not PromptKind.OTHER:
        return False
    return same_dialog(screen, request.prompt)
