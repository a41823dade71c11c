"""A human's answer to a held dialog (from the dashboard): the automatic answer's path, by hand.

A dialog the policy held stays on screen for a human. When that human answers it from elsewhere
(the dashboard's Answer / Deny buttons), yesman types the answer through exactly the steps an
automatic answer takes (``Responder.act``): the decision is written to the audit store before
anything is typed, then typed, then verified, with ``RESPONSE_SENT`` and ``PROMPT_DECIDED``
published on the way. What differs is only who decided: the rule is ``human:<channel>``
(``human:dashboard``) and the reason says a human chose it.

Refusals (`HumanAnswerRefused`, with a `RefusalReason`) leave the pane untouched:

* ``NOT_HELD``: the pane holds no dialog for a human now (it was answered, cancelled, or is gone);
* ``CHANGED``: the dialog on screen is not the one the human saw (fingerprints differ) - checked
  on a fresh capture taken just before typing;
* ``NO_OPTION``: the dialog has no option for that action (no "No" that keeps the agent running,
  a menu without digits, an option number above 9); an option that exits the agent is never
  chosen, as for automatic answers;
* ``DRY_RUN``: the watcher runs with ``--dry-run`` and types nothing, for anybody;
* ``AUDIT_FAILED``: the decision could not be written to the audit store, so (as for automatic
  answers) nothing was typed and the dialog is held again with an alert.

The answer's ``latency_ms`` (in the audit row and the event) counts from the human's request to
the keys being sent: how long yesman took, not how long the dialog waited (the history records
that wait when the held dialog ends).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from yesman._errors import YesmanError
from yesman.agents import AgentScreen, Prompt, ScreenParser, ScreenState
from yesman.bus import EventType, PromptDecided
from yesman.metrics import ComponentTracker
from yesman.monitor._dialogs import DialogBook
from yesman.monitor._publish import Publisher, Where, dialog_info
from yesman.monitor._respond import Responder
from yesman.monitor._session import SessionManager
from yesman.policy import Action, Decision, Guards, Policy, Rule

__all__ = [
    "HeldDialog",
    "HumanAction",
    "HumanAnswerRefused",
    "HumanAnswers",
    "HumanResult",
    "RefusalReason",
]


class HumanAction(enum.StrEnum):
    """What a human chose for a held dialog."""

    ANSWER = "answer"  # the plain "Yes" (or the option number given)
    DENY = "deny"  # the "No" that keeps the agent running


class RefusalReason(enum.Enum):
    NOT_HELD = "not-held"
    CHANGED = "changed"
    NO_OPTION = "no-option"
    DRY_RUN = "dry-run"
    AUDIT_FAILED = "audit-failed"


class HumanAnswerRefused(YesmanError):
    """A human's answer was not typed; the message says why and what to do."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class HeldDialog:
    """A dialog on screen now that was left for a human.

    ``id`` is the dialog instance's correlation id (the one its events and audit row carry);
    ``since`` is when it was first seen (wall clock); ``alert`` marks a hold caused by a failure
    (an answer that did not take, an audit write that failed) rather than by a rule.
    """

    id: str
    pane_id: str
    session: str
    agent: str
    prompt: Prompt
    rule: str
    reason: str
    alert: bool
    since: float
    agent_version: str = ""


@dataclass(frozen=True, slots=True)
class HumanResult:
    """What was typed for a human: ``verified`` says whether the dialog then went away."""

    action: HumanAction
    keys: tuple[str, ...]
    rule: str
    reason: str
    verified: bool


def human_decision(
    prompt: Prompt, action: HumanAction, *, channel: str, option: int | None, note: str
) -> Decision:
    """The decision for a human's choice, picked by the policy's own option rules.

    A one-rule policy with the guards off: the human has already judged the dialog, and the
    option picking (never an exit option, digits only) stays the one automatic answers use.
    """
    who = f"a human on the {channel}" + (f" ({note})" if note else "")
    rule = Rule(
        name=f"human:{channel}",
        action=Action.DENY if action is HumanAction.DENY else Action.ANSWER,
        option=option if option is not None else "yes",
        reason=f"{who} chose {action.value}",
    )
    policy = Policy([rule], guards=Guards(Action.NONE, Action.NONE), source=f"<{channel}>")
    return policy.decide(AgentScreen(ScreenState.WAITING, prompt))


