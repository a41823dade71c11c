"""Acting on a decision: record it, then hold it for a human or type it and verify it took."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from yesman.bus import EventPriority, EventType, PromptHeld, ResponseSent
from yesman.monitor._answer import Answerer, AnswerOutcome
from yesman.monitor._audit import AuditWriter
from yesman.monitor._dialogs import DialogBook, DialogInstance
from yesman.monitor._publish import Publisher, Where, dialog_info
from yesman.monitor._status import StatusManager
from yesman.monitor._tally import DialogOutcome, DialogTally
from yesman.policy import Action

__all__ = ["Responder"]

log = logging.getLogger(__name__)


class Responder:
    """Carries out one pane's decisions (the monitor's `content_processing` result)."""

    __slots__ = (
        "_answerer",
        "_audit",
        "_dialogs",
        "_look_again",
        "_publish",
        "_status",
        "_tally",
        "_where",
    )

    def __init__(
        self,
        *,
        answerer: Answerer,
        audit: AuditWriter,
        dialogs: DialogBook,
        publish: Publisher,
        status: StatusManager,
        where: Callable[[], Where],
        look_again: Callable[[], None],
        tally: DialogTally,
    ) -> None:
        self._answerer = answerer
        self._audit = audit
        self._dialogs = dialogs
        self._publish = publish
        self._status = status
        self._where = where
        self._look_again = look_again
        self._tally = tally

    async def act(self, dialog: DialogInstance) -> bool | None:
        """Record and carry out the dialog's decision; None when nothing was typed, else
        whether the answer was seen to take."""
        decision = dialog.decision
        assert decision is not None
        action = decision.action
        will_send = action in (Action.ANSWER, Action.DENY) and decision.sends_keys
        # Written before anything is typed: if the watcher dies mid-answer, the row says what it
        # decided and (truthfully) that no keys were sent. No row, no keys.
        recorded = await self._audit.record(dialog, self._where())
        if will_send and not recorded:
            reason = (
                "the audit database could not record this decision, so nothing was typed; "
                "fix the database (see the log) and answer this dialog yourself"
            )
            self.hold(dialog, reason, rule="audit_failed", alert=True)
            self._status.record_decision(Action.HOLD.value, "audit_failed", reason)
            agent = self._where()["agent"]
            self._tally.decided(dialog.prompt, DialogOutcome.HOLD, "audit_failed", agent=agent)
            return None
        latency_ms: float | None = None
        if will_send:
            sent = await self._answerer.send(decision.keys)
            dialog.answered_at = sent
            self._dialogs.answered(dialog.prompt.fingerprint, sent)
            latency_ms = (sent - dialog.first_seen) * 1000.0
            self._publish(
                EventType.RESPONSE_SENT,
                ResponseSent(
                    **self._where(),
                    action=action.value,
                    keys=decision.keys,
                    rule=decision.rule,
                    latency_ms=round(latency_ms, 2),
                    prompt=dialog_info(dialog.prompt),
                ),
                correlation_id=dialog.correlation_id,
            )
            await self._audit.answered(dialog, decision.keys, _wall(sent), latency_ms)
        elif action is Action.HOLD:
            self.hold(dialog, decision.reason, rule=decision.rule)
        else:
            # A dry run (or an answer with no keys): the dialog stays for a human all the same.
            self._tally.wait_began(self._where()["pane_id"], dialog.first_seen)
        self._status.record_decision(action.value, decision.rule, decision.reason, latency_ms)
        self._tally.decided(
            dialog.prompt, DialogOutcome.of(decision), decision.rule, agent=self._where()["agent"]
        )
        if not will_send:
            return None
        verified = await self._verify(dialog)
        await self._audit.verified(dialog, verified)
        return verified

    async def _verify(self, dialog: DialogInstance) -> bool:
        """Did the answer take? If not, a human is told (the answerer retried once already)."""
        decision = dialog.decision
        assert decision is not None
        keys = "+".join(decision.keys)
        outcome = await self._answerer.verify(dialog.prompt.fingerprint, decision.keys)
        if outcome is AnswerOutcome.TOOK:
            self._look_again()  # process the screen that replaced the dialog
            return True
        if outcome is AnswerOutcome.STILL_UP:
            reason = f"answer {keys} did not take after a retry"
        else:
            reason = f"cannot tell whether answer {keys} took (screen unreadable)"
        reason += "; a human must look at this pane"
        pane_id = self._where()["pane_id"]
        log.error("pane %s: %s", pane_id, reason, extra={"pane_id": pane_id})
        self._tally.unverified()
        self.hold(dialog, reason, rule="verify_failed", alert=True)
        return False

    async def hook_ignored(self, dialog: DialogInstance, reason: str) -> None:
        """The agent kept showing a dialog its hook answered: a human must look."""
        self.hold(dialog, reason, rule="verify_failed", alert=True)
        self._status.record_decision(Action.HOLD.value, "verify_failed", reason)
        await self._audit.verified(dialog, False)

    def hold(self, dialog: DialogInstance, reason: str, *, rule: str, alert: bool = False) -> None:
        """Leave the dialog to a human and say so (an alert marks a failure, not a rule)."""
        self._tally.wait_began(self._where()["pane_id"], dialog.first_seen)
        dialog.held = (rule, reason, alert)
        self._publish(
            EventType.PROMPT_HELD,
            PromptHeld(
                **self._where(),
                reason=reason,
                rule=rule,
                alert=alert,
                prompt=dialog_info(dialog.prompt),
                channel=dialog.channel,
            ),
            priority=EventPriority.CRITICAL if alert else EventPriority.HIGH,
            correlation_id=dialog.correlation_id,
        )


def _wall(monotonic_time: float) -> float:
    """Convert a monotonic reading to wall-clock seconds."""
    return time.time() - (time.monotonic() - monotonic_time)
