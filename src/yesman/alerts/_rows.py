"""The alert tables (migration 6 in `yesman.store._schema`): rows in, records out.

Every function takes an open `sqlite3.Connection` and runs on the store's thread as one job
(`AuditStore.run_write` / `run_read` / `submit_nowait`); none begins or commits a transaction.

    alerts               one row per alert that fired: labels and details as JSON objects,
                         state firing / resolved / stopped, notification count, acknowledgement,
                         and the host and pid of the watcher that owns it
    alert_notifications  one row per notification per sink: delivered, undelivered, dropped or
                         silenced, attempts, the last error
    alert_silences       rule (name or glob), label matchers (JSON), until, comment, who; a
                         silence ended early gets ``expired``
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Sequence
from typing import Any

import psutil

from yesman.alerts._model import Alert, AlertState, Severity, Silence

__all__ = [
    "HOST",
    "acknowledge",
    "active_silences",
    "close_abandoned",
    "expire_silence",
    "insert_alert",
    "insert_delivery",
    "insert_silence",
    "select_acknowledged",
    "select_alerts",
    "select_deliveries",
    "update_alert",
]

HOST = socket.gethostname()


def _labels(text: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _alert(row: sqlite3.Row) -> Alert:
    state = AlertState(row["state"])
    if state is AlertState.FIRING and not _owner_alive(row["host"], row["pid"]):
        state = AlertState.STOPPED  # its watcher was killed: nobody will resolve it
    return Alert(
        id=row["id"],
        fingerprint=row["fingerprint"],
        rule=row["rule"],
        kind=row["kind"],
        severity=Severity(row["severity"]),
        state=state,
        summary=row["summary"],
        started=row["started"],
        labels=_labels(row["labels"]),
        details=_labels(row["details"]),
        value=row["value"],
        fired=row["fired"],
        ended=row["ended"],
        last_notified=row["last_notified"],
        notifications=row["notifications"],
        acknowledged=row["acknowledged"],
        acknowledged_by=row["acknowledged_by"],
        silenced=bool(row["silenced"]),
    )


def _owner_alive(host: str, pid: int) -> bool:
    if host != HOST or not pid:
        return True  # another machine's watcher: cannot tell, trust the row
    return pid == os.getpid() or psutil.pid_exists(pid)


def insert_alert(conn: sqlite3.Connection, alert: Alert) -> int:
    cur = conn.execute(
        "INSERT INTO alerts (fingerprint, rule, kind, severity, labels, details, summary, value, "
        "state, started, fired, ended, last_notified, notifications, acknowledged, "
        "acknowledged_by, silenced, host, pid) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            alert.fingerprint,
            alert.rule,
            alert.kind,
            alert.severity.value,
            json.dumps(dict(alert.labels), ensure_ascii=False),
            json.dumps(dict(alert.details), ensure_ascii=False),
            alert.summary,
            alert.value,
            alert.state.value,
            alert.started,
            alert.fired if alert.fired is not None else alert.started,
            alert.ended,
            alert.last_notified,
            alert.notifications,
            alert.acknowledged,
            alert.acknowledged_by,
            int(alert.silenced),
            HOST,
            os.getpid(),
        ),
    )
    return int(cur.lastrowid or 0)


def update_alert(conn: sqlite3.Connection, alert: Alert) -> None:
    """Write the changing columns of a stored alert (state, end, notifications, flags)."""
    conn.execute(
        "UPDATE alerts SET state = ?, summary = ?, details = ?, value = ?, ended = ?, "
        "last_notified = ?, notifications = ?, silenced = ?, "
        "acknowledged = coalesce(acknowledged, ?), "
        "acknowledged_by = CASE WHEN acknowledged IS NULL THEN ? ELSE acknowledged_by END "
        "WHERE id = ?",
        (
            alert.state.value,
            alert.summary,
            json.dumps(dict(alert.details), ensure_ascii=False),
            alert.value,
            alert.ended,
            alert.last_notified,
            alert.notifications,
            int(alert.silenced),
            alert.acknowledged,
            alert.acknowledged_by,
            alert.id,
        ),
    )


def close_abandoned(conn: sqlite3.Connection) -> int:
    """Mark firing rows of this host whose watcher is gone as stopped; how many."""
    rows = conn.execute(
        "SELECT id, pid FROM alerts WHERE state = 'firing' AND host = ?", (HOST,)
    ).fetchall()
    dead = [row["id"] for row in rows if not _owner_alive(HOST, row["pid"])]
    conn.executemany("UPDATE alerts SET state = 'stopped' WHERE id = ?", [(i,) for i in dead])
    return len(dead)


def acknowledge(conn: sqlite3.Connection, ref: int | str, by: str, at: float) -> Alert | None:
    """Acknowledge the firing alert with this id or fingerprint (prefix); None if none."""
    if isinstance(ref, int):
        row = conn.execute(
            "SELECT * FROM alerts WHERE id = ? AND state = 'firing'", (ref,)
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT * FROM alerts WHERE fingerprint LIKE ? AND state = 'firing' "
            "ORDER BY fired DESC LIMIT 1",
            (ref + "%",),  # a hex prefix (checked by `parse_ref`): no LIKE wildcards
        ).fetchone()
    if row is None or _alert(row).state is not AlertState.FIRING:
        return None
    conn.execute(
        "UPDATE alerts SET acknowledged = ?, acknowledged_by = ? "
        "WHERE id = ? AND acknowledged IS NULL",
        (at, by, row["id"]),
    )
    fresh = conn.execute("SELECT * FROM alerts WHERE id = ?", (row["id"],)).fetchone()
    return _alert(fresh)


def select_acknowledged(
    conn: sqlite3.Connection, ids: Sequence[int]
) -> list[tuple[int, float, str]]:
    """(id, when, by) of the alerts among `ids` that are acknowledged."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, acknowledged, acknowledged_by FROM alerts "
        f"WHERE id IN ({marks}) AND acknowledged IS NOT NULL",
        tuple(ids),
    ).fetchall()
    return [(row["id"], row["acknowledged"], row["acknowledged_by"]) for row in rows]


