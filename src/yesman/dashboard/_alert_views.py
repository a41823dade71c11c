"""Alerts, silences and sink counters as JSON-ready values, and the checked silence request.

The shapes are those of `yesman alerts --json` with one difference: times are epoch seconds,
as everywhere in the dashboard's API. ``ref`` is what the ack route takes (the id once stored,
the fingerprint while pending); ``link`` is the alert's own page.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from yesman.alerts import Alert, Silence, SinkStats

__all__ = [
    "MAX_SILENCE",
    "PANE_LABELS",
    "SilenceRequest",
    "alert_row",
    "silence_row",
    "sink_row",
]

MAX_SILENCE: Final = 366 * 86400.0
"""The longest silence the API sets (a year): a longer one is surely a unit mistake."""

PANE_LABELS: Final = ("session", "pane", "agent", "tool")
"""The labels shown first, in this order (the ones that say where an agent alert is)."""

_MAX_MATCHERS: Final = 16
_MAX_TEXT: Final = 500


def alert_row(alert: Alert) -> dict[str, Any]:
    """One alert for the API and the page's live events."""
    ref = alert.id if alert.id is not None else alert.fingerprint
    return {
        "id": alert.id,
        "ref": str(ref),
        "fingerprint": alert.fingerprint,
        "rule": alert.rule,
        "kind": alert.kind,
        "severity": alert.severity.value,
        "state": alert.state.value,
        "summary": alert.summary,
        "labels": dict(alert.labels),
        "details": dict(alert.details),
        "value": alert.value,
        "started": alert.started,
        "fired": alert.fired,
        "ended": alert.ended,
        "last_notified": alert.last_notified,
        "notifications": alert.notifications,
        "acknowledged": alert.acknowledged,
        "acknowledged_by": alert.acknowledged_by,
        "silenced": alert.silenced,
        "link": f"/alerts/{alert.id}" if alert.id is not None else None,
    }


def silence_row(silence: Silence, now: float) -> dict[str, Any]:
    return {
        "id": silence.id,
        "rule": silence.rule,
        "matchers": dict(silence.matchers),
        "created": silence.created,
        "until": silence.until,
        "remaining_s": round(max(0.0, silence.until - now), 3),
        "comment": silence.comment,
        "created_by": silence.created_by,
    }


def sink_row(stats: SinkStats) -> dict[str, Any]:
    return dataclasses.asdict(stats)


def _text(data: Mapping[str, Any], key: str, *, required: bool) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string, got {value!r}")
    value = value.strip()
    if required and not value:
        raise ValueError(f"{key} is missing: name the rule to silence ('*' for every rule)")
    if len(value) > _MAX_TEXT:
        raise ValueError(f"{key} is longer than {_MAX_TEXT} characters")
    return value


@dataclass(frozen=True, slots=True)
class SilenceRequest:
    """The body of ``POST /api/silences``, checked: ``{"rule": "dialog-held", "seconds": 3600,
    "matchers": {"session": "work"}, "comment": "..."}`` (matchers and comment optional; rule
    and matcher values may be globs). `from_json` raises `TypeError` or `ValueError` saying
    what is wrong."""

    rule: str
    seconds: float
    matchers: Mapping[str, str]
    comment: str

    @classmethod
    def from_json(cls, data: object) -> SilenceRequest:
        if not isinstance(data, dict):
            raise TypeError('send a JSON object: {"rule": "...", "seconds": N, "matchers": {}}')
        rule = _text(data, "rule", required=True)
        seconds = data.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError(f"seconds must be a number of seconds (3600 for 1h), got {seconds!r}")
        if not math.isfinite(seconds) or not 0 < seconds <= MAX_SILENCE:
            raise ValueError(f"seconds must be more than 0 and at most a year, got {seconds!r}")
        raw = data.get("matchers") or {}
        if not isinstance(raw, dict) or len(raw) > _MAX_MATCHERS:
            raise ValueError(
                f"matchers must be an object of at most {_MAX_MATCHERS} label: value pairs, "
                f'such as {{"session": "work"}}'
            )
        matchers: dict[str, str] = {}
        for key, value in raw.items():
            if not key.strip() or not isinstance(value, str) or len(key) + len(value) > _MAX_TEXT:
                raise ValueError(f"matcher {key!r}: {value!r} must be a label name and a string")
            matchers[key.strip()] = value
        return cls(rule, float(seconds), matchers, _text(data, "comment", required=False))
