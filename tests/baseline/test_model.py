"""The baseline's JSON document: a lossless round trip, and clear refusals of other documents."""

from __future__ import annotations

import json

import pytest

from baseline.synthetic import baseline
from yesman.baseline import (
    SCHEMA_VERSION,
    BaselineFormatError,
    BusSummary,
    PerformanceBaseline,
)


def test_json_round_trip_is_lossless() -> None:
    original = baseline(seed=3, name="v1", bus=BusSummary(events_published=5, queue_capacity=10))
    text = original.to_json()
    again = PerformanceBaseline.from_json(text)
    assert again == original
    doc = json.loads(text)
    assert doc["schema"] == "yesman.baseline"
    assert doc["schema_version"] == SCHEMA_VERSION
    raw = doc["components"]["content_capture"]["samples_ms"]
    assert raw == list(original.components["content_capture"].samples_ms)
    assert len(raw) == 400


def test_unknown_keys_are_ignored() -> None:
    doc = baseline(seed=3).to_dict()
    doc["added_later"] = {"x": 1}
    doc["components"]["content_capture"]["new_figure"] = 2.0
    again = PerformanceBaseline.from_dict(doc)
    assert again.components["content_capture"].count == 400


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"schema": "something.else"}, "not a yesman baseline", id="foreign"),
        pytest.param({"schema_version": SCHEMA_VERSION + 1}, "upgrade yesman", id="newer"),
        pytest.param({"system_metrics": None}, "damaged", id="damaged"),
    ],
)
def test_refuses_other_documents(change: dict[str, object], message: str) -> None:
    doc = {**baseline(seed=3).to_dict(), **change}
    with pytest.raises(BaselineFormatError, match=message):
        PerformanceBaseline.from_json(json.dumps(doc), source="x.json")


def test_not_json() -> None:
    with pytest.raises(BaselineFormatError, match=r"x\.json is not JSON"):
        PerformanceBaseline.from_json("{", source="x.json")