def select_alerts(
    conn: sqlite3.Connection, *, firing: bool, limit: int, since: float | None = None
) -> list[Alert]:
    """Firing alerts (oldest first), or the others (newest first, at most `limit`)."""
    if firing:
        rows = conn.execute("SELECT * FROM alerts WHERE state = 'firing' ORDER BY fired").fetchall()
        return [a for a in map(_alert, rows) if a.state is AlertState.FIRING]
    rows = conn.execute(
        "SELECT * FROM alerts WHERE (state != 'firing' OR host = ?) AND fired >= ? "
        "ORDER BY fired DESC, id DESC LIMIT ?",
        (HOST, since if since is not None else 0.0, limit + 100),
    ).fetchall()
    return [a for a in map(_alert, rows) if a.state is not AlertState.FIRING][:limit]


def insert_silence(conn: sqlite3.Connection, silence: Silence) -> int:
    cur = conn.execute(
        "INSERT INTO alert_silences (created, rule, matchers, until, comment, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            silence.created,
            silence.rule,
            json.dumps(dict(silence.matchers), ensure_ascii=False),
            silence.until,
            silence.comment,
            silence.created_by,
        ),
    )
    return int(cur.lastrowid or 0)


def active_silences(conn: sqlite3.Connection, now: float) -> list[Silence]:
    rows = conn.execute(
        "SELECT * FROM alert_silences WHERE until > ? AND expired IS NULL ORDER BY until",
        (now,),
    ).fetchall()
    return [
        Silence(
            id=row["id"],
            rule=row["rule"],
            until=row["until"],
            created=row["created"],
            matchers=_labels(row["matchers"]),
            comment=row["comment"],
            created_by=row["created_by"],
        )
        for row in rows
    ]


def expire_silence(conn: sqlite3.Connection, silence_id: int, now: float) -> bool:
    cur = conn.execute(
        "UPDATE alert_silences SET expired = ? WHERE id = ? AND expired IS NULL AND until > ?",
        (now, silence_id, now),
    )
    return cur.rowcount == 1


def insert_delivery(
    conn: sqlite3.Connection,
    *,
    alert_id: int | None,
    at: float,
    sink: str,
    status: str,
    outcome: str,
    attempts: int,
    error: str,
) -> None:
    conn.execute(
        "INSERT INTO alert_notifications (alert_id, time, sink, status, outcome, attempts, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (alert_id, at, sink, status, outcome, attempts, error),
    )


def select_deliveries(conn: sqlite3.Connection, alert_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT time, sink, status, outcome, attempts, error FROM alert_notifications "
        "WHERE alert_id = ? ORDER BY time, id",
        (alert_id,),
    ).fetchall()
    return [dict(row) for row in rows]
