from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yesman.metrics import LogSketch, percentile
from yesman.metrics._stats import summarize


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        pytest.param([7.0], 50, 7.0, id="one-sample-median"),
        pytest.param([7.0], 99, 7.0, id="one-sample-p99"),
        pytest.param([1.0, 3.0], 50, 2.0, id="two-samples-median-interpolates"),
        pytest.param([1.0, 3.0], 95, 2.9, id="two-samples-p95"),
        pytest.param([1.0, 3.0], 99, 2.98, id="two-samples-p99"),
        pytest.param([float(i) for i in range(1, 11)], 50, 5.5, id="ten-median"),
        pytest.param([float(i) for i in range(1, 11)], 95, 9.55, id="ten-p95"),
        pytest.param([float(i) for i in range(1, 11)], 99, 9.91, id="ten-p99"),
        pytest.param([float(i) for i in range(1, 101)], 95, 95.05, id="hundred-p95"),
        pytest.param([], 50, 0.0, id="empty"),
    ],
)
def test_percentile_matches_linear_interpolation(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_rejects_q_outside_range() -> None:
    with pytest.raises(ValueError, match=r"0\.\.100"):
        percentile([1.0], 101)


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=60))
def test_window_percentiles_are_ordered(values: list[float]) -> None:
    s = summarize(values)
    assert s.minimum <= s.median <= s.p95 <= s.p99 <= s.maximum


def test_summary_of_known_data() -> None:
    s = summarize([4.0, 1.0, 3.0, 2.0])
    assert (s.count, s.mean, s.median, s.minimum, s.maximum) == (4, 2.5, 2.5, 1.0, 4.0)


def test_sketch_quantiles_within_one_percent_of_exact() -> None:
    rng = random.Random(3)
    values = [rng.lognormvariate(2.0, 1.0) for _ in range(20_000)]
    sketch = LogSketch(0.01)
    sketch.add_many(values)
    ordered = sorted(values)
    for q in (0.5, 0.9, 0.95, 0.99):
        exact = ordered[round(q * (len(ordered) - 1))]
        assert sketch.quantile(q) == pytest.approx(exact, rel=0.011)
    assert sketch.count == 20_000
    assert sketch.maximum == max(values)


def test_sketches_merge_like_one() -> None:
    a, b, both = LogSketch(), LogSketch(), LogSketch()
    a.add_many([1.0, 2.0, 3.0])
    b.add_many([10.0, 20.0, 0.0])
    both.add_many([1.0, 2.0, 3.0, 10.0, 20.0, 0.0])
    a.merge(b)
    for q in (0.0, 0.25, 0.5, 0.75, 1.0):
        assert a.quantile(q) == both.quantile(q)
    assert a.count == 6


def test_sketch_refuses_bad_values_and_mismatched_merge() -> None:
    sketch = LogSketch()
    with pytest.raises(ValueError, match=">= 0"):
        sketch.add(-1.0)
    with pytest.raises(ValueError, match="same value"):
        sketch.merge(LogSketch(0.05))
    assert sketch.count == 0
    assert sketch.quantile(0.5) == 0.0


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=200))
def test_sketch_quantiles_are_ordered_and_bounded(values: list[float]) -> None:
    sketch = LogSketch()
    sketch.add_many(values)
    qs = [sketch.quantile(q) for q in (0.0, 0.5, 0.95, 0.99, 1.0)]
    assert qs == sorted(qs)
    assert min(values) <= qs[0]
    assert qs[-1] <= max(values)
