"""`AlertRecorder`: the alert manager's side of the database, or memory when it has none.

Writes that must finish before the manager goes on (the insert of an alert that fires, whose
row id becomes the alert's id) are awaited; the others (state changes, delivery records) are
queued on the store's thread without waiting, and a failure is logged, never raised: alerting
is best effort and must not take the watcher down with a full disk.

Without a store, ids are counted in memory and silences live in memory, so a library user can
run alerts with no database (other processes then cannot ack or silence).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from yesman.alerts import _rows
from yesman.alerts._db import add_silence, expire_silence
from yesman.alerts._dispatch import DeliveryRecord
from yesman.alerts._model import Alert, Silence
from yesman.store import AuditStore, StoreError

__all__ = ["AlertRecorder"]

_log = logging.getLogger("yesman.alerts")


class AlertRecorder:
    """See the module docstring."""

    def __init__(self, store: AuditStore | None) -> None:
        self.store = store
        self._ids = 0
        self._silences: list[Silence] = []

    async def start(self) -> None:
        """Mark alerts left firing by watchers that died (on this machine) as stopped."""
        if self.store is None:
            return
        try:
            stale = await self.store.run_write(_rows.close_abandoned)
        except StoreError as exc:
            _log.warning("alerts: cannot read the database: %s", exc)
            return
        if stale:
            _log.info("%d alert(s) of a watcher that died marked stopped", stale)

    async def insert(self, alert: Alert) -> int | None:
        """Store an alert that fired; its id (None when the database refused it)."""
        if self.store is None:
            self._ids += 1
            return self._ids
        try:
            return await self.store.run_write(lambda conn: _rows.insert_alert(conn, alert))
        except StoreError as exc:
            _log.warning("alert %s not stored: %s", alert.rule, exc)
            return None

    def update(self, alert: Alert) -> None:
        if alert.id is not None:
            self._submit(lambda conn: _rows.update_alert(conn, alert))

    def delivery(self, record: DeliveryRecord) -> None:
        alert = record.notification.alert
        status = record.notification.status.value
        self._submit(
            lambda conn: _rows.insert_delivery(
                conn,
                alert_id=alert.id,
                at=record.time,
                sink=record.sink,
                status=status,
                outcome=record.outcome,
                attempts=record.attempts,
                error=record.error,
            )
        )

    async def acknowledge(self, alert_id: int, by: str, at: float) -> None:
        if self.store is not None:
            await self.store.run_write(lambda conn: _rows.acknowledge(conn, alert_id, by, at))

    async def acknowledged(self, ids: Sequence[int]) -> list[tuple[int, float, str]]:
        """(id, when, by) of the alerts among `ids` acknowledged in the database."""
        if self.store is None or not ids:
            return []
        return await self.store.run_read(lambda conn: _rows.select_acknowledged(conn, ids))

    async def silences(self, now: float) -> list[Silence]:
        if self.store is None:
            return [s for s in self._silences if s.active(now)]
        return await self.store.run_read(lambda conn: _rows.active_silences(conn, now))

    async def add_silence(
        self,
        rule: str,
        duration: float,
        *,
        matchers: Mapping[str, str] | None,
        comment: str,
        by: str,
        now: float,
    ) -> Silence:
        if self.store is not None:
            return await add_silence(
                self.store, rule, duration, matchers=matchers, comment=comment, by=by
            )
        self._ids += 1
        made = Silence(
            id=self._ids,
            rule=rule,
            until=now + duration,
            created=now,
            matchers=dict(matchers or {}),
            comment=comment,
            created_by=by,
        )
        self._silences.append(made)
        return made

    async def end_silence(self, silence_id: int) -> bool:
        if self.store is not None:
            return await expire_silence(self.store, silence_id)
        before = len(self._silences)
        self._silences = [s for s in self._silences if s.id != silence_id]
        return len(self._silences) < before

    async def flush(self) -> None:
        if self.store is not None and self.store.is_open:
            with contextlib.suppress(StoreError):
                await self.store.flush()

    def _submit(self, job: Callable[[Any], object]) -> None:
        store = self.store
        if store is None or not store.is_open:
            return
        try:
            store.submit_nowait(job).add_done_callback(_log_failure)
        except StoreError as exc:
            _log.warning("alert row not written: %s", exc)


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        _log.warning("alert row not written: %s", future.exception())