class HumanAnswers:
    """One pane's held dialogs, seen and answered by a human. The monitor serialises `resolve`
    with its pipeline, so a human's keys never interleave with an automatic pass."""

    __slots__ = (
        "_dialogs",
        "_dry_run",
        "_look_again",
        "_parse",
        "_publish",
        "_responder",
        "_session",
        "_tracker",
        "_where",
    )

    def __init__(
        self,
        *,
        session: SessionManager,
        parse: ScreenParser,
        tracker: ComponentTracker,
        dialogs: DialogBook,
        responder: Responder,
        publish: Publisher,
        where: Callable[[], Where],
        look_again: Callable[[], None],
        dry_run: bool,
    ) -> None:
        self._session = session
        self._parse = parse
        self._tracker = tracker
        self._dialogs = dialogs
        self._responder = responder
        self._publish = publish
        self._where = where
        self._look_again = look_again
        self._dry_run = dry_run

    def held(self) -> HeldDialog | None:
        """The dialog held for a human on this pane now, if any."""
        dialog = self._dialogs.current
        if dialog is None or dialog.held is None:
            return None
        where = self._where()
        rule, reason, alert = dialog.held
        return HeldDialog(
            id=dialog.correlation_id,
            pane_id=where["pane_id"],
            session=where["session"],
            agent=where["agent"],
            agent_version=where["agent_version"],
            prompt=dialog.prompt,
            rule=rule,
            reason=reason,
            alert=alert,
            since=dialog.first_seen_wall,
        )

    async def resolve(
        self,
        fingerprint: str,
        action: HumanAction,
        *,
        channel: str,
        option: int | None = None,
        note: str = "",
    ) -> HumanResult:
        """Type the human's choice for the held dialog with this fingerprint (see module doc)."""
        pane = self._where()["pane_id"]
        held = self._dialogs.current
        if held is None or held.held is None:
            raise HumanAnswerRefused(
                RefusalReason.NOT_HELD,
                f"pane {pane} holds no dialog for a human now (it was answered, cancelled or "
                "went away); reload to see what is on screen",
            )
        if held.prompt.fingerprint != fingerprint:
            raise HumanAnswerRefused(
                RefusalReason.CHANGED,
                f"the dialog held in pane {pane} is not the one shown (it changed since); "
                "nothing was typed, look again",
            )
        if self._dry_run:
            raise HumanAnswerRefused(
                RefusalReason.DRY_RUN,
                "this watcher runs with --dry-run and types nothing; answer in the pane itself",
            )
        asked = time.monotonic()
        async with self._tracker.track("content_capture"):
            text = await self._session.capture()
        async with self._tracker.track("prompt_detection"):
            screen = self._parse(text)
        if screen.prompt is None or screen.prompt.fingerprint != fingerprint:
            self._look_again()  # let the pipeline catch up with what is on screen
            raise HumanAnswerRefused(
                RefusalReason.CHANGED,
                f"the dialog on screen in pane {pane} is no longer the one shown; nothing was "
                "typed, look again",
            )
        async with self._tracker.track("content_processing"):
            decision = human_decision(
                screen.prompt, action, channel=channel, option=option, note=note
            )
        if decision.action is Action.HOLD:
            reason = RefusalReason.NO_OPTION
            raise HumanAnswerRefused(reason, f"nothing was typed: {decision.reason}")
        # A new instance of the same dialog: its latency counts from the human's request, its
        # audit row keeps when the dialog first appeared and the held instance's correlation id.
        dialog = self._dialogs.begin(screen.prompt, asked)
        dialog.first_seen_wall = held.first_seen_wall
        dialog.correlation_id = held.correlation_id
        dialog.decision = decision
        self._publish(
            EventType.PROMPT_DECIDED,
            PromptDecided(
                **self._where(),
                action=decision.action.value,
                keys=decision.keys,
                rule=decision.rule,
                reason=decision.reason,
                dry_run=False,
                prompt=dialog_info(screen.prompt),
            ),
            correlation_id=dialog.correlation_id,
        )
        verified = await self._responder.act(dialog)
        if verified is None:
            raise HumanAnswerRefused(
                RefusalReason.AUDIT_FAILED,
                "the audit database could not record this decision, so nothing was typed; "
                "fix the database (see the watcher's log) and answer in the pane itself",
            )
        return HumanResult(action, decision.keys, decision.rule, decision.reason, verified)
