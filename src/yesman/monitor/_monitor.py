"""`AsyncClaudeMonitor`: watches one pane, answers its dialogs by policy, measures every step.

For every change of the pane (pushed by tmux, debounced) the monitor runs the pipeline, each step
inside the component tracker under the seed's names:

    content_capture       capture the visible screen
    claude_status_check   is the agent running in the pane (its process tree)
    prompt_detection      screen -> AgentScreen (state, live dialog), by the agent's parser
    content_processing    dialog bookkeeping and the policy's Decision
    response_sending      type the chosen option's key, then verify it took
    automation_analysis   tests failing, usage limit, idle ... as events

The jobs around the pipeline live in their own modules: dialog bookkeeping (``_dialogs``), typing
and verifying an answer (``_answer``), the audit row (``_audit``), events (``_publish``) and a
human's answer to a held dialog (``_human``, serialised with the pipeline).

Safety rules it keeps:

* A dialog is answered only after a second capture, taken once the agent's input guard has
  passed, shows the same dialog (so a half-drawn one is never answered), and only once per
  dialog instance (see ``_dialogs``).
* With an audit store, the decision is written before anything is typed; a decision that cannot
  be written is not typed: the dialog is held with an alert.
* After sending, the monitor checks that the dialog went away; if the very same dialog is still
  up it types once more, then holds and raises an alert (see ``_answer``).
* `hold` sends nothing and publishes `PROMPT_HELD` for a human. Dry-run decides and records,
  sends nothing.
* With ``hook_claims`` (the supervisor's hook channel), a dialog the agent's permission hook
  asked about is the hook's: it is adopted, never decided or typed into again (``_pane_hooks``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from yesman._lifecycle import Runner, Service
from yesman.agents import Agent, ToolRequest
from yesman.bus import (
    AsyncEventBus,
    EventPriority,
    EventType,
    SessionStopped,
)
from yesman.metrics import ComponentTracker, PerformanceReporter
from yesman.monitor._answer import Answerer, wait_event
from yesman.monitor._audit import AuditWriter, DecisionSink
from yesman.monitor._claims import HookClaims
from yesman.monitor._dialogs import DialogBook
from yesman.monitor._human import HeldDialog, HumanAction, HumanAnswers, HumanResult
from yesman.monitor._pane_hooks import PaneHooks
from yesman.monitor._pipeline import Pipeline
from yesman.monitor._process import AgentProcessController
from yesman.monitor._publish import Publisher, Where
from yesman.monitor._respond import Responder
from yesman.monitor._seed import SeedMetricsMixin
from yesman.monitor._session import SessionManager
from yesman.monitor._settings import COMPONENTS, MonitorSettings
from yesman.monitor._status import StatusManager
from yesman.monitor._tally import DialogTally
from yesman.policy import Policy
from yesman.tmux import TmuxError

__all__ = ["COMPONENTS", "AsyncClaudeMonitor", "MonitorSettings"]

log = logging.getLogger(__name__)


class AsyncClaudeMonitor(SeedMetricsMixin, Service):
    """Watches one tmux pane running a coding agent (Claude Code unless told otherwise).

    The three collaborators are the seed's: `session_manager` reaches the pane,
    `process_controller` knows whether the agent runs in it (and may restart it; it also names
    the agent), `status_manager` keeps its status and history. Use `AsyncClaudeMonitor.for_pane()`
    to build all of them for a pane, and a `MonitorSupervisor` to watch many panes over one tmux
    connection. Lifecycle as in ``yesman._lifecycle``: `start()`/`stop()` (seed names
    `start_monitoring_async()`/`stop_monitoring_async()`), restartable, `async with`.
    """

    def __init__(
        self,
        session_manager: SessionManager,
        process_controller: AgentProcessController,
        status_manager: StatusManager,
        event_bus: AsyncEventBus | None = None,
        *,
        policy: Policy | None = None,
        tracker: ComponentTracker | None = None,
        audit: DecisionSink | None = None,
        settings: MonitorSettings | None = None,
        follow_changes: bool = True,
        tally: DialogTally | None = None,
        hook_claims: HookClaims | None = None,
    ) -> None:
        self.session_manager = session_manager
        self.process_controller = process_controller
        self.status_manager = status_manager
        self.event_bus = event_bus
        self.policy = policy if policy is not None else Policy.default()
        self.settings = settings or MonitorSettings()
        self._follow_changes = follow_changes
        self._own_tracker = tracker is None
        self.tracker = tracker if tracker is not None else ComponentTracker(COMPONENTS)
        # Shared with the other monitors of a supervisor, which reads it (`dialog_totals`).
        self.dialog_tally = tally if tally is not None else DialogTally()
        self._dialogs = DialogBook(self.settings.reanswer_guard, ended=self._dialog_ended)
        self._publisher = Publisher(event_bus, f"monitor:{session_manager.pane_id}")
        self._audit = AuditWriter(audit, session_manager.pane_id)
        self._responder = Responder(
            answerer=Answerer(
                session_manager,
                process_controller.agent.parse_screen,
                self.tracker,
                self._wait_change,
                verify_timeout=self.settings.verify_timeout,
                verify_poll=self.settings.verify_poll,
            ),
            audit=self._audit,
            dialogs=self._dialogs,
            publish=self._publisher,
            status=status_manager,
            where=self._where,
            look_again=self.notify_changed,
            tally=self.dialog_tally,
        )
        self._human = HumanAnswers(
            session=session_manager,
            parse=process_controller.agent.parse_screen,
            tracker=self.tracker,
            dialogs=self._dialogs,
            responder=self._responder,
            publish=self._publisher,
            where=self._where,
            look_again=self.notify_changed,
            dry_run=self.settings.dry_run,
        )
        # Held by each pipeline pass and by a human's answer: one of them at a time types.
        self._acting = asyncio.Lock()
        self._hooks = (
            None
            if hook_claims is None
            else PaneHooks(
                hook_claims,
                session_manager.pane_id,
                dialogs=self._dialogs,
                responder=self._responder,
                schedule_recheck=self._schedule_recheck,
                wait=self.settings.hook_wait,
                verify_timeout=self.settings.verify_timeout,
            )
        )
        self._performance_interval_s = self.settings.performance_interval
        self._wake = asyncio.Event()
        self._pending_since: float | None = None
        self._closed = asyncio.Event()
        self._runner = Runner(f"yesman.monitor.{session_manager.pane_id}")
        self._pipeline = Pipeline(
            session_manager=session_manager,
            process_controller=process_controller,
            status_manager=status_manager,
            policy=self.policy,
            settings=self.settings,
            tracker=self.tracker,
            publisher=self._publisher,
            dialogs=self._dialogs,
            responder=self._responder,
            where=self._where,
            notify_changed=self.notify_changed,
            schedule_recheck=self._schedule_recheck,
            idle_timer=self._set_idle_timer,
            hooks=self._hooks,
        )
        self._reporter: PerformanceReporter | None = None
        self._recheck: asyncio.TimerHandle | None = None
        self._idle_timer: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def for_pane(
        cls,
        session: SessionManager,
        event_bus: AsyncEventBus | None = None,
        *,
        agent: Agent | None = None,
        **kwargs: Any,
    ) -> AsyncClaudeMonitor:
        """A monitor for `session`'s pane with default process and status managers."""
        controller = AgentProcessController(session, agent)
        status = StatusManager(agent=controller.agent.name)
        return cls(session, controller, status, event_bus, **kwargs)

    # ------------------------------------------------------------------ views

    @property
    def agent(self) -> Agent:
        return self.process_controller.agent

    @property
    def agent_version(self) -> str | None:
        """The agent's version, once the screen has shown it (None until then)."""
        return self._pipeline.agent_version

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
        return self._pipeline.loops

    @property
    def unrecorded_decisions(self) -> int:
        """Decisions the audit store could not record durably (none of them was typed)."""
        return self._audit.failures

    def input_guard(self) -> float:
        """Seconds a dialog must be on screen before its answer is typed, for this agent."""
        return self._pipeline.input_guard()

    def held(self) -> HeldDialog | None:
        """The dialog on screen that was left for a human, if any."""
        return self._human.held()

    async def resolve_held(
        self,
        fingerprint: str,
        action: HumanAction,
        *,
        channel: str = "dashboard",
        option: int | None = None,
        note: str = "",
    ) -> HumanResult:
        """Answer the held dialog with this fingerprint for a human, through the same record,
        type and verify steps as an automatic answer; audited with the rule ``human:<channel>``.

        ``option`` picks an option number for ANSWER (default: the plain "Yes"); DENY picks the
        "No" that keeps the agent running. Raises `HumanAnswerRefused` (nothing typed) when the
        pane holds no dialog now, the dialog on screen has another fingerprint, the dialog has
        no such option, or this is a dry run. ``note`` is added to the audit reason (who, from
        where).
        """
        async with self._acting:
            return await self._human.resolve(
                fingerprint, action, channel=channel, option=option, note=note
            )

    def screen_decided(self, request: ToolRequest) -> bool:
        """Has this monitor already decided (from the screen) the dialog a hook asks about?"""
        return self._hooks is not None and self._hooks.screen_decided(request)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start watching; returns at once, with the first look at the pane already queued."""
        if self._runner.running:
            return
        self._closed.clear()
        if self._own_tracker:
            # Started before the monitor's task exists, so that task's CPU is charged per step.
            await self.tracker.start()
        try:
            await self._runner.start(self._run)
        except BaseException:
            await self._stop_tracker()
            raise

    async def stop(self) -> None:
        """Stop watching; a dialog being answered is finished first (its record is kept)."""

        def signal() -> None:
            self._closed.set()
            self._wake.set()

        try:
            await self._runner.stop(signal, timeout=5.0)
        finally:
            await self._stop_tracker()

    start_monitoring_async = start
    stop_monitoring_async = stop

    async def _stop_tracker(self) -> None:
        if self._own_tracker:
            await self.tracker.stop()

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
        self._publisher(
            EventType.SESSION_STOPPED,
            SessionStopped(**self._where(), reason="pane closed"),
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
            self._reporter = None
            self._closed.set()
            self.dialog_tally.wait_ended(self.pane_id)  # nobody watches the wait any more
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
                async with self._acting:
                    await self._pipeline.run(since if since is not None else time.monotonic())
            except TmuxError as exc:
                # The pane or server went away mid-step; the supervisor will tell us which.
                log.warning("pane %s: %s", self.pane_id, exc, extra={"pane_id": self.pane_id})
                await asyncio.sleep(0.2)

    async def _wait_change(self, timeout: float) -> None:
        await wait_event(self._wake, timeout)

    # ------------------------------------------------------------------ helpers

    def _where(self) -> Where:
        return {
            "session": self.session_name,
            "pane_id": self.pane_id,
            "agent": self.agent.name,
            "agent_version": self.agent_version or "",
        }

    def _dialog_ended(self, at: float) -> None:
        self.dialog_tally.wait_ended(self.pane_id, at)

    def _set_idle_timer(self, delay: float | None) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if delay is not None:
            self._idle_timer = asyncio.get_running_loop().call_later(delay, self.notify_changed)

    def _schedule_recheck(self, delay: float) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
        self._recheck = asyncio.get_running_loop().call_later(delay, self.notify_changed)
