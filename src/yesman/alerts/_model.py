"""The values of alerting: `Alert`, `Notification`, `Silence`, and the enums they use.

Every value here is a frozen record: the manager hands out snapshots, never its live state, so
a dashboard or exporter can keep and compare them freely.

Timestamps are wall-clock epoch seconds (``time.time()``), like the bus's events, so they can
be stored and compared across processes; JSON shows them as RFC 3339 strings in UTC.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Alert",
    "AlertState",
    "Notification",
    "NotificationStatus",
    "Severity",
    "Silence",
    "fingerprint",
    "rfc3339",
]


class Severity(StrEnum):
    """How urgent an alert is; sinks may take only some (``min_severity``)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class AlertState(StrEnum):
    """Where an alert is in its life: pending -> firing -> resolved (as Alertmanager's).

    ``stopped``: the watcher stopped (or died) while the alert was firing, so its end is unknown.
    """

    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"
    STOPPED = "stopped"


class NotificationStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


def fingerprint(rule: str, labels: Mapping[str, str]) -> str:
    """16 hex digits identifying an alert: its rule and its labels (order does not matter)."""
    digest = hashlib.sha256(rule.encode())
    for key in sorted(labels):
        digest.update(b"\0" + key.encode() + b"\0" + labels[key].encode())
    return digest.hexdigest()[:16]


def rfc3339(epoch: float | None) -> str | None:
    """``2026-05-01T12:00:03.250Z`` for an epoch time (None stays None)."""
    if epoch is None:
        return None
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _no_labels() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """One alert: a rule's condition for one set of labels, from the moment it became true.

    ``id`` is its row in the database (None while pending: only alerts that fire are stored).
    ``started``: when the condition became true; ``fired``: when it had held for the rule's
    ``for``; ``ended``: when it cleared. ``labels`` identify it (with the rule, they make the
    ``fingerprint``); ``details`` say more and may change while it fires. ``value`` is the
    figure that crossed the threshold (seconds held, p95 ms ...), when there is one.
    """

    id: int | None
    fingerprint: str
    rule: str
    kind: str
    severity: Severity
    state: AlertState
    summary: str
    started: float
    labels: Mapping[str, str] = field(default_factory=_no_labels)
    details: Mapping[str, str] = field(default_factory=_no_labels)
    value: float | None = None
    fired: float | None = None
    ended: float | None = None
    last_notified: float | None = None
    notifications: int = 0
    acknowledged: float | None = None
    acknowledged_by: str = ""
    silenced: bool = False

    @property
    def active(self) -> bool:
        return self.state in (AlertState.PENDING, AlertState.FIRING)

    @property
    def session(self) -> str | None:
        return self.labels.get("session")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `yesman alerts --json` (times as RFC 3339, UTC)."""
        return {
            "id": self.id,
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity.value,
            "state": self.state.value,
            "summary": self.summary,
            "labels": dict(self.labels),
            "details": dict(self.details),
            "value": self.value,
            "started": rfc3339(self.started),
            "fired": rfc3339(self.fired),
            "ended": rfc3339(self.ended),
            "last_notified": rfc3339(self.last_notified),
            "notifications": self.notifications,
            "acknowledged": rfc3339(self.acknowledged),
            "acknowledged_by": self.acknowledged_by,
            "silenced": self.silenced,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    """What a sink is asked to deliver: an alert that fired (again) or resolved."""

    alert: Alert
    status: NotificationStatus
    time: float
    repeat: bool = False
    dashboard_url: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The default webhook body (schema version 1; documented in the README)."""
        alert = self.alert
        return {
            "version": "1",
            "source": "yesman",
            "status": self.status.value,
            "repeat": self.repeat,
            "id": alert.id,
            "fingerprint": alert.fingerprint,
            "rule": alert.rule,
            "kind": alert.kind,
            "severity": alert.severity.value,
            "summary": alert.summary,
            "labels": dict(alert.labels),
            "details": dict(alert.details),
            "value": alert.value,
            "started": rfc3339(alert.started),
            "fired": rfc3339(alert.fired),
            "ended": rfc3339(alert.ended) if self.status is NotificationStatus.RESOLVED else None,
            "acknowledged": alert.acknowledged is not None,
            "dashboard": self.dashboard_url,
            "sent": rfc3339(self.time),
        }

    def title(self) -> str:
        """One line for a desktop or tmux message: ``[FIRING] dialog-held: ...``."""
        tag = "RESOLVED" if self.status is NotificationStatus.RESOLVED else "FIRING"
        return f"[{tag}] {self.alert.rule}: {self.alert.summary}"


def _no_matchers() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Silence:
    """No notifications for alerts of ``rule`` (a name or glob, ``*`` for all) whose labels
    match every one of ``matchers`` (exact values or globs), until ``until``."""

    id: int | None
    rule: str
    until: float
    created: float
    matchers: Mapping[str, str] = field(default_factory=_no_matchers)
    comment: str = ""
    created_by: str = ""

    def active(self, now: float) -> bool:
        return now < self.until

    def matches(self, rule: str, labels: Mapping[str, str]) -> bool:
        if not fnmatch.fnmatchcase(rule, self.rule):
            return False
        return all(
            fnmatch.fnmatchcase(labels.get(key, ""), pattern)
            for key, pattern in self.matchers.items()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "matchers": dict(self.matchers),
            "created": rfc3339(self.created),
            "until": rfc3339(self.until),
            "comment": self.comment,
            "created_by": self.created_by,
        }
