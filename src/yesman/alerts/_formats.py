"""Webhook bodies: yesman's JSON, and the shapes Slack, ntfy and Alertmanager accept.

``json``          `Notification.as_json()` (schema version 1, in the README), POSTed as is.
``slack``         a Slack incoming-webhook message: ``text`` plus one attachment coloured by
                  severity, the labels as fields and the dashboard as the title link (Mattermost
                  and Rocket.Chat accept the same).
``ntfy``          ntfy's JSON publishing: POSTed to the server's root with the topic in the body,
                  so the URL is the topic's URL (``https://ntfy.sh/mytopic``) as for ntfy itself;
                  priority 5/4/3 for critical/warning/info, 2 once resolved.
``alertmanager``  Alertmanager's API v2 (``POST /api/v2/alerts``, a list of alerts): labels
                  ``alertname`` (the rule), ``severity`` and the alert's labels; annotations
                  ``summary`` and the details; ``endsAt`` in `ALERTMANAGER_HOLD` seconds while it
                  fires (refreshed every minute, as Alertmanager expects clients to re-send) and the
                  end time once resolved, so a watcher that dies lets its alerts expire.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from yesman.alerts._config import WebhookFormat
from yesman.alerts._model import Notification, NotificationStatus, Severity, rfc3339

__all__ = ["ALERTMANAGER_HOLD", "alertmanager_url", "body", "ntfy_target"]

ALERTMANAGER_HOLD: Final = 300.0
_COLOURS: Final = {
    Severity.INFO: "#439fe0",
    Severity.WARNING: "warning",
    Severity.CRITICAL: "danger",
}
_NTFY_PRIORITY: Final = {Severity.INFO: 3, Severity.WARNING: 4, Severity.CRITICAL: 5}
_NTFY_TAG: Final = {
    Severity.INFO: "information_source",
    Severity.WARNING: "warning",
    Severity.CRITICAL: "rotating_light",
}
_BAD_NAME: Final = re.compile(r"[^A-Za-z0-9_]")


def body(fmt: WebhookFormat, notification: Notification, *, url: str, now: float) -> Any:
    """The JSON body to POST for `notification` in format `fmt`."""
    if fmt is WebhookFormat.SLACK:
        return _slack(notification)
    if fmt is WebhookFormat.NTFY:
        return _ntfy(notification, ntfy_target(url)[1])
    if fmt is WebhookFormat.ALERTMANAGER:
        return [alertmanager_alert(notification, now)]
    return notification.as_json()


def _resolved(notification: Notification) -> bool:
    return notification.status is NotificationStatus.RESOLVED


def _slack(n: Notification) -> dict[str, Any]:
    alert = n.alert
    emoji = ":white_check_mark:" if _resolved(n) else ":rotating_light:"
    attachment: dict[str, Any] = {
        "color": "good" if _resolved(n) else _COLOURS[alert.severity],
        "title": f"{alert.rule} ({alert.severity.value})",
        "text": alert.summary,
        "fields": [{"title": k, "value": v, "short": True} for k, v in alert.labels.items()],
        "footer": f"yesman alert {alert.id if alert.id is not None else alert.fingerprint}",
        "ts": round(n.time),
    }
    if n.dashboard_url:
        attachment["title_link"] = n.dashboard_url
    return {"text": f"{emoji} {n.title()}", "attachments": [attachment]}


def ntfy_target(url: str) -> tuple[str, str]:
    """(the server's root URL, the topic) of an ntfy topic URL."""
    parts = urlsplit(url)
    path, _, topic = parts.path.rstrip("/").rpartition("/")
    return urlunsplit((parts.scheme, parts.netloc, path or "/", "", "")), topic


def _ntfy(n: Notification, topic: str) -> dict[str, Any]:
    alert = n.alert
    message = alert.summary
    if alert.labels:
        message += "\n" + ", ".join(f"{k}={v}" for k, v in alert.labels.items())
    data: dict[str, Any] = {
        "topic": topic,
        "title": f"{'Resolved' if _resolved(n) else 'Firing'}: {alert.rule}",
        "message": message,
        "priority": 2 if _resolved(n) else _NTFY_PRIORITY[alert.severity],
        "tags": ["white_check_mark" if _resolved(n) else _NTFY_TAG[alert.severity], alert.rule],
    }
    if n.dashboard_url:
        data["click"] = n.dashboard_url
    return data


def alertmanager_url(url: str) -> str:
    """The API v2 alerts endpoint of an Alertmanager given by its base URL (or the endpoint)."""
    trimmed = url.rstrip("/")
    if trimmed.endswith("/api/v2/alerts"):
        return trimmed
    return trimmed + "/api/v2/alerts"


def _name(key: str) -> str:
    """A valid Alertmanager label or annotation name (letters, digits, _; no leading digit)."""
    name = _BAD_NAME.sub("_", key)
    return "_" + name if name[:1].isdigit() else name


def alertmanager_alert(n: Notification, now: float) -> dict[str, Any]:
    """One alert of an API v2 ``postAlerts`` body."""
    alert = n.alert
    labels = {_name(k): v for k, v in alert.labels.items() if v}
    labels.update(alertname=alert.rule, severity=alert.severity.value)
    annotations = {_name(k): v for k, v in alert.details.items() if v}
    annotations["summary"] = alert.summary
    if alert.id is not None:
        annotations["yesman_id"] = str(alert.id)
    ends = alert.ended if _resolved(n) and alert.ended is not None else now + ALERTMANAGER_HOLD
    data: dict[str, Any] = {
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc3339(alert.fired or alert.started),
        "endsAt": rfc3339(ends),
    }
    if n.dashboard_url:
        data["generatorURL"] = n.dashboard_url
    return data
