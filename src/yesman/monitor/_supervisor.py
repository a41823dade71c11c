"""`MonitorSupervisor`: many pane monitors in one process, over one control client per server.

It finds the panes to watch (the named targets, or by default every pane whose process tree runs
one of its agents, including panes and sessions that appear later), starts an
`AsyncClaudeMonitor` for each with that pane's agent, and routes tmux's pushed notifications to
them: a debounced change wakes that pane's monitor, a closed pane ends its monitor with an event,
a renamed session relabels its monitors, a lost server is reported and the panes are found again
once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Sequence

from yesman._lifecycle import Runner, Service
from yesman.agents import Agent, AgentRegistry, builtin_agents
from yesman.bus import (
    AsyncEventBus,
    EventPriority,
    EventType,
    SessionCreated,
    SystemFault,
)
from yesman.bus import SessionRenamed as SessionRenamedEvent
from yesman.hooks import HookServer
from yesman.metrics import ComponentMetrics, ComponentTracker, PerformanceReporter
from yesman.monitor._audit import DecisionSink
from yesman.monitor._claims import HookClaims
from yesman.monitor._discovery import NewPaneRechecks, PaneSelector
from yesman.monitor._hook_service import HookCoordinator, PaneView, serve_hooks
from yesman.monitor._human import (
    HeldDialog,
    HumanAction,
    HumanAnswerRefused,
    HumanResult,
    RefusalReason,
)
from yesman.monitor._monitor import AsyncClaudeMonitor
from yesman.monitor._process import AgentProcessController, RestartPolicy
from yesman.monitor._publish import Publisher
from yesman.monitor._session import SessionManager
from yesman.monitor._settings import COMPONENTS, MonitorSettings
from yesman.monitor._status import PaneStatus, StatusManager
from yesman.monitor._tally import DialogTally, DialogTotals
from yesman.policy import Policy
from yesman.tmux import (
    ControlClient,
    ControlConfig,
    DebounceConfig,
    PaneAdded,
    PaneChanged,
    PaneClosed,
    PaneCommandChanged,
    PaneDied,
    PaneInfo,
    ServerConnected,
    ServerDisconnected,
    ServerLock,
    SessionRenamed,
    TmuxError,
    TmuxServer,
)

__all__ = ["MonitorSupervisor", "WatchedPane"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class WatchedPane:
    """A view of one watched pane for status displays."""

    pane: PaneInfo
    status: PaneStatus

    @property
    def agent(self) -> str:
        """The name of the agent running in the pane."""
        return self.status.agent


class MonitorSupervisor(Service):
    """Watches the agent panes of one tmux server.

    Args:
        server: which tmux server (`-L`/`-S`/default).
        agents: the agents to look for, tried in order (default: every agent yesman ships).
        targets: session names, `$session_id`s or `%pane_id`s to watch; empty means every pane
            running one of the agents, now or later. A targeted pane that runs none of them is
            watched as running the first agent (so its exit and return are noticed).
        require_server: fail at start when no tmux server answers; with False, wait for one.
        lock: take the server's `ServerLock` while running, so no second process answers on the
            same server (`start()` raises `ServerLockedError` naming the holder). A dry run, which
            types nothing, never takes it.
        mute_unwatched: stop receiving the output of panes that run no agent (a build log
            printing fast costs nothing then); they are looked at again when their foreground
            program changes.
        hooks: answer agents' permission hooks (``yesman hook``) on this server's hook socket,
            coordinated with the screen watchers (``_hook_service``); a dry run decides and
            records them but answers none (the dialogs stay for the human). If another process
            already serves the socket, this one logs a warning naming it and watches screens
            only.

    Lifecycle as in ``yesman._lifecycle``: `start()`/`stop()`, restartable, `async with`.
    """

    def __init__(
        self,
        server: TmuxServer | None = None,
        *,
        event_bus: AsyncEventBus | None = None,
        policy: Policy | None = None,
        audit: DecisionSink | None = None,
        targets: Sequence[str] = (),
        settings: MonitorSettings | None = None,
        agents: AgentRegistry | Sequence[Agent] | None = None,
        restart: RestartPolicy | None = None,
        tracker: ComponentTracker | None = None,
        recheck_interval: float = 2.0,
        control: ControlConfig | None = None,
        require_server: bool = True,
        lock: bool = True,
        mute_unwatched: bool = True,
        hooks: bool = True,
    ) -> None:
        self.server = server or TmuxServer()
        self.event_bus = event_bus
        self.policy = policy if policy is not None else Policy.default()
        self.settings = settings or MonitorSettings()
        self._own_tracker = tracker is None
        self.tracker = tracker if tracker is not None else ComponentTracker(COMPONENTS)
        self._audit = audit
        if agents is None:
            agents = builtin_agents()
        self.agents = agents if isinstance(agents, AgentRegistry) else AgentRegistry(agents)
        if not len(self.agents):
            raise ValueError("a MonitorSupervisor needs at least one agent to look for")
        self._selector = PaneSelector(
            self.agents, targets, mute=mute_unwatched, recheck_interval=recheck_interval
        )
        self._restart = restart
        self._require_server = require_server
        self._lock = lock and not self.settings.dry_run
        self._was_connected = False
        # A short quiet period: the parser only accepts complete dialogs and the monitor
        # re-captures before answering, so waiting longer for output to settle buys nothing.
        self._control_config = control or ControlConfig(
            debounce=DebounceConfig(quiet=0.012, max_delay=self.settings.busy_capture_interval)
        )
        self._monitors: dict[str, AsyncClaudeMonitor] = {}
        self._unrecorded_ended = 0  # unrecorded decisions of monitors that have ended
        self._tally = DialogTally()  # every monitor's dialogs, kept after its pane is gone
        self._client: ControlClient | None = None
        self._stop = asyncio.Event()
        self._new_panes = NewPaneRechecks()
        self._runner = Runner("yesman.supervisor")
        self._publish = Publisher(event_bus, "supervisor")
        self._claims = HookClaims() if hooks else None
        self._coordinator: HookCoordinator | None = None
        self.hook_server: HookServer | None = None

    # ------------------------------------------------------------------ views

    @property
    def monitors(self) -> dict[str, AsyncClaudeMonitor]:
        return dict(self._monitors)

    def watched(self) -> list[WatchedPane]:
        return [
            WatchedPane(m.session_manager.pane, m.status_manager.snapshot())
            for m in self._monitors.values()
        ]

    def missing_targets(self) -> tuple[str, ...]:
        """The named targets that match no pane on the server now (none when none are named)."""
        client = self._client
        return self._selector.missing(list(client.panes().values()) if client is not None else [])

    @property
    def unrecorded_decisions(self) -> int:
        """Decisions the audit store could not record (none of them was typed), all panes."""
        live = sum(m.unrecorded_decisions for m in self._monitors.values())
        hooks = 0 if self._coordinator is None else self._coordinator.unrecorded
        return self._unrecorded_ended + live + hooks

    def get_component_metrics(self) -> dict[str, ComponentMetrics]:
        return self.tracker.get_component_metrics()

    def dialog_totals(self) -> DialogTotals:
        """Dialogs decided (by outcome, kind, tool, rule) and waits for a human, all panes ever
        watched: totals that only grow, for exporters."""
        return self._tally.snapshot()

    def held_dialogs(self) -> list[HeldDialog]:
        """Every dialog on screen now that was left for a human, oldest first."""
        held = [h for h in (m.held() for m in self._monitors.values()) if h is not None]
        return sorted(held, key=lambda h: h.since)

    async def resolve_held(
        self,
        pane_id: str,
        fingerprint: str,
        action: HumanAction,
        *,
        channel: str = "dashboard",
        option: int | None = None,
        note: str = "",
    ) -> HumanResult:
        """A human's answer to the dialog held in `pane_id` (see
        `AsyncClaudeMonitor.resolve_held`); refused when the pane is not watched."""
        monitor = self._monitors.get(pane_id)
        if monitor is None:
            raise HumanAnswerRefused(
                RefusalReason.NOT_HELD,
                f"pane {pane_id} is not watched (any more); nothing was typed",
            )
        return await monitor.resolve_held(
            fingerprint, action, channel=channel, option=option, note=note
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Connect and start watching; returns once the existing panes have been looked at."""
        if self._runner.running:
            return
        self._stop.clear()
        await self._runner.start(self._run)

    async def stop(self) -> None:
        """Stop every monitor (finishing answers in flight) and disconnect."""
        await self._runner.stop(self._stop.set)

    async def run_until_stopped(self) -> None:
        """Start, then run until `stop()` is called from elsewhere (or the task is cancelled)."""
        await self.start()
        try:
            await self._stop.wait()
        finally:
            await self.stop()

    async def _run(self, ready: asyncio.Event) -> None:
        async with contextlib.AsyncExitStack() as stack:
            if self._lock:
                await stack.enter_async_context(ServerLock(self.server))
            if self._own_tracker:
                # Entered before any monitor task exists, so their CPU is charged per step.
                await stack.enter_async_context(self.tracker)
            if self.event_bus is not None and self.settings.performance_interval > 0:
                # One report for the whole watcher: the monitors share this tracker.
                await stack.enter_async_context(
                    PerformanceReporter(
                        self.tracker,
                        self.event_bus,
                        self.server.describe(),
                        interval=self.settings.performance_interval,
                    )
                )
            client = await stack.enter_async_context(
                ControlClient(
                    self.server, self._control_config, require_server=self._require_server
                )
            )
            if self._claims is not None:
                self._coordinator = HookCoordinator(
                    tmux_socket=str(self.server.resolved_socket_path()),
                    policy=self.policy,
                    agents=self.agents,
                    claims=self._claims,
                    pane=self._pane_view,
                    audit=self._audit,
                    publisher=Publisher(self.event_bus, "hooks"),
                    tracker=self.tracker,
                    settings=self.settings,
                    tally=self._tally,
                )
                self.hook_server = await serve_hooks(
                    stack,
                    self._coordinator,
                    describe=f"yesman watch (pid {os.getpid()}) on {self.server.describe()}",
                )
            try:
                await self._serve(client, ready)
            finally:
                self.hook_server = None

    async def _serve(self, client: ControlClient, ready: asyncio.Event) -> None:
        self._client = client
        self._was_connected = client.connected
        try:
            async with asyncio.TaskGroup() as tg:
                routers = [
                    tg.create_task(self._route_changes(client), name="yesman.changes"),
                    tg.create_task(self._route_notes(client), name="yesman.notifications"),
                    tg.create_task(self._recheck_new_panes(client), name="yesman.new-panes"),
                ]
                await self._discover()
                ready.set()
                await self._stop.wait()
                await self._stop_monitors()
                for task in routers:
                    task.cancel()
        finally:
            self._client = None

    async def _stop_monitors(self) -> None:
        monitors = list(self._monitors.values())
        self._monitors.clear()
        async with asyncio.TaskGroup() as tg:
            for monitor in monitors:
                tg.create_task(monitor.stop())
        # Counted once they have stopped: an answer in flight may still fail to be recorded.
        self._unrecorded_ended += sum(m.unrecorded_decisions for m in monitors)

    # ------------------------------------------------------------------ discovery

    async def _discover(self, panes: Sequence[PaneInfo] | None = None) -> None:
        """Start monitors for panes that should be watched and are not yet."""
        client = self._client
        if client is None:
            return
        if panes is None:
            if not client.connected:
                return  # found on ServerConnected instead
            try:
                panes = await client.list_panes()
            except TmuxError as exc:
                log.warning("could not list panes on %s: %s", self.server.describe(), exc)
                return
        candidates = [p for p in panes if p.pane_id not in self._monitors and not p.dead]
        if not candidates:
            return
        for pane, agent in await self._selector.choose(client, candidates):
            await self._watch(pane, agent)

    async def _watch(self, pane: PaneInfo, agent: Agent) -> None:
        client = self._client
        if client is None or pane.pane_id in self._monitors:
            return
        if pane.pane_id in client.muted_panes():
            await client.unmute_output(pane.pane_id)
        session = SessionManager(client, pane)
        monitor = AsyncClaudeMonitor(
            session,
            AgentProcessController(session, agent, restart=self._restart),
            StatusManager(agent=agent.name),
            self.event_bus,
            policy=self.policy,
            tracker=self.tracker,
            audit=self._audit,
            settings=dataclasses.replace(self.settings, performance_interval=0),
            follow_changes=False,  # this supervisor routes the changes
            tally=self._tally,
            hook_claims=self._claims,
        )
        self._monitors[pane.pane_id] = monitor
        log.info(
            "watching pane %s (session %s, pid %d, %s)",
            pane.pane_id,
            pane.session_name,
            pane.pane_pid,
            agent.display_name,
            extra={"pane_id": pane.pane_id},
        )
        self._publish(
            EventType.SESSION_CREATED,
            SessionCreated(
                session=pane.session_name,
                pane_id=pane.pane_id,
                agent=agent.name,
                session_id=pane.session_id,
                pane_pid=pane.pane_pid,
                path=pane.current_path,
            ),
        )
        try:
            await monitor.start_monitoring_async()
        except TmuxError as exc:
            log.warning("could not start watching pane %s: %s", pane.pane_id, exc)
            self._monitors.pop(pane.pane_id, None)

    async def _pane_view(self, pane_id: str) -> PaneView | None:
        """The watched pane a hook request comes from; None when this watcher does not watch
        it. A pane not watched yet but that would be (its agent just started) is looked at now,
        so its monitor exists to see the hook's dialog."""
        monitor = self._monitors.get(pane_id)
        client = self._client
        if monitor is None and client is not None:
            pane = client.panes().get(pane_id)
            if pane is None or (self._selector.targets and not self._selector.targeted(pane)):
                return None
            await self._discover([pane])
            monitor = self._monitors.get(pane_id)
            if monitor is None:  # its agent is not recognised (yet): decide without a monitor
                return PaneView(pane.session_name, pane.current_path or None, "")
        return None if monitor is None else PaneView.of(monitor)

    async def _maybe_recheck(self, pane_id: str) -> None:
        """An unwatched pane drew something: maybe an agent started in it."""
        client = self._client
        if client is None or not self._selector.due(pane_id):
            return
        pane = client.panes().get(pane_id)
        if pane is not None:
            await self._discover([pane])

    # ------------------------------------------------------------------ routing

    async def _route_changes(self, client: ControlClient) -> None:
        async with client.changes() as changes:
            async for change in changes:
                self._on_change(change)
                if change.pane_id not in self._monitors:
                    await self._maybe_recheck(change.pane_id)

    async def _recheck_new_panes(self, client: ControlClient) -> None:
        async for pane_id in self._new_panes.due():
            pane = client.panes().get(pane_id)
            if pane is not None and pane_id not in self._monitors:
                await self._discover([pane])

    def _on_change(self, change: PaneChanged) -> None:
        monitor = self._monitors.get(change.pane_id)
        if monitor is not None:
            monitor.notify_changed(change.first_output)

    async def _route_notes(self, client: ControlClient) -> None:
        async with client.notifications() as notes:
            async for note in notes:
                try:
                    await self._on_note(note)
                except TmuxError as exc:
                    log.warning("while handling %s: %s", type(note).__name__, exc)

    async def _on_note(self, note: object) -> None:
        if isinstance(note, PaneClosed):
            await self._end(note.pane.pane_id, "pane closed")
        elif isinstance(note, PaneDied):
            monitor = self._monitors.get(note.pane.pane_id)
            if monitor is not None:
                monitor.notify_process_exited()
        elif isinstance(note, PaneAdded):
            await self._discover([note.pane])
            if note.pane.pane_id not in self._monitors:
                self._new_panes.note(note.pane.pane_id)
        elif isinstance(note, PaneCommandChanged):
            # Another program runs in the pane now: perhaps an agent (muted panes included).
            if note.pane.pane_id not in self._monitors:
                await self._discover([note.pane])
        elif isinstance(note, SessionRenamed):
            for monitor in self._monitors.values():
                pane = monitor.session_manager.pane
                if pane.session_id == note.session_id:
                    monitor.session_manager.update(
                        dataclasses.replace(pane, session_name=note.new_name)
                    )
            self._publish(
                EventType.SESSION_RENAMED,
                SessionRenamedEvent(
                    session_id=note.session_id, old=note.old_name, new=note.new_name
                ),
            )
        elif isinstance(note, ServerDisconnected):
            log.warning(
                "tmux server %s went away (%s); reconnecting with backoff", note.server, note.reason
            )
            self._publish(
                EventType.SYSTEM_ERROR,
                SystemFault(
                    error=f"tmux server lost: {note.reason}",
                    source="tmux",
                    details={"server": note.server},
                ),
                priority=EventPriority.HIGH,
            )
        elif isinstance(note, ServerConnected):
            if self._was_connected:
                log.warning("reconnected to tmux server %s after %.1fs", note.server, note.downtime)
            else:
                log.info("connected to tmux server %s", note.server)
            self._was_connected = True
            client = self._client
            if client is not None:
                panes = await client.list_panes()
                alive = {p.pane_id for p in panes}
                for pane_id in [p for p in self._monitors if p not in alive]:
                    await self._end(pane_id, "pane gone after the tmux server restarted")
                await self._discover(panes)

    async def _end(self, pane_id: str, reason: str) -> None:
        monitor = self._monitors.pop(pane_id, None)
        self._selector.forget(pane_id)
        if self._claims is not None:
            self._claims.forget(pane_id)
        if monitor is None:
            return
        log.info("pane %s: %s; its watch ends", pane_id, reason, extra={"pane_id": pane_id})
        monitor.notify_pane_closed()
        await monitor.stop()
        self._unrecorded_ended += monitor.unrecorded_decisions
