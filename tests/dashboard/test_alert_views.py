"""The checked body of ``POST /api/silences`` and the alert rows of the API."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from yesman.alerts import Alert, AlertState, Severity, fingerprint
from yesman.dashboard._alert_views import MAX_SILENCE, SilenceRequest, alert_row


def test_a_silence_request_with_matchers_and_comment() -> None:
    asked = SilenceRequest.from_json(
        {"rule": " dialog-* ", "seconds": 3600, "matchers": {"session": "work"}, "comment": "x"}
    )
    assert asked == SilenceRequest("dialog-*", 3600.0, {"session": "work"}, "x")
    assert SilenceRequest.from_json({"rule": "*", "seconds": 1.5}).matchers == {}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ([], "JSON object"),
        ({"seconds": 60}, "rule is missing"),
        ({"rule": "  ", "seconds": 60}, "rule is missing"),
        ({"rule": 3, "seconds": 60}, "rule must be a string"),
        ({"rule": "r"}, "seconds must be a number"),
        ({"rule": "r", "seconds": True}, "seconds must be a number"),
        ({"rule": "r", "seconds": "1h"}, "seconds must be a number"),
        ({"rule": "r", "seconds": 0}, "more than 0"),
        ({"rule": "r", "seconds": MAX_SILENCE + 1}, "at most a year"),
        ({"rule": "r", "seconds": float("nan")}, "more than 0"),
        ({"rule": "r", "seconds": 60, "matchers": ["session"]}, "label: value pairs"),
        ({"rule": "r", "seconds": 60, "matchers": {"session": 1}}, "must be a label name"),
        ({"rule": "r", "seconds": 60, "matchers": {" ": "x"}}, "must be a label name"),
        ({"rule": "r", "seconds": 60, "comment": "c" * 501}, "longer than 500"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_a_bad_silence_request_says_what_is_wrong(body: Any, says: str) -> None:
    with pytest.raises((TypeError, ValueError), match=says):
        SilenceRequest.from_json(body)


def test_alert_rows_use_epoch_seconds_and_the_id_or_fingerprint_as_ref() -> None:
    labels = {"session": "work", "pane": "%3"}
    pending = Alert(
        id=None,
        fingerprint=fingerprint("dialog-held", labels),
        rule="dialog-held",
        kind="dialog-held",
        severity=Severity.WARNING,
        state=AlertState.PENDING,
        summary="held",
        started=1_800_000_000.0,
        labels=labels,
    )
    row = alert_row(pending)
    assert (row["ref"], row["link"], row["started"]) == (pending.fingerprint, None, 1_800_000_000.0)
    stored = alert_row(dataclasses.replace(pending, id=7, state=AlertState.FIRING))
    assert (stored["ref"], stored["link"], stored["state"]) == ("7", "/alerts/7", "firing")
