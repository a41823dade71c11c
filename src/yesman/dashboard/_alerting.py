"""The alerts the dashboard shows and acts on: the watcher's `AlertManager`, or the database.

`Alerting` is the seam to a running alert manager (`yesman.alerts.AlertManager` is one): what
is pending and firing, what resolved, the silences, the sinks' counters, and the three actions.

`AlertDesk` is what the handlers use, with two implementations:

* `ManagerDesk` (``yesman watch --http --alerts FILE``): the manager's own state, so pending
  alerts and sink counters are shown and an acknowledgement or silence takes effect at once. The
  recent list adds the database's older alerts (earlier runs) to the manager's own.
* `DatabaseDesk` (``yesman dashboard``, or a watcher without rules): `yesman.alerts.read_alerts`
  on the dashboard's read-only connection; acknowledgements and silences are written with
  `ack_alert` / `add_silence` / `expire_silence` on a connection of their own, and a watcher
  running on that database reads them back within its poll interval (about a second). Only
  alerts that fired are stored, so pending ones are not shown; sink counters live in the
  watcher's memory and are not shown either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from yesman.alerts import (
    Alert,
    AlertListing,
    AlertState,
    Silence,
    SinkStats,
    ack_alert,
    add_silence,
    expire_silence,
    read_alerts,
    read_deliveries,
)
from yesman.store import AuditStore

__all__ = [
    "FIND_SCAN",
    "AlertDesk",
    "AlertSnapshot",
    "Alerting",
    "DatabaseDesk",
    "ManagerDesk",
]

FIND_SCAN: Final = 500
"""An alert page for an id looks among this many stored alerts that ended."""


class Alerting(Protocol):
    """A running alert manager, as the dashboard uses it (`yesman.alerts.AlertManager`)."""

    def active(self) -> tuple[Alert, ...]: ...

    def recent(self, limit: int = ...) -> tuple[Alert, ...]: ...

    def silences(self) -> tuple[Silence, ...]: ...

    def sink_stats(self) -> tuple[SinkStats, ...]: ...

    def add_listener(self, listener: Callable[[Alert], None]) -> Callable[[], None]: ...

    async def ack(self, ref: int | str, *, by: str | None = ...) -> Alert: ...

    async def silence(
        self,
        rule: str,
        duration: float,
        *,
        matchers: Mapping[str, str] | None = ...,
        comment: str = ...,
        by: str | None = ...,
    ) -> Silence: ...

    async def unsilence(self, silence_id: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class AlertSnapshot:
    """What the Alerts page shows. ``live``: from a running manager (pending alerts and sink
    counters included), not from the database alone."""

    live: bool
    active: tuple[Alert, ...]
    recent: tuple[Alert, ...]
    silences: tuple[Silence, ...]
    sinks: tuple[SinkStats, ...]


class AlertDesk(Protocol):
    """Where the handlers read and change alerts (the module docstring says which is which)."""

    @property
    def live(self) -> bool: ...

    def firing_here(self) -> tuple[Alert, ...]:
        """Firing alerts of the watcher serving this dashboard (none without a manager)."""
        ...

    async def snapshot(self, *, recent: int) -> AlertSnapshot: ...

    async def find(self, ref: int | str) -> Alert | None: ...

    async def deliveries(self, alert_id: int) -> list[dict[str, Any]]: ...

    async def ack(self, ref: int | str, *, by: str) -> Alert: ...

    async def silence(
        self, rule: str, seconds: float, *, matchers: Mapping[str, str], comment: str, by: str
    ) -> Silence: ...

    async def expire(self, silence_id: int) -> bool: ...


def _matches(alert: Alert, ref: int | str) -> bool:
    if isinstance(ref, int):
        return alert.id == ref
    return alert.fingerprint.startswith(ref)


def _newest_first(alert: Alert) -> float:
    return alert.ended or alert.fired or alert.started


class DatabaseDesk:
    """Alerts from the database: reads on the dashboard's read-only `store`, writes through a
    connection of their own to `path` (the module docstring)."""

    live = False

    def __init__(self, store: AuditStore, path: Path) -> None:
        self._store = store
        self._path = path

    def firing_here(self) -> tuple[Alert, ...]:
        return ()

    async def listing(self, recent: int) -> AlertListing:
        return await read_alerts(self._store, limit=recent)

    async def snapshot(self, *, recent: int) -> AlertSnapshot:
        listing = await self.listing(recent)
        return AlertSnapshot(False, listing.firing, listing.recent, listing.silences, ())

    async def find(self, ref: int | str) -> Alert | None:
        listing = await self.listing(FIND_SCAN)
        return next((a for a in (*listing.firing, *listing.recent) if _matches(a, ref)), None)

    async def deliveries(self, alert_id: int) -> list[dict[str, Any]]:
        return await read_deliveries(self._store, alert_id)

    async def ack(self, ref: int | str, *, by: str) -> Alert:
        return await ack_alert(self._path, ref, by=by)

    async def silence(
        self, rule: str, seconds: float, *, matchers: Mapping[str, str], comment: str, by: str
    ) -> Silence:
        return await add_silence(
            self._path, rule, seconds, matchers=matchers, comment=comment, by=by
        )

    async def expire(self, silence_id: int) -> bool:
        return await expire_silence(self._path, silence_id)


class ManagerDesk:
    """Alerts from the running `manager`; older ones from the database (`DatabaseDesk`)."""

    live = True

    def __init__(self, manager: Alerting, database: DatabaseDesk) -> None:
        self._manager = manager
        self._database = database

    def firing_here(self) -> tuple[Alert, ...]:
        return tuple(a for a in self._manager.active() if a.state is AlertState.FIRING)

    async def snapshot(self, *, recent: int) -> AlertSnapshot:
        stored = await self._database.listing(recent)
        mine = self._manager.recent(recent)
        # The manager's own records are the freshest (its database writes trail a little).
        known = {a.id for a in mine if a.id is not None}
        merged = [*mine, *(a for a in stored.recent if a.id not in known)]
        merged.sort(key=_newest_first, reverse=True)
        return AlertSnapshot(
            True,
            self._manager.active(),
            tuple(merged[:recent]),
            self._manager.silences(),
            self._manager.sink_stats(),
        )

    async def find(self, ref: int | str) -> Alert | None:
        mine = (*self._manager.active(), *self._manager.recent(FIND_SCAN))
        found = next((a for a in mine if _matches(a, ref)), None)
        return found if found is not None else await self._database.find(ref)

    async def deliveries(self, alert_id: int) -> list[dict[str, Any]]:
        return await self._database.deliveries(alert_id)

    async def ack(self, ref: int | str, *, by: str) -> Alert:
        return await self._manager.ack(ref, by=by)

    async def silence(
        self, rule: str, seconds: float, *, matchers: Mapping[str, str], comment: str, by: str
    ) -> Silence:
        return await self._manager.silence(rule, seconds, matchers=matchers, comment=comment, by=by)

    async def expire(self, silence_id: int) -> bool:
        return await self._manager.unsilence(silence_id)
