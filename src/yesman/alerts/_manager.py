"""`AlertManager`: rules over the bus's events, alerts in the database, notifications to sinks.

    config = load_alert_config("alerts.toml")
    async with AuditStore.open(db) as store, AsyncEventBus() as bus:
        async with AlertManager(config, bus, store=store, tmux=server) as alerts:
            ...                       # the watcher runs; alerts fire, resolve, notify
            alerts.active()           # frozen `Alert` records, for a dashboard
            await alerts.ack(12)      # what the dashboard's buttons call
            await alerts.silence("dialog-held", 3600)

How it stays off the watcher's path: its bus handlers only hand the event to the evaluators
(a dict update, microseconds) and wake its loop. The loop, one task, turns conditions into alert
transitions (`AlertBook`), stores them (awaiting only the insert of an alert that fires, to
learn its id) and queues notifications with the `Dispatcher`, whose per-sink workers do the
slow part. ``benchmarks/alerts.py`` measures answer latency with a dead webhook against none.

Acknowledgements and silences made by other processes (`yesman alerts ack|silence`) are read
back from the database every ``poll_interval`` seconds. When a rule watches for a lost tmux
server and the manager was given the server, it probes it every ``probe_interval`` seconds
while the alert is active, and resolves the alert once the server answers.

Lifecycle (`yesman._lifecycle`): `start()` / `stop()` / ``async with``. On `stop()` alerts still
firing are stored as ``stopped`` (their end is unknown; no resolved notification is sent) and
queued notifications get a few seconds to go out.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from yesman._lifecycle import Runner, Service
from yesman.alerts._agent_rules import AGENT_EVALUATORS
from yesman.alerts._book import AlertBook, Change, Transition
from yesman.alerts._config import AlertConfig, RuleConfig, SinkType, WebhookFormat
from yesman.alerts._db import user
from yesman.alerts._dispatch import DeliveryRecord, Dispatcher, SinkStats
from yesman.alerts._evaluator import Evaluator
from yesman.alerts._model import Alert, Notification, NotificationStatus, Silence
from yesman.alerts._recorder import AlertRecorder
from yesman.alerts._sink import Sink, build_sinks
from yesman.alerts._system_rules import SYSTEM_EVALUATORS, TmuxDisconnected
from yesman.bus import Event, EventHandler, EventType, Subscription
from yesman.store import AuditStore, StoreError
from yesman.tmux import TmuxError, TmuxServer

__all__ = ["AlertManager", "Subscribable"]

_log = logging.getLogger("yesman.alerts")

_EVALUATORS: dict[Any, type[Evaluator]] = {**AGENT_EVALUATORS, **SYSTEM_EVALUATORS}


class Subscribable(Protocol):
    """What the manager needs of a bus (`yesman.bus.AsyncEventBus` is one)."""

    def subscribe(self, event_type: EventType | str, handler: EventHandler) -> Subscription: ...


class AlertManager(Service):
    """See the module docstring.

    Args:
        config: the rules and sinks (`load_alert_config`).
        bus: where the watcher's events come from.
        store: the database alerts, deliveries, acknowledgements and silences live in; without
            one, alerts are kept in memory only and other processes cannot ack or silence.
        tmux: the watched server, for the tmux sink and the tmux-disconnected probe.
        sinks: sink objects by name, instead of building them from `config` (library use).
        dashboard_url: linked in notifications (overrides ``defaults.dashboard_url``); ``{id}``
            in it is replaced by the alert's id.
        poll_interval: seconds between reads of acknowledgements and silences from the database.
        drain: seconds `stop()` gives queued notifications before giving them up.
    """

    def __init__(
        self,
        config: AlertConfig,
        bus: Subscribable,
        *,
        store: AuditStore | None = None,
        tmux: TmuxServer | None = None,
        sinks: Mapping[str, Sink] | None = None,
        dashboard_url: str | None = None,
        clock: Callable[[], float] = time.time,
        poll_interval: float = 1.0,
        probe_interval: float = 2.0,
        drain: float = 3.0,
    ) -> None:
        self.config = config
        self._bus = bus
        self._recorder = AlertRecorder(store)
        self._tmux = tmux
        self._clock = clock
        self._poll_interval = poll_interval
        self._probe_interval = probe_interval
        self._dashboard = dashboard_url or config.defaults.dashboard_url
        self._rules = {rule.name: rule for rule in config.rules}
        self._sinks = dict(sinks) if sinks is not None else build_sinks(config, tmux)
        self._dispatcher = Dispatcher(
            self._sinks, record=self._recorder.delivery, clock=clock, drain=drain
        )
        self._evaluators = [_EVALUATORS[rule.kind](rule) for rule in config.rules]
        self._book = AlertBook(config.rules)
        self._subscriptions: list[Subscription] = []
        self._listeners: list[Callable[[Alert], None]] = []
        self._runner = Runner("yesman.alerts")
        self._wake = asyncio.Event()
        self._stopping = False
        self._next_poll = 0.0
        self._passed = asyncio.Event()
        self._poll_failing = False

    # ------------------------------------------------------------------ reading

    @property
    def dashboard_url(self) -> str | None:
        """What notifications link to, ``{id}`` replaced by the alert's id. Settable: a
        dashboard on port 0 knows its address only once it listens."""
        return self._dashboard

    @dashboard_url.setter
    def dashboard_url(self, url: str | None) -> None:
        self._dashboard = url

    def active(self) -> tuple[Alert, ...]:
        """Pending and firing alerts, most severe first, then oldest first."""
        return tuple(
            sorted(self._book.active(), key=lambda a: (-a.severity.rank, a.started, a.rule))
        )

    def recent(self, limit: int = 50) -> tuple[Alert, ...]:
        """Alerts of this watcher that resolved (or stopped), newest first."""
        return self._book.recent()[:limit]

    def silences(self) -> tuple[Silence, ...]:
        return self._book.silences()

    def sink_stats(self) -> tuple[SinkStats, ...]:
        """Per sink: queued, delivered, undelivered, dropped, retries, the last error."""
        return self._dispatcher.stats()

    def add_listener(self, listener: Callable[[Alert], None]) -> Callable[[], None]:
        """Call `listener(alert)` on every change of an alert (pending, firing, repeat,
        resolved, dropped, acknowledged, silenced), on the event loop; returns the remover."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    # ------------------------------------------------------------------ acting

    async def ack(self, ref: int | str, *, by: str | None = None) -> Alert:
        """Acknowledge an active alert (id or fingerprint): its repeat notifications stop."""
        who = by or user()
        alert = self._book.acknowledge(ref, who, self._clock())
        if alert.id is not None:
            await self._recorder.acknowledge(alert.id, who, alert.acknowledged or self._clock())
        self._tell(alert)
        return alert

    async def silence(
        self,
        rule: str,
        duration: float,
        *,
        matchers: Mapping[str, str] | None = None,
        comment: str = "",
        by: str | None = None,
    ) -> Silence:
        """Silence a rule (name or glob) for `duration` seconds, here and in the database."""
        made = await self._recorder.add_silence(
            rule, duration, matchers=matchers, comment=comment, by=by or user(), now=self._clock()
        )
        await self._reload_silences(self._clock())
        self._wake.set()
        return made

    async def unsilence(self, silence_id: int) -> bool:
        """End a silence now; False when there was no such active silence."""
        ended = await self._recorder.end_silence(silence_id)
        await self._reload_silences(self._clock())
        self._wake.set()
        return ended

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait for one full evaluation pass and for every queued notification to be tried
        (for tests and tools that check what was sent)."""
        async with asyncio.timeout(timeout):
            for _ in range(2):  # one pass may already be under way with older events
                passed = self._passed = asyncio.Event()
                self._wake.set()
                if self._runner.running:
                    await passed.wait()
            await self._dispatcher.wait_idle()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner.running:
            return
        self._stopping = False
        self._wake = asyncio.Event()
        await self._runner.start(self._main)

    async def stop(self) -> None:
        self._stopping = True
        await self._runner.stop(self._wake.set, timeout=30.0)

    async def _main(self, ready: asyncio.Event) -> None:
        async with self._dispatcher:
            now = self._clock()
            await self._recorder.start()
            with contextlib.suppress(StoreError):
                await self._reload_silences(now)
            self._next_poll = now + self._poll_interval
            self._subscribe()
            try:
                async with asyncio.TaskGroup() as tg:
                    probe = None
                    if self._tmux is not None and any(
                        isinstance(e, TmuxDisconnected) for e in self._evaluators
                    ):
                        probe = tg.create_task(self._probe_forever(), name="yesman.alerts.probe")
                    ready.set()
                    await self._loop()
                    if probe is not None:
                        probe.cancel()
            finally:
                for subscription in self._subscriptions:
                    subscription.unsubscribe()
                self._subscriptions = []
                await self._stop_alerts()

    def _subscribe(self) -> None:
        kinds: dict[EventType, list[Evaluator]] = {}
        for evaluator in self._evaluators:
            for kind in evaluator.events:
                kinds.setdefault(kind, []).append(evaluator)
        for kind, evaluators in kinds.items():
            self._subscriptions.append(self._bus.subscribe(kind, self._handler(evaluators)))

    def _handler(self, evaluators: list[Evaluator]) -> Callable[[Event], None]:
        def handle(event: Event) -> None:
            changed = False
            for evaluator in evaluators:
                changed |= evaluator.observe(event)
            if changed:
                self._wake.set()

        return handle

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            now = self._clock()
            await self._evaluate(now)
            if now >= self._next_poll:
                await self._poll(now)
                self._next_poll = now + self._poll_interval
            self._passed.set()
            delay = self._delay(self._clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def _delay(self, now: float) -> float:
        due = [now + 1.0, self._book.next_due(), *(e.next_change(now) for e in self._evaluators)]
        due.append(self._next_poll)
        soonest = min(d for d in due if d is not None)
        return min(1.0, max(0.005, soonest - now))

    async def _evaluate(self, now: float) -> None:
        for evaluator in self._evaluators:
            rule = evaluator.rule
            for transition in self._book.evaluate(rule, evaluator.conditions(now), now):
                await self._apply(rule, transition, now)

    async def _apply(self, rule: RuleConfig, transition: Transition, now: float) -> None:
        alert = transition.alert
        change = transition.change
        if change is Change.FIRING and alert.id is None:
            alert = await self._insert(alert)
            _log.warning(
                "alert %s firing: %s%s",
                alert.rule,
                alert.summary,
                " (silenced)" if alert.silenced else "",
                extra={"rule": alert.rule},
            )
        elif change in (Change.REPEAT, Change.RESOLVED, Change.UPDATED, Change.FIRING):
            self._update(alert)
            if change is Change.RESOLVED:
                _log.info("alert %s resolved: %s", alert.rule, alert.summary)
        if transition.notify is not None:
            self._notify(rule, alert, transition.notify, repeat=change is Change.REPEAT, now=now)
        elif change is Change.RESOLVED:
            # Alertmanager keeps what it was sent until told it ended, silenced or not.
            self._notify(
                rule,
                alert,
                NotificationStatus.RESOLVED,
                repeat=False,
                now=now,
                only_alertmanager=True,
            )
        elif change is Change.FIRING and alert.silenced:
            for sink in rule.sinks:
                self._recorder.delivery(
                    DeliveryRecord(
                        notification=Notification(
                            alert=alert, status=NotificationStatus.FIRING, time=now
                        ),
                        sink=sink,
                        outcome="silenced",
                        attempts=0,
                        time=now,
                    )
                )
        self._tell(alert)

    def _notify(
        self,
        rule: RuleConfig,
        alert: Alert,
        status: NotificationStatus,
        *,
        repeat: bool,
        now: float,
        only_alertmanager: bool = False,
    ) -> None:
        link = self._dashboard
        if link and "{id}" in link:
            link = link.replace("{id}", "" if alert.id is None else str(alert.id))
        notification = Notification(
            alert=alert, status=status, time=now, repeat=repeat, dashboard_url=link
        )
        for name in rule.sinks:
            config = self._sinks[name].config
            alertmanager = (
                config.type is SinkType.WEBHOOK and config.format is WebhookFormat.ALERTMANAGER
            )
            if alertmanager and status is NotificationStatus.RESOLVED:
                # Always told of an end (the sink posts it only for alerts it posted firing).
                self._dispatcher.submit(name, notification)
                continue
            if only_alertmanager or alert.severity.rank < config.min_severity.rank:
                continue
            if status is NotificationStatus.RESOLVED and not config.send_resolved:
                continue
            self._dispatcher.submit(name, notification)

    def _tell(self, alert: Alert) -> None:
        for listener in list(self._listeners):
            try:
                listener(alert)
            except Exception:
                _log.exception("an alert listener failed")

    # ------------------------------------------------------------------ the database

    async def _insert(self, alert: Alert) -> Alert:
        alert_id = await self._recorder.insert(alert)
        if alert_id is None:
            return alert
        return self._book.set_id(alert.fingerprint, alert_id) or dataclasses.replace(
            alert, id=alert_id
        )

    def _update(self, alert: Alert) -> None:
        self._recorder.update(alert)

    async def _poll(self, now: float) -> None:
        try:
            await self._reload_silences(now)
            ids = [a.id for a in self._book.active() if a.id is not None and a.acknowledged is None]
            acked = await self._recorder.acknowledged(ids)
        except StoreError as exc:
            if not self._poll_failing:
                _log.warning("alerts: cannot read acknowledgements and silences: %s", exc)
            self._poll_failing = True
            return
        self._poll_failing = False
        for alert_id, at, by in acked:
            with contextlib.suppress(LookupError):  # resolved meanwhile
                self._tell(self._book.acknowledge(alert_id, by, at))

    async def _reload_silences(self, now: float) -> None:
        silences = await self._recorder.silences(now)
        for transition in self._book.set_silences(silences, now):
            self._update(transition.alert)
            self._tell(transition.alert)

    async def _stop_alerts(self) -> None:
        for alert in self._book.stop_all(self._clock()):
            self._update(alert)
            self._tell(alert)
        await self._recorder.flush()

    # ------------------------------------------------------------------ tmux probe

    async def _probe_forever(self) -> None:
        server = self._tmux
        assert server is not None
        watchers = [e for e in self._evaluators if isinstance(e, TmuxDisconnected)]
        while True:
            await asyncio.sleep(self._probe_interval)
            if not any(w.active for w in watchers):
                continue
            try:
                code, _, _ = await server.run("display-message", "-p", "ok", timeout=2.0)
            except TmuxError:
                continue
            if code != 0:
                continue
            ended = [w.mark_connected() for w in watchers]  # every one, no short cut
            if any(ended):
                self._wake.set()
