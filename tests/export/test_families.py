"""Sketches as histogram buckets, and the OTel names that map back to the Prometheus ones."""

from __future__ import annotations

import random
import re

import pytest

from yesman.export import CATALOG, LATENCY_BUCKETS, Kind, MetricSpec
from yesman.export._families import histogram_point
from yesman.metrics import LogSketch, SketchState


def test_bucket_counts_match_exact_counts_away_from_the_bounds() -> None:
    rng = random.Random(7)
    values_ms = [rng.lognormvariate(1.0, 2.0) for _ in range(5000)]
    # Values within 2 % of a bound may land on either side of it: keep them out of this check.
    near = [b * 1000 for b in LATENCY_BUCKETS]
    values_ms = [v for v in values_ms if all(abs(v - b) > 0.02 * b for b in near)]
    sketch = LogSketch()
    sketch.add_many(values_ms)
    point = histogram_point(("c",), SketchState.of(sketch))
    exact = [sum(1 for v in values_ms if v <= b * 1000) for b in LATENCY_BUCKETS]
    assert list(point.cumulative[:-1]) == exact
    assert point.cumulative[-1] == point.count == len(values_ms)
    assert point.sum == pytest.approx(sum(values_ms) / 1000)
    assert point.minimum == pytest.approx(min(values_ms) / 1000)
    assert point.maximum == pytest.approx(max(values_ms) / 1000)
    assert point.labels == ("c",)


def test_zero_durations_count_in_the_first_bucket_and_an_empty_sketch_is_all_zero() -> None:
    sketch = LogSketch()
    sketch.add_many([0.0, 0.0, 20_000.0])  # two instant operations, one of 20 s
    point = histogram_point((), SketchState.of(sketch))
    assert point.cumulative == (2,) * len(LATENCY_BUCKETS) + (3,)
    empty = histogram_point((), SketchState.empty())
    assert empty.cumulative == (0,) * (len(LATENCY_BUCKETS) + 1)
    assert (empty.sum, empty.count) == (0.0, 0)


_UNITS = {"s": "seconds", "By": "bytes"}


def prometheus_name_of(otel_name: str, unit: str, kind: Kind) -> str:
    """What an OTel collector's Prometheus exporter names an OTel metric (unit and type
    suffixes added; annotations in braces dropped; "1" on a gauge is a ratio)."""
    name = re.sub(r"[^a-zA-Z0-9_]", "_", otel_name)
    suffix = _UNITS.get(unit, "ratio" if unit == "1" and kind is Kind.GAUGE else "")
    if suffix and not name.endswith(f"_{suffix}"):
        name += f"_{suffix}"
    return name


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.name)
def test_an_otel_collector_turns_the_otel_name_back_into_the_prometheus_name(
    spec: MetricSpec,
) -> None:
    assert spec.otel_unit in ("s", "By", "1") or re.fullmatch(r"\{[a-z]+\}", spec.otel_unit)
    assert prometheus_name_of(spec.otel_name, spec.otel_unit, spec.kind) == spec.name
