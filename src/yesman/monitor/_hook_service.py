"""The watcher's hook channel: decides the requests of agents' permission hooks.

`HookCoordinator` is the `HookHandler` a supervisor's `HookServer` hands each ``yesman hook`` to.
For one request it:

1. answers ``unwatched`` when the hook runs on another tmux server, names no pane, or comes
   from a pane this watcher does not watch (named targets that exclude it): the hook then acts as
   if no watcher ran;
2. reads the agent's input (``yesman.agents.<agent>``); anything else gets no decision;
3. gives no decision when the pane's monitor already decided this very dialog from the screen
   (the hook was slower than the screen: one decision per dialog);
4. decides with the same policy, on the exact tool input, then *claims* the dialog for the hook
   before awaiting anything (``_claims``), so the pane's screen watcher leaves it alone;
5. records the decision (channel ``hook``) before answering: a decision that cannot be recorded
   is not given, and the dialog is held with an alert, as on screen;
6. answers: allow or deny as the agent's output, or nothing, which leaves the dialog to the
   human (a hold, with ``PROMPT_HELD`` at once: its wait counts from the request; a dry run).

Events and metrics say which channel decided: ``PROMPT_DECIDED``/``RESPONSE_SENT``/
``PROMPT_HELD`` carry ``channel="hook"``, ``RESPONSE_SENT.latency_ms`` runs from the request's
arrival to the answer written back, and the tracker counts each request under
``hook_response`` (the policy step itself also under ``content_processing``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from yesman.agents import Agent, AgentRegistry, ToolRequest, builtin_agents
from yesman.bus import (
    DialogInfo,
    EventPriority,
    EventType,
    PromptDecided,
    PromptHeld,
    ResponseSent,
)
from yesman.hooks import HookAnswer, HookCall, HookServer, HookSocketError
from yesman.hooks._evaluate import decision_record, read_request, render
from yesman.hooks._paths import server_key, socket_for_server, tmux_socket_from_env
from yesman.metrics import ComponentTracker
from yesman.monitor._audit import DecisionSink
from yesman.monitor._claims import ClaimState, HookClaim, HookClaims
from yesman.monitor._monitor import AsyncClaudeMonitor
from yesman.monitor._pane_hooks import CHANNEL_HOOK
from yesman.monitor._publish import Publisher, Where, dialog_info
from yesman.monitor._settings import MonitorSettings
from yesman.monitor._status import StatusManager
from yesman.monitor._tally import DialogOutcome, DialogTally
from yesman.policy import Action, Decision, Policy, PolicyContext

__all__ = ["HookCoordinator", "PaneView", "serve_hooks"]

log = logging.getLogger(__name__)

HOOK_COMPONENT = "hook_response"


@dataclass(frozen=True, slots=True)
class PaneView:
    """What the coordinator needs of a watched pane (its monitor, when it has one)."""

    session: str
    project_dir: str | None
    agent: str
    status: StatusManager | None = None
    agent_version: str = ""
    notify: Callable[[], None] | None = None
    screen_decided: Callable[[ToolRequest], bool] | None = None

    @classmethod
    def of(cls, monitor: AsyncClaudeMonitor) -> PaneView:
        """The view of a pane through its monitor."""
        return cls(
            session=monitor.session_name,
            # The agent's own folder first: the pane's path may predate the agent's start.
            project_dir=monitor.process_controller.agent_cwd
            or monitor.session_manager.project_dir
            or None,
            agent=monitor.agent.name,
            agent_version=monitor.agent_version or "",
            status=monitor.status_manager,
            notify=monitor.notify_changed,
            screen_decided=monitor.screen_decided,
        )


class HookCoordinator:
    """Decides hook requests for one watcher (see the module docstring)."""

    def __init__(
        self,
        *,
        tmux_socket: str,
        policy: Policy,
        agents: AgentRegistry,
        claims: HookClaims,
        pane: Callable[[str], Awaitable[PaneView | None]],
        audit: DecisionSink | None = None,
        publisher: Publisher | None = None,
        tracker: ComponentTracker | None = None,
        settings: MonitorSettings | None = None,
        tally: DialogTally | None = None,
    ) -> None:
        self.tmux_socket = tmux_socket
        self._server = server_key(tmux_socket)
        self._policy = policy
        self._agents = agents
        self._claims = claims
        self._pane = pane
        self._audit = audit
        self._publish = publisher or Publisher(None, "hooks")
        self._tracker = tracker
        self._settings = settings or MonitorSettings()
        # The watcher's dialog counts (exported as yesman_dialogs_total): hook decisions too.
        self._tally = tally if tally is not None else DialogTally()
        self.unrecorded = 0

    # -- HookHandler

    async def decide(self, call: HookCall) -> HookAnswer:
        tracker = self._tracker
        if tracker is None:
            return await self._decide(call)
        async with tracker.track(HOOK_COMPONENT):
            return await self._decide(call)

    async def delivered(self, call: HookCall, answer: HookAnswer, *, ok: bool, at: float) -> None:
        claim = answer.token
        if not isinstance(claim, HookClaim) or not claim.answers:
            return
        if claim.state is not ClaimState.DECIDING:
            return
        view = await self._pane(claim.pane)
        if not ok:
            self._claims.settle(claim, ClaimState.FAILED)
            reason = (
                "the hook went away before yesman's answer reached it (the agent's hook timeout?); "
                "a human must answer this dialog"
            )
            self._held(claim, view, reason, rule="hook_undelivered", alert=True)
            await self._verified(claim, ok=False)
            return
        self._claims.settle(claim, ClaimState.ANSWERED, at)
        latency_ms = (at - claim.received) * 1000.0
        decision = claim.decision
        self._publish(
            EventType.RESPONSE_SENT,
            ResponseSent(
                **_where(view, claim),
                action=decision.action.value,
                keys=(),
                rule=decision.rule,
                latency_ms=round(latency_ms, 2),
                prompt=_info(claim),
                channel=CHANNEL_HOOK,
            ),
            correlation_id=claim.correlation_id,
        )
        if view is not None and view.status is not None:
            view.status.record_decision(
                decision.action.value, decision.rule, decision.reason, latency_ms
            )
        if view is not None and view.notify is not None and claim.adopted:
            view.notify()  # the dialog on screen should go now: let its monitor check
        if self._audit is not None and claim.record_id is not None:
            try:
                await self._audit.update_answered(
                    claim.record_id,
                    keys=(),
                    answered_at=time.time() - (time.monotonic() - at),
                    latency_ms=latency_ms,
                )
            except Exception as exc:
                self._store_failed("the hook's answer", exc)

    # -- deciding

    async def _decide(self, call: HookCall) -> HookAnswer:
        tmux = tmux_socket_from_env(call.env)
        if tmux is None or server_key(tmux) != self._server:
            return HookAnswer("unwatched", detail="the hook runs on another tmux server")
        pane = call.pane
        if not pane:
            return HookAnswer("unwatched", detail="the hook did not say which tmux pane it is in")
        agent = self._agent(call.agent)
        if agent is None:
            return HookAnswer("refused", detail=f"no agent named {call.agent!r} here")
        view = await self._pane(pane)
        if view is None:
            return HookAnswer("unwatched", detail=f"pane {pane} is not watched")
        request = read_request(agent, call.payload, call.env)
        if request is None:
            return HookAnswer("decided", detail="not a permission request yesman reads")
        if view.screen_decided is not None and view.screen_decided(request):
            return HookAnswer("decided", detail="the screen watcher already decided this dialog")
        project = view.project_dir or request.project_dir
        context = PolicyContext(
            session=view.session, pane_id=pane, project_dir=Path(project) if project else None
        )
        decision = self._policy_decision(request, context)
        claim = HookClaim(
            pane=pane,
            request=request,
            decision=decision,
            received=call.received,
            received_wall=call.received_wall,
            correlation_id=uuid.uuid4().hex[:16],
        )
        # Claimed before the first await below: the screen watcher must not decide it meanwhile.
        self._claims.add(claim)
        if view.status is not None:
            view.status.record_prompt(request.prompt)
        if view.notify is not None:
            view.notify()  # a dialog already on screen, left for its hook, is adopted now
        self._publish(
            EventType.PROMPT_DECIDED,
            PromptDecided(
                **_where(view, claim),
                action=decision.action.value,
                keys=(),
                rule=decision.rule,
                reason=decision.reason,
                dry_run=decision.dry_run,
                prompt=_info(claim),
                channel=CHANNEL_HOOK,
            ),
            correlation_id=claim.correlation_id,
        )
        recorded = await self._record(claim, view)
        failed = claim.answers and not recorded
        self._tally.decided(
            request.prompt,
            DialogOutcome.HOLD if failed else _outcome(decision),
            "audit_failed" if failed else decision.rule,
            agent=view.agent,
        )
        if claim.answers and not recorded:
            self._claims.settle(claim, ClaimState.FAILED)
            reason = (
                "the audit database could not record this decision, so no answer was given; fix "
                "the database (see the log) and answer this dialog yourself"
            )
            self._held(claim, view, reason, rule="audit_failed", alert=True)
            return HookAnswer("decided", detail=reason)
        if not claim.answers:
            self._claims.settle(claim, ClaimState.HELD)
            if decision.action is Action.HOLD:
                self._held(claim, view, decision.reason, rule=decision.rule)
            return HookAnswer("decided", detail=f"{decision.action.value}: {decision.reason}")
        return HookAnswer(
            "decided",
            stdout=render(agent, request, decision),
            detail=f"{decision.action.value}: {decision.reason}",
            token=claim,
        )

    def _policy_decision(self, request: ToolRequest, context: PolicyContext) -> Decision:
        if self._tracker is None:
            decision = self._policy.decide_request(request, context)
        else:
            with self._tracker.track("content_processing"):
                decision = self._policy.decide_request(request, context)
        if self._settings.dry_run and not decision.dry_run:
            decision = dataclasses.replace(
                decision, reason=f"{decision.reason} (dry run: no answer is given)", dry_run=True
            )
        return decision

    def _agent(self, name: str) -> Agent | None:
        """The agent whose hook format the request is in: the watcher's own, else a shipped one
        (the watcher may look for a variant of it on screen, under another name)."""
        for registry in (self._agents, builtin_agents()):
            if name in registry:
                return registry.get(name)
        return None

    async def _record(self, claim: HookClaim, view: PaneView) -> bool:
        if self._audit is None:
            return True
        row = decision_record(
            claim.request,
            claim.decision,
            session=view.session,
            pane=claim.pane,
            received=claim.received_wall,
            correlation_id=claim.correlation_id,
        )
        # The pane's monitor names its agent as it watches it (a variant may have its own name).
        where = _where(view, claim)
        row = dataclasses.replace(row, agent=where["agent"], agent_version=where["agent_version"])
        try:
            stored = await self._audit.record(row)
        except Exception as exc:
            self._store_failed("a hook decision", exc)
            return False
        claim.record_id = stored.id
        return True

    async def _verified(self, claim: HookClaim, *, ok: bool) -> None:
        if self._audit is None or claim.record_id is None:
            return
        try:
            await self._audit.update_verified(claim.record_id, ok)
        except Exception as exc:
            self._store_failed("a hook answer's outcome", exc)

    def _store_failed(self, what: str, exc: Exception) -> None:
        self.unrecorded += 1
        log.error("could not record %s in the audit database: %s", what, exc)

    def _held(
        self,
        claim: HookClaim,
        view: PaneView | None,
        reason: str,
        *,
        rule: str,
        alert: bool = False,
    ) -> None:
        self._publish(
            EventType.PROMPT_HELD,
            PromptHeld(
                **_where(view, claim),
                reason=reason,
                rule=rule,
                alert=alert,
                prompt=_info(claim),
                channel=CHANNEL_HOOK,
            ),
            priority=EventPriority.CRITICAL if alert else EventPriority.HIGH,
            correlation_id=claim.correlation_id,
        )
        if view is not None and view.status is not None:
            view.status.record_decision(Action.HOLD.value, rule, reason)


async def serve_hooks(
    stack: contextlib.AsyncExitStack, coordinator: HookCoordinator, *, describe: str
) -> HookServer | None:
    """Listen on the coordinator's tmux server's hook socket for as long as ``stack`` is open;
    None (and a warning: the watcher then watches screens only) when that is not possible."""
    server = HookServer(
        Path(socket_for_server(coordinator.tmux_socket)), coordinator, describe=describe
    )
    try:
        return await stack.enter_async_context(server)
    except HookSocketError as exc:
        log.warning("not answering hooks: %s", exc)
        return None


def _where(view: PaneView | None, claim: HookClaim) -> Where:
    request = claim.request
    if view is None:
        return {
            "session": "",
            "pane_id": claim.pane,
            "agent": request.agent,
            "agent_version": request.agent_version or "",
        }
    return {
        "session": view.session,
        "pane_id": claim.pane,
        "agent": view.agent or request.agent,
        # The hook's own word first: it is the process that asked, the monitor's may lag.
        "agent_version": request.agent_version or view.agent_version,
    }


def _info(claim: HookClaim) -> DialogInfo:
    return dialog_info(claim.request.prompt)


def _outcome(decision: Decision) -> DialogOutcome:
    """How a hook decision counts: a hook answers with no keys, so `DialogOutcome.of` (which
    reads the keys typed) does not apply."""
    if decision.action is Action.HOLD or decision.action is Action.NONE:
        return DialogOutcome.HOLD
    if decision.dry_run:
        return DialogOutcome.DRY_RUN
    return DialogOutcome.DENY if decision.action is Action.DENY else DialogOutcome.ANSWER
