"""`AsyncClaudeMonitor`: watches one pane, answers its dialogs by policy, measures every step.

For every change of the pane (pushed by tmux, debounced) the monitor runs the pipeline, each step
inside the component tracker under the seed's names:

    content_capture       capture the visible screen
    claude_status_check   is Claude Code running in the pane (its process tree)
    prompt_detection      screen -> AgentScreen (state, live dialog)
    content_processing    dialog bookkeeping and the policy's Decision
    response_sending      type the chosen option's digit
    automation_analysis   tests failing, usage limit, idle ... as events

Safety rules it keeps:

* A dialog is answered only after a second capture, `confirm_delay` later, shows the same dialog
  (so a half-drawn one is never answered), and only once: a dialog *instance* lasts until the
  pane definitely shows something else (busy, idle, error or another dialog). An unreadable
  screen does not end it.
* The same dialog reappearing within `reanswer_guard` seconds of being answered is not answered
  again automatically; it is looked at again after the guard.
* After sending, the monitor checks that the dialog went away. If it did not, it retries once
  (after checking the very same dialog is still there), then holds and raises an alert.
* `hold` sends nothing and publishes `PROMPT_HELD` for a human. Dry-run decides and records,
  sends nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from yesman.agents import AgentScreen, Prompt, ScreenState
from yesman.agents.claude import parse_screen
from yesman.bus import AsyncEventBus, Event, EventPriority, EventType
from yesman.metrics import (
    ComponentTracker,
    PerformanceReporter,
)
from yesman.monitor._automation import AutomationAnalyzer
from yesman.monitor._process import ClaudeProcessController
from yesman.monitor._seed import SeedMetricsMixin
from yesman.monitor._session import SessionManager
from yesman.monitor._status import StatusManager
from yesman.policy import Action, Decision, Policy, PolicyContext
from yesman.store import DecisionRecord
from yesman.tmux import TmuxError

__all__ = ["COMPONENTS", "AsyncClaudeMonitor", "DecisionSink", "MonitorSettings"]

log = logging.getLogger(__name__)

COMPONENTS = (
    "content_capture",
    "claude_status_check",
    "prompt_detection",
    "content_processing",
    "response_sending",
    "automation_analysis",
)


class DecisionSink(Protocol):
    """Where decisions are written (the audit store)."""

    async def record(self, rec: DecisionRecord) -> DecisionRecord: ...

    async def update_answered(
        self,
        decision_id: int,
        *,
        keys: tuple[str, ...],
        answered_at: float,
        latency_ms: float,
    ) -> bool: ...

    async def update_verified(self, decision_id: int, verified: bool) -> bool: ...


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    """Timing and behaviour knobs of one monitor (seconds)."""

    confirm_delay: float = 0.015
    # Claude Code 2.1 drops keys that arrive within ~200 ms of drawing a dialog (measured: 6 of
    # 6 lost at 0-100 ms, 12 of 12 taken at >= 200 ms), so a dialog must be this old, counted
    # from its first output, before its answer is typed.
    min_dialog_age: float = 0.25
    verify_timeout: float = 2.0
    verify_poll: float = 0.05
    reanswer_guard: float = 1.0
    heartbeat: float = 120.0  # a look without a change notification, as a safety net
    idle_after: float = 300.0
    dry_run: bool = False
    performance_interval: float = 60.0


@dataclass(slots=True)
class _Dialog:
    """One appearance of a dialog on screen, from first seen until something else shows."""

    prompt: Prompt
    first_seen: float  # monotonic
    first_seen_wall: float
    correlation_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    decision: Decision | None = None
    answered_at: float | None = None
    record_id: int | None = None


class AsyncClaudeMonitor(SeedMetricsMixin):
    """Watches one tmux pane running Claude Code.

    The three collaborators are the seed's: `session_manager` reaches the pane,
    `process_controller` knows whether Claude Code runs in it (and may restart it),
    `status_manager` keeps its status and history. Use `AsyncClaudeMonitor.for_pane()` to build
    all of them for a pane, and a `MonitorSupervisor` to watch many panes over one tmux
    connection.
    """

    def __init__(
        self,
        session_manager: SessionManager,
        process_controller: ClaudeProcessController,
        status_manager: StatusManager,
        event_bus: AsyncEventBus | None = None,
        *,
        policy: Policy | None = None,
        tracker: ComponentTracker | None = None,
        audit: DecisionSink | None = None,
        settings: MonitorSettings | None = None,
        parser: Callable[[str], AgentScreen] = parse_screen,
        follow_changes: bool = True,
    ) -> None:
        self.session_manager = session_manager
        self.process_controller = process_controller
        self.status_manager = status_manager
        self.event_bus = event_bus
        self.policy = policy if policy is not None else Policy.default()
        self.settings = settings or MonitorSettings()
        self._follow_changes = follow_changes
        self._own_tracker = tracker is None
        self._tracker_entered = False
        self.tracker = tracker if tracker is not None else ComponentTracker(COMPONENTS)
        self._audit = audit
        self._parse = parser
        self._automation = AutomationAnalyzer(idle_after_seconds=self.settings.idle_after)
        self._performance_interval_s = self.settings.performance_interval
        self._wake = asyncio.Event()
        self._pending_since: float | None = None
        self._closed = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._dialog: _Dialog | None = None
        self._recent: dict[str, float] = {}  # fingerprint -> monotonic time answered
        self._loops = 0
        self._reporter: PerformanceReporter | None = None
        self._recheck: asyncio.TimerHandle | None = None
        self._idle_timer: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def for_pane(
        cls,
        session: SessionManager,
        event_bus: AsyncEventBus | None = None,
        **kwargs: Any,
    ) -> AsyncClaudeMonitor:
        """A monitor for `session`'s pane with default process and status managers."""
        return cls(session, ClaudeProcessController(session), StatusManager(), event_bus, **kwargs)

    # ------------------------------------------------------------------ seed-compatible views

    @property
    def session_name(self) -> str:
        return self.session_manager.session_name

    @property
    def pane_id(self) -> str:
        return self.session_manager.pane_id

    @property
    def _performance_interval(self) -> float:
        """Seconds between PERFORMANCE_METRICS reports (the seed's knob; 0 turns them off)."""
        return self._performance_interval_s

    @_performance_interval.setter
    def _performance_interval(self, seconds: float) -> None:
        self._performance_interval_s = seconds
        if self._reporter is not None and seconds > 0:
            self._reporter.interval = seconds

    @property
    def loops(self) -> int:
        """Pipeline runs so far."""
        return self._loops

    # ------------------------------------------------------------------ lifecycle

    async def start_monitoring_async(self) -> None:
        """Start watching; returns at once, with the first look at the pane already queued."""
        if self._runner is not None and not self._runner.done():
            return
        self._closed.clear()
        if self._own_tracker and not self._tracker_entered:
            # Entered before the monitor's task exists, so that task's CPU is charged per step.
            await self.tracker.__aenter__()
            self._tracker_entered = True
        ready = asyncio.Event()
        self._runner = asyncio.create_task(self._run(ready), name=f"yesman.monitor.{self.pane_id}")
        ready_wait = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait(
            {ready_wait, self._runner}, return_when=asyncio.FIRST_COMPLETED
        )
        ready_wait.cancel()
        if self._runner in done:
            self._runner.result()  # re-raise a start-up failure

    async def stop_monitoring_async(self) -> None:
        """Stop watching; a dialog being answered is finished first (its record is kept)."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closed.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(runner), timeout=5.0)
        except TimeoutError:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        except asyncio.CancelledError:
            if not runner.done():
                raise
        finally:
            if self._tracker_entered:
                self._tracker_entered = False
                await self.tracker.aclose()

    async def __aenter__(self) -> Self:
        await self.start_monitoring_async()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_monitoring_async()

    async def wait_closed(self) -> None:
        """Wait until the monitor has stopped (asked to, or because its pane closed)."""
        await self._closed.wait()

    # ------------------------------------------------------------------ notifications

    def notify_changed(self, first_output: float | None = None) -> None:
        """The pane drew something (called by the supervisor on a debounced change)."""
        if first_output is None:
            first_output = time.monotonic()
        if self._pending_since is None or first_output < self._pending_since:
            self._pending_since = first_output
        self._wake.set()

    def notify_pane_closed(self) -> None:
        """The pane is gone: publish SESSION_STOPPED and stop."""
        if self._closed.is_set():
            return
        self._publish(
            EventType.SESSION_STOPPED,
            {"reason": "pane closed"},
            priority=EventPriority.HIGH,
        )
        self._closed.set()
        self._wake.set()

    def notify_process_exited(self) -> None:
        self.process_controller.invalidate()
        self.notify_changed()

    # ------------------------------------------------------------------ the loop

    async def _run(self, ready: asyncio.Event) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                if self.event_bus is not None and self._performance_interval_s > 0:
                    self._reporter = await stack.enter_async_context(
                        PerformanceReporter(
                            self.tracker,
                            self.event_bus,
                            self.session_name,
                            interval=self._performance_interval_s,
                        )
                    )
                async with asyncio.TaskGroup() as tg:
                    follower = None
                    if self._follow_changes:
                        follower = tg.create_task(self._follow(), name="yesman.monitor.changes")
                    # The first look runs in the loop, so starting never waits for an answer
                    # (with its guard and verification) and a supervisor is never held up.
                    self.notify_changed()
                    ready.set()
                    await self._loop()
                    if follower is not None:
                        follower.cancel()
        finally:
            ready.set()
            self._reporter = None
            self._closed.set()
            for timer in (self._recheck, self._idle_timer):
                if timer is not None:
                    timer.cancel()

    async def _follow(self) -> None:
        """Wake on the pane's own change notifications (when not run by a supervisor)."""
        changes = self.session_manager.changes()
        if changes is None:
            return
        async with changes:
            async for change in changes:
                self.notify_changed(change.first_output)

    async def _loop(self) -> None:
        while not self._closed.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.heartbeat)
            if self._closed.is_set():
                return
            self._wake.clear()
            since, self._pending_since = self._pending_since, None
            try:
                await self._process_change(since if since is not None else time.monotonic())
            except TmuxError as exc:
                # The pane or server went away mid-step; the supervisor will tell us which.
                log.warning("pane %s: %s", self.pane_id, exc, extra={"pane_id": self.pane_id})
                await asyncio.sleep(0.2)

    async def _process_change(self, seen_at: float) -> None:
        self._loops += 1
        self.tracker.record_loop()
        track = self.tracker.track
        async with track("content_capture"):
            text = await self.session_manager.capture()
        async with track("claude_status_check"):
            running = await self.process_controller.is_claude_running()
        async with track("prompt_detection"):
            screen = self._parse(text)
        if running and screen.state is ScreenState.UNKNOWN:
            # Claude Code's screen is gone: the cached answer may be stale (it just exited).
            self.process_controller.invalidate()
            async with track("claude_status_check"):
                running = await self.process_controller.is_claude_running()
        self._note_state(screen, running)
        confirmed = await self._confirm(screen, seen_at) if running else None
        if confirmed is not None:
            async with track("content_processing"):
                dialog = self._decide(confirmed, seen_at)
            await self._act(dialog)
        async with track("automation_analysis"):
            contexts = self._automation.analyze(
                text, screen, time.monotonic(), claude_running=running
            )
            for ctx in contexts:
                self._publish(
                    EventType.AUTOMATION_CONTEXT,
                    {
                        "context": ctx.kind.value,
                        "summary": ctx.summary,
                        "line": ctx.line,
                        **ctx.details,
                    },
                )
        if not running and self.process_controller.restart_policy.enabled:
            restarted = await self.process_controller.maybe_restart()
            if restarted:
                self._publish(
                    EventType.AUTOMATION_CONTEXT,
                    {"context": "claude_restarted", "summary": f"restarted with {restarted!r}"},
                    priority=EventPriority.HIGH,
                )
            # Look again when the next attempt is allowed (or to see the restart took).
            delay = self.process_controller.next_attempt_in()
            if delay is not None:
                self._schedule_recheck(max(delay, 0.5))

    def _note_state(self, screen: AgentScreen, running: bool) -> None:
        state = screen.state if running else ScreenState.UNKNOWN
        change = self.status_manager.update_state(
            state, claude_running=running, detail=screen.detail
        )
        if change is not None:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None
            if state is ScreenState.IDLE:
                # Look again when "idle for N minutes" becomes true; nothing else would wake us.
                self._idle_timer = asyncio.get_running_loop().call_later(
                    self.settings.idle_after + 0.05, self.notify_changed
                )
            self._publish(
                EventType.CLAUDE_STATUS_CHANGED,
                {
                    "old": change.old.value if change.old else None,
                    "new": change.new.value,
                    "claude_running": running,
                    "detail": screen.detail,
                },
            )

    # ------------------------------------------------------------------ dialogs

    async def _confirm(self, screen: AgentScreen, seen_at: float) -> Prompt | None:
        """A new dialog, confirmed fully drawn; None when there is nothing new to decide."""
        prompt = screen.prompt
        if screen.state is not ScreenState.WAITING or prompt is None:
            if screen.state is not ScreenState.UNKNOWN:
                self._dialog = None  # the pane definitely shows something else now
            return None
        current = self._dialog
        if current is not None and current.prompt.fingerprint == prompt.fingerprint:
            return None  # the same dialog instance: already decided
        answered = self._recent.get(prompt.fingerprint)
        if answered is not None and time.monotonic() - answered < self.settings.reanswer_guard:
            # Looks like the dialog we just answered; look again once the guard has passed.
            self._schedule_recheck(self.settings.reanswer_guard)
            return None
        # A second capture a moment later must show the very same dialog, so a half-drawn or
        # fleeting one is never answered; it also waits out the agent's input guard.
        guard = seen_at + self.settings.min_dialog_age - time.monotonic()
        await asyncio.sleep(max(self.settings.confirm_delay, guard))
        async with self.tracker.track("content_capture"):
            text = await self.session_manager.capture()
        async with self.tracker.track("prompt_detection"):
            again = self._parse(text)
        if again.prompt is None or again.prompt.fingerprint != prompt.fingerprint:
            self.notify_changed(seen_at)  # still changing: look again
            return None
        return again.prompt

    def _decide(self, prompt: Prompt, seen_at: float) -> _Dialog:
        """Start a dialog instance and ask the policy what to do about it."""
        dialog = _Dialog(prompt=prompt, first_seen=seen_at, first_seen_wall=_wall(seen_at))
        self._dialog = dialog
        self.status_manager.record_prompt(prompt)
        self._publish(
            EventType.PROMPT_DETECTED,
            {"prompt": prompt.as_dict()},
            correlation_id=dialog.correlation_id,
        )
        project = self.session_manager.project_dir
        context = PolicyContext(
            session=self.session_name,
            pane_id=self.pane_id,
            project_dir=Path(project) if project else None,
        )
        decision = self.policy.decide(AgentScreen(ScreenState.WAITING, prompt), context)
        if self.settings.dry_run and not decision.dry_run:
            decision = dataclasses.replace(decision, dry_run=True)
        dialog.decision = decision
        self._publish(
            EventType.PROMPT_DECIDED,
            {
                "action": decision.action.value,
                "keys": list(decision.keys),
                "rule": decision.rule,
                "reason": decision.reason,
                "dry_run": decision.dry_run,
                "prompt": prompt.as_dict(),
            },
            correlation_id=dialog.correlation_id,
        )
        return dialog

    async def _act(self, dialog: _Dialog) -> None:
        decision = dialog.decision
        assert decision is not None
        action = decision.action
        will_send = action in (Action.ANSWER, Action.DENY) and decision.sends_keys
        # Written before anything is typed: if the watcher dies mid-answer, the row says
        # what it decided and (truthfully) that no keys were sent.
        record = await self._record(dialog)
        record_id = record.id if record is not None else None
        latency_ms: float | None = None
        if will_send:
            async with self.tracker.track("response_sending"):
                await self.session_manager.send_keys(*decision.keys)
            sent = time.monotonic()
            dialog.answered_at = sent
            self._remember_answer(dialog.prompt.fingerprint, sent)
            latency_ms = (sent - dialog.first_seen) * 1000.0
            self._publish(
                EventType.RESPONSE_SENT,
                {
                    "keys": list(decision.keys),
                    "action": action.value,
                    "rule": decision.rule,
                    "latency_ms": round(latency_ms, 2),
                    "prompt": dialog.prompt.as_dict(),
                },
                correlation_id=dialog.correlation_id,
            )
            if record_id is not None and self._audit is not None:
                await self._audit.update_answered(
                    record_id,
                    keys=tuple(decision.keys),
                    answered_at=_wall(sent),
                    latency_ms=latency_ms,
                )
        elif action is Action.HOLD:
            self._hold(dialog, decision.reason, rule=decision.rule)
        self.status_manager.record_decision(
            action.value, decision.rule, decision.reason, latency_ms
        )
        if will_send:
            verified = await self._verify(dialog)
            if record_id is not None and self._audit is not None:
                await self._audit.update_verified(record_id, verified)

    async def _verify(self, dialog: _Dialog) -> bool:
        """Did the answer take? Retry once if the very same dialog is still up, then hold."""
        decision = dialog.decision
        assert decision is not None
        outcome = await self._wait_dialog_gone(dialog.prompt.fingerprint)
        if outcome == "still":
            log.warning(
                "pane %s: the answer %s did not take within %.1fs; retrying once",
                self.pane_id,
                decision.keys,
                self.settings.verify_timeout,
                extra={"pane_id": self.pane_id, "rule": decision.rule},
            )
            async with self.tracker.track("response_sending"):
                await self.session_manager.send_keys(*decision.keys)
            outcome = await self._wait_dialog_gone(dialog.prompt.fingerprint)
        if outcome == "gone":
            self.notify_changed()  # process the screen that replaced the dialog
            return True
        if outcome == "still":
            reason = f"answer {'+'.join(decision.keys)} did not take after a retry"
        else:
            reason = (
                f"cannot tell whether answer {'+'.join(decision.keys)} took (screen unreadable)"
            )
        reason += "; a human must look at this pane"
        log.error("pane %s: %s", self.pane_id, reason, extra={"pane_id": self.pane_id})
        self._hold(dialog, reason, rule="verify_failed", alert=True)
        return False

    async def _wait_dialog_gone(self, fingerprint: str) -> str:
        """ "gone" once a capture shows something definite instead of the dialog; at the
        timeout, "still" if the last capture showed the very same dialog, else "unclear"."""
        deadline = time.monotonic() + self.settings.verify_timeout
        while True:
            screen = self._parse(await self.session_manager.capture())
            same = screen.prompt is not None and screen.prompt.fingerprint == fingerprint
            # An unreadable screen proves nothing; a definite other state or dialog does.
            if not same and (screen.state is not ScreenState.UNKNOWN or screen.prompt is not None):
                return "gone"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "still" if same else "unclear"
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=min(self.settings.verify_poll, remaining)
                )

    def _hold(self, dialog: _Dialog, reason: str, *, rule: str, alert: bool = False) -> None:
        self._publish(
            EventType.PROMPT_HELD,
            {
                "reason": reason,
                "rule": rule,
                "alert": alert,
                "prompt": dialog.prompt.as_dict(),
            },
            priority=EventPriority.CRITICAL if alert else EventPriority.HIGH,
            correlation_id=dialog.correlation_id,
        )

    async def _record(self, dialog: _Dialog) -> DecisionRecord | None:
        if self._audit is None or dialog.decision is None:
            return None
        decision = dialog.decision
        prompt = dialog.prompt
        rec = DecisionRecord(
            session=self.session_name,
            pane=self.pane_id,
            prompt_kind=prompt.kind.value,
            action=decision.action.value,
            first_seen=dialog.first_seen_wall,
            tool=prompt.tool or "",
            target=prompt.target or "",
            options=tuple(f"{o.number}. {o.text}" for o in prompt.options),
            rule=decision.rule,
            reason=decision.reason,
            dry_run=decision.dry_run,
            fingerprint=prompt.fingerprint,
            correlation_id=dialog.correlation_id,
        )
        try:
            return await self._audit.record(rec)
        except Exception:
            log.exception("pane %s: could not write the decision record", self.pane_id)
            return None

    def _remember_answer(self, fingerprint: str, when: float) -> None:
        # Only answers younger than the guard matter; forget the rest so this stays small.
        horizon = when - self.settings.reanswer_guard
        for old in [fp for fp, t in self._recent.items() if t < horizon]:
            del self._recent[old]
        self._recent[fingerprint] = when

    def _schedule_recheck(self, delay: float) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
        self._recheck = asyncio.get_running_loop().call_later(delay, self.notify_changed)

    # ------------------------------------------------------------------ events

    def _publish(
        self,
        kind: EventType,
        data: dict[str, Any],
        *,
        priority: EventPriority = EventPriority.NORMAL,
        correlation_id: str | None = None,
    ) -> None:
        if self.event_bus is None:
            return
        payload = {"session": self.session_name, "pane_id": self.pane_id, **data}
        self.event_bus.publish_nowait(
            Event(
                type=kind,
                data=payload,
                source=f"monitor:{self.pane_id}",
                priority=priority,
                correlation_id=correlation_id,
            )
        )


def _wall(monotonic_time: float) -> float:
    """Convert a monotonic reading to wall-clock seconds."""
    return time.time() - (time.monotonic() - monotonic_time)
