"""One pass of a monitor's pipeline over a change of its pane.

Capture, is the agent running, read the screen, confirm a new dialog (waiting out the agent's input
guard), decide by policy, act (``_respond``), then automation analysis: each step inside the
component tracker under the seed's component names.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path

from yesman.agents import Agent, AgentScreen, PermissionMode, Prompt, ScreenState
from yesman.bus import (
    AutomationObserved,
    EventPriority,
    EventType,
    PromptDecided,
    PromptDetected,
    StatusChanged,
)
from yesman.metrics import ComponentTracker
from yesman.monitor._automation import AutomationAnalyzer
from yesman.monitor._dialogs import DialogBook, DialogInstance, Novelty
from yesman.monitor._pane_hooks import PaneHooks
from yesman.monitor._process import AgentProcessController
from yesman.monitor._publish import Publisher, Where, dialog_info
from yesman.monitor._respond import Responder
from yesman.monitor._session import SessionManager
from yesman.monitor._settings import MonitorSettings
from yesman.monitor._status import StatusManager
from yesman.policy import Policy, PolicyContext

__all__ = ["Pipeline"]

log = logging.getLogger(__name__)


class Pipeline:
    """The steps a monitor runs for each change of its pane."""

    def __init__(
        self,
        *,
        session_manager: SessionManager,
        process_controller: AgentProcessController,
        status_manager: StatusManager,
        policy: Policy,
        settings: MonitorSettings,
        tracker: ComponentTracker,
        publisher: Publisher,
        dialogs: DialogBook,
        responder: Responder,
        where: Callable[[], Where],
        notify_changed: Callable[[float | None], None],
        schedule_recheck: Callable[[float], None],
        idle_timer: Callable[[float | None], None],
        hooks: PaneHooks | None = None,
    ) -> None:
        self.session_manager = session_manager
        self.process_controller = process_controller
        self.status_manager = status_manager
        self.policy = policy
        self.settings = settings
        self.tracker = tracker
        self._publisher = publisher
        self._dialogs = dialogs
        self._responder = responder
        self._where = where
        self._notify_changed = notify_changed
        self._schedule_recheck = schedule_recheck
        self._set_idle_timer = idle_timer
        self._hooks = hooks
        agent = process_controller.agent
        self._parse = agent.parse_screen
        self._automation = AutomationAnalyzer(
            agent.signals,
            agent_name=agent.display_name,
            idle_after_seconds=settings.idle_after,
        )
        self.screen_version: str | None = None
        self.loops = 0

    @property
    def agent(self) -> Agent:
        return self.process_controller.agent

    @property
    def agent_version(self) -> str | None:
        """The agent's version: from its process, else from its start-up banner, else None."""
        return self.process_controller.agent_version or self.screen_version

    def input_guard(self) -> float:
        """Seconds a dialog must be on screen before its answer is typed, for this agent."""
        if self.settings.min_dialog_age is not None:
            return self.settings.min_dialog_age
        return self.agent.keys.input_guard(self.agent_version)

    async def run(self, seen_at: float) -> None:
        """Process one change of the pane, first output at ``seen_at`` (monotonic)."""
        self.loops += 1
        self.tracker.record_loop()
        track = self.tracker.track
        async with track("content_capture"):
            text = await self.session_manager.capture()
        async with track("claude_status_check"):
            running = await self.process_controller.is_agent_running()
        async with track("prompt_detection"):
            screen = self._parse(text)
            if self.screen_version is None:
                self._note_version(text)
        if running and screen.state is ScreenState.UNKNOWN:
            # The agent's screen is gone: the cached answer may be stale (it just exited).
            self.process_controller.invalidate()
            async with track("claude_status_check"):
                running = await self.process_controller.is_agent_running()
        version = self.agent_version
        if version is not None:
            self.status_manager.record_agent_version(version)
        self._note_state(screen, running)
        confirmed = await self._confirm(screen, seen_at) if running else None
        if confirmed is not None:
            dialog = None
            async with track("content_processing"):
                # A hook request may have arrived while the dialog was being confirmed; checked
                # with no await before deciding, so exactly one channel decides the dialog.
                hooks = self._hooks
                if hooks is None or not hooks.owns(confirmed, seen_at, may_wait=False):
                    dialog = self._decide(confirmed, seen_at)
                    if hooks is not None:
                        hooks.decided_on_screen(dialog)
            if dialog is not None:
                await self._responder.act(dialog)
        async with track("automation_analysis"):
            contexts = self._automation.analyze(
                text, screen, time.monotonic(), agent_running=running
            )
            for ctx in contexts:
                self._publisher(
                    EventType.AUTOMATION_CONTEXT,
                    AutomationObserved(
                        **self._where(),
                        context=ctx.kind.value,
                        summary=ctx.summary,
                        line=ctx.line,
                        details=ctx.details,
                    ),
                )
        if not running and self.process_controller.restart_policy.enabled:
            await self._maybe_restart()

    async def _maybe_restart(self) -> None:
        restarted = await self.process_controller.maybe_restart()
        if restarted:
            self._publisher(
                EventType.AUTOMATION_CONTEXT,
                AutomationObserved(
                    **self._where(),
                    context="agent_restarted",
                    summary=f"restarted with {restarted!r}",
                ),
                priority=EventPriority.HIGH,
            )
        # Look again when the next attempt is allowed (or to see the restart took).
        delay = self.process_controller.next_attempt_in()
        if delay is not None:
            self._schedule_recheck(max(delay, 0.5))

    def _note_version(self, text: str) -> None:
        self.screen_version = self.agent.version_from_screen(text)

    def _note_mode(self, screen: AgentScreen) -> None:
        # Dialogs hide the footer; only idle and busy screens say which mode is on.
        if screen.state not in (ScreenState.IDLE, ScreenState.BUSY):
            return
        if not self.status_manager.record_mode(screen.mode):
            return
        if screen.mode in (PermissionMode.AUTO, PermissionMode.BYPASS):
            pane = self.session_manager.pane_id
            log.warning(
                "pane %s: %s is in %s mode and answers its own permission dialogs; yesman "
                "will see none of them (switch the mode with shift+tab, or set "
                "permissions.defaultMode in its settings)",
                pane,
                self.agent.display_name,
                screen.mode.value,
                extra={"pane_id": pane},
            )

    def _note_state(self, screen: AgentScreen, running: bool) -> None:
        if running:
            self._note_mode(screen)
        state = screen.state if running else ScreenState.UNKNOWN
        change = self.status_manager.update_state(
            state, agent_running=running, detail=screen.detail
        )
        if change is None:
            return
        # Look again when "idle for N minutes" becomes true; nothing else would wake us.
        self._set_idle_timer(self.settings.idle_after + 0.05 if state is ScreenState.IDLE else None)
        self._publisher(
            EventType.CLAUDE_STATUS_CHANGED,
            StatusChanged(
                **self._where(),
                old=change.old.value if change.old else None,
                new=change.new.value,
                agent_running=running,
                detail=screen.detail,
            ),
        )

    # ------------------------------------------------------------------ dialogs

    async def _confirm(self, screen: AgentScreen, seen_at: float) -> Prompt | None:
        """A new dialog, confirmed fully drawn; None when there is nothing new to decide."""
        novelty = self._dialogs.classify(screen, time.monotonic())
        if novelty is Novelty.TOO_SOON:
            self._schedule_recheck(self.settings.reanswer_guard)
        current = self._dialogs.current
        if novelty is Novelty.SAME and self._hooks is not None and current is not None:
            await self._hooks.check(current)
        if novelty is not Novelty.NEW or screen.prompt is None:
            return None
        prompt = screen.prompt
        if self._hooks is not None and self._hooks.owns(prompt, seen_at, may_wait=True):
            return None  # the agent's hook decides (or is about to decide) this dialog
        # A second capture a moment later must show the very same dialog, so a half-drawn or
        # fleeting one is never answered; it also waits out the agent's input guard.
        guard = seen_at + self.input_guard() - time.monotonic()
        await asyncio.sleep(max(self.settings.confirm_delay, guard))
        async with self.tracker.track("content_capture"):
            text = await self.session_manager.capture()
        async with self.tracker.track("prompt_detection"):
            again = self._parse(text)
        if again.prompt is None or again.prompt.fingerprint != prompt.fingerprint:
            self._notify_changed(seen_at)  # still changing: look again
            return None
        return again.prompt

    def _decide(self, prompt: Prompt, seen_at: float) -> DialogInstance:
        """Start a dialog instance and ask the policy what to do about it."""
        dialog = self._dialogs.begin(prompt, seen_at)
        self.status_manager.record_prompt(prompt)
        info = dialog_info(prompt)
        self._publisher(
            EventType.PROMPT_DETECTED,
            PromptDetected(**self._where(), prompt=info),
            correlation_id=dialog.correlation_id,
        )
        # The agent's own folder first: the pane's path may have been read before it started.
        project = self.process_controller.agent_cwd or self.session_manager.project_dir
        context = PolicyContext(
            session=self.session_manager.session_name,
            pane_id=self.session_manager.pane_id,
            project_dir=Path(project) if project else None,
            agent=self.agent.name,
        )
        decision = self.policy.decide(AgentScreen(ScreenState.WAITING, prompt), context)
        if self.settings.dry_run and not decision.dry_run:
            decision = dataclasses.replace(decision, dry_run=True)
        dialog.decision = decision
        self._publisher(
            EventType.PROMPT_DECIDED,
            PromptDecided(
                **self._where(),
                action=decision.action.value,
                keys=decision.keys,
                rule=decision.rule,
                reason=decision.reason,
                dry_run=decision.dry_run,
                prompt=info,
            ),
            correlation_id=dialog.correlation_id,
        )
        return dialog
