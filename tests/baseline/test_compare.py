"""`compare()`: a verdict needs a significant difference AND one beyond the practical threshold."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from baseline.synthetic import baseline, draws
from yesman.baseline import BusSummary, Verdict, compare, summarize_samples
from yesman.baseline._compare import judge


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        pytest.param(2.0, Verdict.REGRESSED, id="latency-doubles"),
        pytest.param(1.0, Verdict.UNCHANGED, id="same-workload-again"),
        pytest.param(1.03, Verdict.UNCHANGED, id="three-percent-slower"),
        pytest.param(0.97, Verdict.UNCHANGED, id="three-percent-faster"),
        pytest.param(0.5, Verdict.IMPROVED, id="latency-halves"),
    ],
)
def test_verdict_per_component(scale: float, expected: Verdict) -> None:
    a = baseline(seed=1)
    b = baseline(seed=101, scale=scale)  # another draw of the same workload, scaled
    result = compare(a, b)
    assert result.components["content_capture"].verdict is expected
    # The other component's workload did not change.
    assert result.components["prompt_detection"].verdict is Verdict.UNCHANGED
    assert result.regressed is (expected is Verdict.REGRESSED)


def test_three_percent_is_significant_but_below_the_threshold() -> None:
    # With many samples a 3 % shift is statistically detectable; only the threshold keeps it
    # from being called a regression. Identical draws scaled by 1.03 make that certain.
    a = draws(3000, seed=7)
    b = [x * 1.03 for x in draws(3000, seed=8)]
    verdict = judge("x", a, b, threshold=0.10, alpha=0.01, min_samples=8)
    assert verdict.verdict is Verdict.UNCHANGED
    assert verdict.ratio_p50 is not None
    assert 1.0 < verdict.ratio_p50 < 1.1
    # A lower threshold turns the same data into a regression when the test agrees.
    strict = judge("x", a, b, threshold=0.01, alpha=0.01, min_samples=8)
    assert strict.p_value is not None
    assert strict.verdict is (Verdict.REGRESSED if strict.p_value < 0.01 else Verdict.UNCHANGED)


def test_few_samples_are_insufficient_data() -> None:
    a = baseline(seed=1, n=5)
    b = baseline(seed=2, n=5, scale=3.0)
    c = compare(a, b).components["content_capture"]
    assert c.verdict is Verdict.INSUFFICIENT_DATA
    assert (c.n_a, c.n_b) == (5, 5)
    assert c.p_value is None


def test_component_missing_on_one_side() -> None:
    a = baseline(seed=1, components=("content_capture", "only_in_a"))
    b = baseline(seed=2, components=("content_capture",))
    result = compare(a, b)
    assert result.components["only_in_a"].verdict is Verdict.INSUFFICIENT_DATA
    assert any("only_in_a" in note for note in result.notes)


def test_json_shape_per_component() -> None:
    out = compare(baseline(seed=1), baseline(seed=2, scale=2.0)).to_dict()
    entry = out["components"]["content_capture"]
    assert {"verdict", "ratio_p50", "ratio_p95", "p_value", "n_a", "n_b"} <= set(entry)
    assert entry["verdict"] == "regressed"
    assert entry["n_a"] == entry["n_b"] == 400
    assert 1.8 < entry["ratio_p50"] < 2.2


def test_bus_overflow_is_a_regression() -> None:
    calm = BusSummary(events_published=100, queue_capacity=1000, peak_queue_depth=10)
    lossy = BusSummary(
        events_published=100, queue_capacity=1000, peak_queue_depth=1000, queue_overflow_events=7
    )
    result = compare(baseline(seed=1, bus=calm), baseline(seed=2, bus=lossy))
    assert result.system["bus"].verdict is Verdict.REGRESSED
    assert result.regressed


def test_different_environments_are_flagged() -> None:
    a = baseline(seed=1)
    b = baseline(seed=2)
    b = dataclasses.replace(b, environment=dataclasses.replace(b.environment, cores=64))
    result = compare(a, b)
    assert not result.comparable
    assert any("different machines" in n for n in result.notes)


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        compare(baseline(seed=1), baseline(seed=2), threshold=10.0)


def test_importing_the_package_does_not_import_scipy() -> None:
    code = "import sys, yesman.baseline; print('scipy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_system_figures_need_process_samples() -> None:
    a = baseline(seed=1)
    no_process = dataclasses.replace(
        a,
        monitoring_metrics=tuple(
            dataclasses.replace(s, memory_used_mb=0.0, cpu_percent=0.0)
            for s in a.monitoring_metrics
        ),
    )
    result = compare(a, no_process)
    assert result.system["memory_used_mb"].verdict is Verdict.INSUFFICIENT_DATA
    assert (result.system["cpu_percent"].n_a, result.system["cpu_percent"].n_b) == (30, 0)


def test_a_doubling_of_microseconds_is_not_a_regression() -> None:
    tiny = baseline(seed=1)
    a = dataclasses.replace(
        tiny,
        components={
            "status": summarize_samples([x / 1000 for x in draws(400, seed=1)])  # ~5 us
        },
    )
    b = dataclasses.replace(
        tiny,
        components={"status": summarize_samples([x / 500 for x in draws(400, seed=2)])},  # ~10 us
    )
    result = compare(a, b)
    assert result.components["status"].p_value is not None
    assert result.components["status"].p_value < 0.01  # significant ...
    assert result.components["status"].verdict is Verdict.UNCHANGED  # ... but 5 us is nothing
    assert compare(a, b, min_delta_ms=0.0).components["status"].verdict is Verdict.REGRESSED
