"""`HistoryWriter`: persists performance reports and dialog outcomes from the bus.

    async with AuditStore.open(db) as store, AsyncEventBus() as bus:
        async with HistoryWriter(store, bus):
            ...   # every PERFORMANCE_METRICS report and dialog outcome lands in `db`

What it stores (schema: migrations 2 and 4 in `yesman.store._schema`):

* each ``PERFORMANCE_METRICS`` event: a tracker's `PerformanceReport` becomes one process row
  (CPU, memory, loop health, host network) and one row per component (the interval's mergeable
  latency sketch, a raw sample of at most 200 latencies, counts, errors, CPU, memory, I/O); the
  bus's `BusReport` becomes one bus row (per-interval deltas of its counters, queue figures);
* each ``RESPONSE_SENT`` (outcome ``answered`` or ``denied``, with the answer latency) and each
  ``PROMPT_HELD`` (outcome ``held``), with the pane's agent and its version (migration 8). A
  held dialog ends when its pane shows something else: the next ``CLAUDE_STATUS_CHANGED`` to a
  state other than waiting, dialog outcome or ``SESSION_STOPPED`` of that pane; the row then
  gets ``ended`` and ``wait_ms`` (how long it waited for a human, from the hold's event time:
  for a hook, its request). A hold still open when the writer stops keeps ``ended`` NULL.
* the number of panes watched when each report was made (from ``SESSION_CREATED`` and
  ``SESSION_STOPPED``), and each ``AUTOMATION_CONTEXT`` about a pane's agent that the per-pane
  ranking counts: restarts, exits, API errors, usage limits, failing tests and builds.

Cost on the event loop: the handlers only queue a job holding the immutable payload (one
``SimpleQueue.put`` and a small closure); conversion, serialisation and the INSERTs run on the
store's thread inside its batched transactions. ``benchmarks/history.py`` measures it.

Maintenance (hourly roll-ups and pruning, `yesman.history._maintain`) runs at start and then every
`HistorySettings.maintenance_interval` seconds: roll-ups are computed in a worker thread on a
read-only connection, then written (with the pruning DELETEs) as one short job of the store.

Lifecycle (`yesman._lifecycle`): ``start()`` subscribes and starts maintenance, ``stop()``
unsubscribes, stops maintenance and waits until every queued row is committed; idempotent and
restartable; ``async with``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from yesman._lifecycle import Runner
from yesman.agents import ScreenState
from yesman.bus import (
    AutomationObserved,
    BusReport,
    Event,
    EventHandler,
    EventType,
    PaneEvent,
    PromptHeld,
    ResponseSent,
    SessionStopped,
    StatusChanged,
    Subscription,
)
from yesman.history._maintain import MaintenanceResult, Rollups, apply, compute_rollups
from yesman.history._rows import (
    PANE_EVENT_KINDS,
    Deltas,
    DialogOutcome,
    DialogRow,
    end_hold,
    insert_bus,
    insert_dialog,
    insert_pane_event,
    insert_report,
)
from yesman.history._settings import HistorySettings
from yesman.metrics import PerformanceReport
from yesman.store import AuditStore, StoreError

__all__ = ["HistoryWriter", "Subscribable"]

_log = logging.getLogger(__name__)


class Subscribable(Protocol):
    """What the writer needs of a bus (`yesman.bus.AsyncEventBus` is one)."""

    def subscribe(self, event_type: EventType | str, handler: EventHandler) -> Subscription: ...


_HOLD_ENDERS = (
    EventType.CLAUDE_STATUS_CHANGED,
    EventType.SESSION_STOPPED,
)


class HistoryWriter:
    """Subscribes to a bus and writes the history into `store` (see the module docstring)."""

    def __init__(
        self,
        store: AuditStore,
        bus: Subscribable,
        settings: HistorySettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings if settings is not None else HistorySettings()
        self._clock = clock
        self._deltas = Deltas()  # touched on the store's thread only
        self._subscriptions: list[Subscription] = []
        # Open holds per pane: where the store's thread puts the row id of their row.
        self._holds: dict[str, _HoldRow] = {}
        # Panes being watched now, from SESSION_CREATED/STOPPED: each report row records how
        # many, so the history can relate a component's latency to the number of panes.
        self._panes: set[str] = set()
        self._runner = Runner("yesman-history-maintenance")
        self._wake = asyncio.Event()
        self.rows_queued = 0
        self.write_errors = 0
        self._failing = False
        self.last_maintenance: MaintenanceResult | None = None

    @property
    def running(self) -> bool:
        return bool(self._subscriptions)

    async def start(self) -> None:
        if self._subscriptions:
            return
        subscribe = self.bus.subscribe
        self._subscriptions = [
            subscribe(EventType.PERFORMANCE_METRICS, self._on_metrics),
            subscribe(EventType.RESPONSE_SENT, self._on_response),
            subscribe(EventType.PROMPT_HELD, self._on_held),
            *(subscribe(kind, self._on_pane_change) for kind in _HOLD_ENDERS),
            subscribe(EventType.SESSION_CREATED, self._on_pane_watched),
            subscribe(EventType.AUTOMATION_CONTEXT, self._on_automation),
        ]
        self._wake = asyncio.Event()
        await self._runner.start(self._maintain_forever)

    async def stop(self) -> None:
        """Unsubscribe, stop maintenance, and wait until every queued row is committed."""
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            subscription.unsubscribe()
        await self._runner.stop(self._wake.set, timeout=10.0)
        self._holds.clear()
        self._panes.clear()
        if self.store.is_open:
            try:
                await self.store.flush()
            except StoreError as exc:
                # The history is best effort: a lost row was already logged; never fail a stop.
                _log.warning("history rows may be missing from %s: %s", self.store.path, exc)

    aclose = stop

    async def __aenter__(self) -> HistoryWriter:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def maintain_now(self) -> MaintenanceResult:
        """Roll up complete hours and prune expired rows now; returns what was done.

        The roll-ups are computed on a separate read-only connection in a worker thread; only
        writing them and the DELETEs run on the store's thread, so audit writes wait milliseconds
        at most. The roll-up rows are idempotent (INSERT OR REPLACE of whole hours), so a row that
        arrives between the two steps is counted at the next pass.
        """
        now = self._clock()
        settings = self.settings
        path = self.store.path
        rollups = await asyncio.to_thread(_compute_rollups, path, now, settings)
        result = await self.store.run_write(lambda conn: apply(conn, rollups, now, settings))
        self.last_maintenance = result
        return result

    async def _maintain_forever(self, started: asyncio.Event) -> None:
        started.set()
        while True:
            try:
                await self.maintain_now()
            except Exception:
                # The next pass tries again; rows are still written meanwhile.
                _log.exception("history maintenance of %s failed", self.store.path)
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.maintenance_interval)
            except TimeoutError:
                continue
            return

    # -- handlers (on the event loop: queue a job, nothing more)

    def _submit(self, job: Callable[[Any], Any]) -> Future[Any] | None:
        try:
            future: Future[Any] = self.store.submit_nowait(job)
        except Exception as exc:  # the store closed under us: say so once per row
            self.write_errors += 1
            _log.warning("history row not written: %s", exc)
            return None
        self.rows_queued += 1
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        # On the store's thread: only counts and logs, once per run of failures.
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            self._failing = False
            return
        self.write_errors += 1
        _log.log(
            logging.DEBUG if self._failing else logging.WARNING,
            "history row not written: %s",
            error,
        )
        self._failing = True

    def _on_metrics(self, event: Event) -> None:
        payload = event.payload
        at = event.timestamp
        deltas = self._deltas
        if isinstance(payload, PerformanceReport):
            panes = len(self._panes)
            self._submit(lambda conn: insert_report(conn, at, payload, deltas, panes))
        elif isinstance(payload, BusReport):
            self._submit(lambda conn: insert_bus(conn, at, payload, deltas))

    def _end_hold(self, pane_id: str, at: float) -> None:
        held = self._holds.pop(pane_id, None)
        if held is not None:
            self._submit(lambda conn: held.end(conn, at))

    def _on_automation(self, event: Event) -> None:
        payload = event.payload
        if isinstance(payload, AutomationObserved) and payload.context in PANE_EVENT_KINDS:
            at = event.timestamp
            where = (payload.session, payload.pane_id, payload.agent)
            kind, summary = payload.context, payload.summary
            self._submit(lambda conn: insert_pane_event(conn, at, where, kind, summary))

    def _on_pane_watched(self, event: Event) -> None:
        payload = event.payload
        if isinstance(payload, PaneEvent):
            self._panes.add(payload.pane_id)

    def _on_pane_change(self, event: Event) -> None:
        payload = event.payload
        if not isinstance(payload, PaneEvent):
            return
        if isinstance(payload, SessionStopped):
            self._panes.discard(payload.pane_id)
        if isinstance(payload, StatusChanged) and not self._ends_hold(payload):
            return
        if self._holds:
            self._end_hold(payload.pane_id, event.timestamp)

    def _ends_hold(self, change: StatusChanged) -> bool:
        """Does this status change end the pane's open hold? A hook holds a dialog before the
        agent has drawn it (its wait counts from the request), so its hold ends only when the
        pane leaves the waiting state; the dialog coming up never ends a hold."""
        if change.new == ScreenState.WAITING:
            return False
        held = self._holds.get(change.pane_id)
        return held is None or held.channel != "hook" or change.old == ScreenState.WAITING

    def _on_response(self, event: Event) -> None:
        payload = event.payload
        if not isinstance(payload, ResponseSent):
            return
        self._end_hold(payload.pane_id, event.timestamp)
        outcome = DialogOutcome.DENIED if payload.action == "deny" else DialogOutcome.ANSWERED
        row = _dialog_row(
            event, payload, outcome, rule=payload.rule, reason="", latency_ms=payload.latency_ms
        )
        self._submit(lambda conn: insert_dialog(conn, row))

    def _on_held(self, event: Event) -> None:
        payload = event.payload
        if not isinstance(payload, PromptHeld):
            return
        self._end_hold(payload.pane_id, event.timestamp)
        row = _dialog_row(
            event,
            payload,
            DialogOutcome.HELD,
            rule=payload.rule,
            reason=payload.reason,
            latency_ms=None,
        )
        hold = _HoldRow(payload.channel)
        if self._submit(lambda conn: hold.insert(conn, row)) is not None:
            self._holds[payload.pane_id] = hold


def _compute_rollups(path: Path, now: float, settings: HistorySettings) -> Rollups:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        conn.row_factory = sqlite3.Row
        return compute_rollups(conn, now, settings)
    finally:
        conn.close()


class _HoldRow:
    """The row of an open hold. Both methods run on the store's thread, in job order; a job's
    future resolves only after its batch commits, so the id is passed here, not by the future."""

    __slots__ = ("channel", "row_id")

    def __init__(self, channel: str = "screen") -> None:
        self.row_id: int | None = None
        self.channel = channel

    def insert(self, conn: sqlite3.Connection, row: DialogRow) -> int:
        self.row_id = insert_dialog(conn, row)
        return self.row_id

    def end(self, conn: sqlite3.Connection, at: float) -> None:
        if self.row_id is not None:  # None: the insert failed, and was logged
            end_hold(conn, self.row_id, at)


def _dialog_row(
    event: Event,
    payload: ResponseSent | PromptHeld,
    outcome: DialogOutcome,
    *,
    rule: str,
    reason: str,
    latency_ms: float | None,
) -> DialogRow:
    prompt = payload.prompt
    return DialogRow(
        time=event.timestamp,
        session=payload.session,
        pane=payload.pane_id,
        outcome=outcome,
        prompt_kind=prompt.kind,
        tool=prompt.tool or "",
        target=prompt.target or "",
        fingerprint=prompt.fingerprint,
        rule=rule,
        reason=reason,
        latency_ms=latency_ms,
        correlation_id=event.correlation_id,
        agent=payload.agent,
        agent_version=payload.agent_version,
    )
