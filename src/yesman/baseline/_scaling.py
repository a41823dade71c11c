"""`suggest_pane_scaling`: capture or detection slowing down as more panes are watched.

Every busy pane is captured at most once per ``MonitorSettings.busy_capture_interval`` (0.1 s
by default): with many panes drawing at once, the captures queue on tmux's one control
connection and parsing competes for the event loop, so the p95 of ``content_capture`` and
``prompt_detection`` grows with the pane count. The rule compares the intervals with the fewest
panes and those with the most (from `yesman.history.read_pane_scaling`): when the p95 grew by
at least ``growth_ratio`` and the per-interval p95s differ significantly (one-sided Mann-Whitney
U, p below ``p_value``), it names the setting that cuts captures per busy pane.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from yesman.baseline._suggestion import Suggestion, SuggestionKind

__all__ = ["ScalingThresholds", "suggest_pane_scaling"]

SCALING_COMPONENTS: Final = ("content_capture", "prompt_detection")
DEFAULT_BUSY_CAPTURE_INTERVAL: Final = 0.1
_MAX_INTERVAL: Final = 0.5  # slower than this and a dialog waits visibly for its answer


class _Load(Protocol):
    @property
    def panes(self) -> int: ...
    @property
    def intervals(self) -> int: ...
    @property
    def p95_ms(self) -> float: ...
    @property
    def interval_p95_ms(self) -> tuple[float, ...]: ...


class _Scaling(Protocol):
    @property
    def component(self) -> str: ...
    @property
    def loads(self) -> Sequence[_Load]: ...


@dataclass(frozen=True, slots=True)
class ScalingThresholds:
    """``growth_ratio``: p95 at the most panes over p95 at the fewest that counts as growth;
    ``min_intervals``: report intervals each side needs; ``p_value``: significance level;
    ``current_interval``: the busy-capture interval the watcher ran with (seconds)."""

    growth_ratio: float = 1.5
    min_intervals: int = 5
    p_value: float = 0.05
    current_interval: float = DEFAULT_BUSY_CAPTURE_INTERVAL


def suggest_pane_scaling(
    scalings: Iterable[_Scaling], thresholds: ScalingThresholds | None = None
) -> list[Suggestion]:
    """A suggestion per capture/detection component whose p95 grows with the pane count."""
    t = thresholds or ScalingThresholds()
    out = []
    for scaling in scalings:
        if scaling.component not in SCALING_COMPONENTS:
            continue
        loads = [load for load in scaling.loads if load.intervals >= t.min_intervals]
        if len(loads) < 2:
            continue
        few, many = loads[0], loads[-1]
        if few.p95_ms <= 0 or many.p95_ms / few.p95_ms < t.growth_ratio:
            continue
        p = _greater_p_value(many.interval_p95_ms, few.interval_p95_ms)
        if p >= t.p_value:
            continue
        out.append(_suggestion(scaling.component, loads, few=few, many=many, p=p, t=t))
    return out


def _greater_p_value(a: Sequence[float], b: Sequence[float]) -> float:
    """One-sided Mann-Whitney U: how likely values as high as ``a``'s are by chance."""
    if len(set(a) | set(b)) < 2:
        return 1.0
    from scipy.stats import mannwhitneyu  # type: ignore[import-untyped]  # noqa: PLC0415

    return float(mannwhitneyu(a, b, alternative="greater").pvalue)


def _suggestion(
    component: str,
    loads: Sequence[_Load],
    *,
    few: _Load,
    many: _Load,
    p: float,
    t: ScalingThresholds,
) -> Suggestion:
    growth = many.p95_ms / few.p95_ms
    proposed = min(_MAX_INTERVAL, math.ceil(t.current_interval * growth * 20) / 20)
    proposed = max(proposed, t.current_interval + 0.05)
    table = ", ".join(f"{load.panes} panes {load.p95_ms:.1f} ms" for load in loads)
    return Suggestion(
        kind=SuggestionKind.PANE_SCALING,
        component=component,
        title=f"{component} slows down as panes are added",
        evidence=(
            f"{component} p95 {few.p95_ms:.1f} ms with {few.panes} panes "
            f"({few.intervals} intervals), {many.p95_ms:.1f} ms with {many.panes} panes "
            f"({many.intervals} intervals): x{growth:.2f}, one-sided Mann-Whitney p={p:.3g}",
            f"p95 by pane count: {table}",
        ),
        change=(
            f"capture busy panes less often: `yesman watch --busy-capture-interval "
            f"{proposed:.2f}` (now {t.current_interval:.2f} s); or watch only the sessions "
            "that need it (`yesman watch SESSION ...`)"
        ),
        expected_effect=(
            f"each continuously drawing pane is captured at most {1 / proposed:.0f} times a "
            f"second instead of {1 / t.current_interval:.0f}, so {many.panes} busy panes queue "
            f"about {proposed / t.current_interval:.1f}x fewer captures; a dialog is still "
            f"captured within {proposed:.2f} s of being drawn"
        ),
    )
