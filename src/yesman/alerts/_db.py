"""Alerts in the database, for readers and for other processes (the CLI, a read-only dashboard).

    listing = await read_alerts(db)                      # firing, recent, silences
    alert = await ack_alert(db, 12, by="alice")          # or a fingerprint (prefix)
    silence = await add_silence(db, "dialog-held", 3600, by="alice")
    await expire_silence(db, silence.id)

``db`` is a path (None: `yesman.store.default_db_path()`) or an open `AuditStore`. A running
watcher reads acknowledgements and silences back from the database every second or so
(`AlertManager`'s ``poll_interval``), which is how `yesman alerts ack` and `silence`, run in
another process, reach it: the database is already shared by both, and polling two small tables
costs well under a millisecond on the store's thread.
"""

from __future__ import annotations

import getpass
import re
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from yesman.alerts import _rows
from yesman.alerts._errors import AlertNotFoundError
from yesman.alerts._model import Alert, Silence
from yesman.store import AuditStore

__all__ = [
    "AlertDB",
    "AlertListing",
    "ack_alert",
    "add_silence",
    "expire_silence",
    "parse_ref",
    "read_alerts",
    "read_deliveries",
    "user",
]

AlertDB = str | Path | AuditStore | None
"""Where the alerts are: a database path, an open store, or None for the default path."""

_T = TypeVar("_T")
_FINGERPRINT = re.compile(r"[0-9a-f]{4,16}")


@dataclass(frozen=True, slots=True)
class AlertListing:
    """What `yesman alerts` shows: alerts firing now, recent ones that ended, active silences."""

    firing: tuple[Alert, ...]
    recent: tuple[Alert, ...]
    silences: tuple[Silence, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "firing": [a.as_dict() for a in self.firing],
            "recent": [a.as_dict() for a in self.recent],
            "silences": [s.as_dict() for s in self.silences],
        }


def user() -> str:
    """Who is acting, for acknowledgements and silences (the login name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def parse_ref(text: str) -> int | str:
    """An alert reference: its id (``12``) or its fingerprint or a prefix of 4+ hex digits."""
    value = text.strip().lstrip("#")
    if value.isdigit():
        return int(value)
    if _FINGERPRINT.fullmatch(value.lower()):
        return value.lower()
    raise ValueError(
        f"{text!r} is not an alert id (a number, as `yesman alerts` lists) or a fingerprint "
        "(4 to 16 hex digits)"
    )


async def _write(db: AlertDB, fn: Callable[[sqlite3.Connection], _T]) -> _T:
    if isinstance(db, AuditStore):
        return await db.run_write(fn)
    async with AuditStore.open(db, create=False) as store:
        return await store.run_write(fn)


async def _read(db: AlertDB, fn: Callable[[sqlite3.Connection], _T]) -> _T:
    if isinstance(db, AuditStore):
        return await db.run_read(fn)
    async with AuditStore.open(db, read_only=True) as store:
        return await store.run_read(fn)


def _has_alerts(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'"
    ).fetchone()
    return row is not None


async def read_alerts(
    db: AlertDB = None, *, limit: int = 20, since: float | None = None
) -> AlertListing:
    """Firing alerts, the `limit` most recent others (fired at or after `since`), silences.

    A firing row whose watcher no longer runs (on this machine) is listed among the recent
    ones as ``stopped``. A database older than the alerts reads as empty.
    """
    now = time.time()

    def run(conn: sqlite3.Connection) -> AlertListing:
        if not _has_alerts(conn):
            return AlertListing((), (), ())
        firing = _rows.select_alerts(conn, firing=True, limit=0)
        recent = _rows.select_alerts(conn, firing=False, limit=limit, since=since)
        return AlertListing(tuple(firing), tuple(recent), tuple(_rows.active_silences(conn, now)))

    return await _read(db, run)


async def read_deliveries(db: AlertDB, alert_id: int) -> list[dict[str, Any]]:
    """Every notification of one alert, per sink: time, status, outcome, attempts, error."""

    def run(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        return _rows.select_deliveries(conn, alert_id) if _has_alerts(conn) else []

    return await _read(db, run)


async def ack_alert(db: AlertDB, ref: int | str, *, by: str | None = None) -> Alert:
    """Acknowledge a firing alert: no more repeat notifications (its watcher learns it within
    its poll interval). `AlertNotFoundError` when no such alert is firing."""
    who = by or user()
    alert = await _write(db, lambda conn: _rows.acknowledge(conn, ref, who, time.time()))
    if alert is None:
        raise AlertNotFoundError(
            f"no firing alert {ref}; `yesman alerts` lists the firing ones with their ids"
        )
    return alert


async def add_silence(
    db: AlertDB,
    rule: str,
    duration: float,
    *,
    matchers: Mapping[str, str] | None = None,
    comment: str = "",
    by: str | None = None,
) -> Silence:
    """Silence `rule` (a rule name or glob; ``*`` for every rule) for `duration` seconds."""
    if not rule.strip():
        raise ValueError("name the rule to silence (or '*' for every rule)")
    if not duration > 0:
        raise ValueError(f"a silence must last more than zero seconds, got {duration!r}")
    now = time.time()
    silence = Silence(
        id=None,
        rule=rule.strip(),
        until=now + duration,
        created=now,
        matchers=dict(matchers or {}),
        comment=comment,
        created_by=by or user(),
    )
    silence_id = await _write(db, lambda conn: _rows.insert_silence(conn, silence))
    return Silence(
        id=silence_id,
        rule=silence.rule,
        until=silence.until,
        created=silence.created,
        matchers=silence.matchers,
        comment=silence.comment,
        created_by=silence.created_by,
    )


async def expire_silence(db: AlertDB, silence_id: int) -> bool:
    """End a silence now; False when there is no such active silence."""
    return await _write(db, lambda conn: _rows.expire_silence(conn, silence_id, time.time()))
