"""`suggest_pane_scaling`: p95 growing with the pane count names the capture setting."""

from __future__ import annotations

import random

import pytest

from yesman.baseline import ScalingThresholds, SuggestionKind, suggest_pane_scaling
from yesman.history import PaneLoad, PaneScaling
from yesman.metrics import percentile


def _load(panes: int, p95s: list[float]) -> PaneLoad:
    ordered = sorted(p95s)
    return PaneLoad(
        panes=panes,
        intervals=len(p95s),
        count=len(p95s) * 100,
        p50_ms=percentile(ordered, 50) * 0.6,
        p95_ms=percentile(ordered, 50),
        interval_p95_ms=tuple(p95s),
    )


def _intervals(rng: random.Random, centre: float, n: int = 12) -> list[float]:
    return [centre * rng.uniform(0.9, 1.1) for _ in range(n)]


def test_capture_p95_doubling_with_panes_names_the_busy_capture_interval() -> None:
    rng = random.Random(1)
    scaling = PaneScaling(
        "content_capture",
        (
            _load(2, _intervals(rng, 4.0)),
            _load(8, _intervals(rng, 6.0)),
            _load(20, _intervals(rng, 8.0)),
        ),
    )
    (s,) = suggest_pane_scaling([scaling])
    assert s.kind is SuggestionKind.PANE_SCALING
    assert s.component == "content_capture"
    assert "--busy-capture-interval 0.20" in s.change
    assert "2 panes" in s.evidence[0]
    assert "20 panes" in s.evidence[0]
    assert "Mann-Whitney" in s.evidence[0]
    loads = scaling.loads
    assert s.evidence[1] == "p95 by pane count: " + ", ".join(
        f"{load.panes} panes {load.p95_ms:.1f} ms" for load in loads
    )


@pytest.mark.parametrize(
    ("loads", "why"),
    [
        ([(2, 4.0), (20, 4.2)], "flat"),
        ([(2, 4.0)], "one pane count"),
        ([(2, 4.0), (20, 3.0)], "faster with more panes"),
    ],
)
def test_no_suggestion_without_growth(loads: list[tuple[int, float]], why: str) -> None:
    rng = random.Random(2)
    scaling = PaneScaling("prompt_detection", tuple(_load(n, _intervals(rng, c)) for n, c in loads))
    assert suggest_pane_scaling([scaling]) == [], why


def test_too_few_intervals_or_noise_is_not_evidence() -> None:
    rng = random.Random(3)
    few = PaneScaling(
        "content_capture", (_load(2, _intervals(rng, 4.0, 3)), _load(20, _intervals(rng, 9, 3)))
    )
    assert suggest_pane_scaling([few]) == []
    # Medians differ by 1.6x but the intervals overlap wholly: not significant.
    noisy = PaneScaling(
        "content_capture",
        (_load(2, [1.0, 2.0, 30.0, 1.0, 2.0, 30.0]), _load(20, [2.0, 3.0, 1.0, 30.0, 2.0, 3.0])),
    )
    assert suggest_pane_scaling([noisy], ScalingThresholds(min_intervals=5)) == []


def test_other_components_are_not_about_pane_count() -> None:
    rng = random.Random(4)
    scaling = PaneScaling(
        "content_processing", (_load(2, _intervals(rng, 1.0)), _load(20, _intervals(rng, 5.0)))
    )
    assert suggest_pane_scaling([scaling]) == []


def test_the_proposed_interval_is_capped_where_dialogs_would_wait() -> None:
    rng = random.Random(5)
    scaling = PaneScaling(
        "content_capture", (_load(1, _intervals(rng, 2.0)), _load(30, _intervals(rng, 40.0)))
    )
    (s,) = suggest_pane_scaling([scaling], ScalingThresholds(current_interval=0.1))
    assert "--busy-capture-interval 0.50" in s.change
