"""`compare(a, b)`: did B get slower, faster, or stay the same as A, figure by figure?

A latency verdict needs both a statistically significant difference (two-sided Mann-Whitney U
on the raw ``samples_ms``, ``alpha`` 0.01 by default) and a practical one: the p50 or p95 ratio
B/A beyond ``1 ± threshold`` (10 % by default). Significance alone flags a 1 % change once
there are thousands of samples; size alone flags noise on a handful. Fewer than
``min_samples`` on either side is ``insufficient-data``. System figures (process CPU, memory,
loop lag) are judged the same way on the per-second samples; the remaining figures (errors,
CPU and memory per component, I/O, bus) are reported with their ratio and no test.

scipy is imported on the first comparison only (about 0.3 s), so ``import yesman.baseline``
stays fast.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yesman.baseline._model import ComponentSummary, PerformanceBaseline

__all__ = ["Comparison", "ComponentComparison", "FigureChange", "Verdict", "compare"]


class Verdict(enum.Enum):
    REGRESSED = "regressed"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    INSUFFICIENT_DATA = "insufficient-data"


@dataclass(frozen=True, slots=True)
class FigureChange:
    """One figure in A and B; ``ratio`` is B/A (None when A is 0)."""

    figure: str
    a: float
    b: float
    ratio: float | None


@dataclass(frozen=True, slots=True)
class ComponentComparison:
    """One component (or system figure): the verdict, the test behind it and every figure."""

    name: str
    verdict: Verdict
    ratio_p50: float | None
    ratio_p95: float | None
    p_value: float | None
    n_a: int
    n_b: int
    figures: tuple[FigureChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "ratio_p50": self.ratio_p50,
            "ratio_p95": self.ratio_p95,
            "p_value": self.p_value,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "figures": {f.figure: {"a": f.a, "b": f.b, "ratio": f.ratio} for f in self.figures},
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """The whole comparison; ``comparable`` is False when the environments differ."""

    components: Mapping[str, ComponentComparison]
    system: Mapping[str, ComponentComparison]
    threshold: float
    alpha: float
    comparable: bool
    notes: tuple[str, ...] = ()

    @property
    def regressed(self) -> bool:
        return any(
            c.verdict is Verdict.REGRESSED
            for c in (*self.components.values(), *self.system.values())
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "alpha": self.alpha,
            "comparable": self.comparable,
            "notes": list(self.notes),
            "regressed": self.regressed,
            "components": {n: c.to_dict() for n, c in self.components.items()},
            "system": {n: c.to_dict() for n, c in self.system.items()},
        }


def mann_whitney_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Mann-Whitney U p-value of samples ``a`` and ``b`` (1.0 when all values tie)."""
    from scipy.stats import (  # type: ignore[import-untyped]  # noqa: PLC0415 (heavy)
        mannwhitneyu,
    )

    if len(set(a)) == 1 and set(a) == set(b):
        return 1.0  # identical constants: scipy would warn and return nan
    result = mannwhitneyu(a, b, alternative="two-sided")
    p = float(result.pvalue)
    return 1.0 if math.isnan(p) else p


def _ratio(a: float, b: float) -> float | None:
    return b / a if a > 0 else None


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return 0.0
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = 0.95 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def judge(
    name: str,
    a: Sequence[float],
    b: Sequence[float],
    *,
    threshold: float,
    alpha: float,
    min_samples: int,
    min_delta: float = 0.0,
    figures: tuple[FigureChange, ...] = (),
) -> ComponentComparison:
    """The verdict on two raw samples (larger values are worse). A quantile counts as moved
    when its ratio is beyond ``1 ± threshold`` and it moved by at least ``min_delta``."""
    n_a, n_b = len(a), len(b)
    pairs = ((_median(a), _median(b)), (_p95(a), _p95(b))) if n_a and n_b else ()
    ratio_p50, ratio_p95 = (_ratio(*pairs[0]), _ratio(*pairs[1])) if pairs else (None, None)
    if n_a < min_samples or n_b < min_samples:
        return ComponentComparison(
            name, Verdict.INSUFFICIENT_DATA, ratio_p50, ratio_p95, None, n_a, n_b, figures
        )
    p = mann_whitney_p(a, b)
    verdict = Verdict.UNCHANGED
    if p < alpha:
        # The p50 decides when it moved enough; otherwise the tail (p95) may.
        for (qa, qb), ratio in zip(pairs, (ratio_p50, ratio_p95), strict=True):
            if ratio is None or abs(qb - qa) < min_delta:
                continue
            if ratio > 1.0 + threshold:
                verdict = Verdict.REGRESSED
                break
            if ratio < 1.0 - threshold:
                verdict = Verdict.IMPROVED
                break
    return ComponentComparison(name, verdict, ratio_p50, ratio_p95, p, n_a, n_b, figures)


def _component_figures(a: ComponentSummary, b: ComponentSummary) -> tuple[FigureChange, ...]:
    names = (
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "mean_ms",
        "error_rate",
        "cpu_percent",
        "memory_growth_mb",
        "bytes_sent",
        "bytes_received",
        "slow_steps",
    )
    out = []
    for figure in names:
        va, vb = float(getattr(a, figure)), float(getattr(b, figure))
        out.append(FigureChange(figure, va, vb, _ratio(va, vb)))
    return tuple(out)


def compare(
    a: PerformanceBaseline,
    b: PerformanceBaseline,
    *,
    threshold: float = 0.10,
    alpha: float = 0.01,
    min_samples: int = 8,
    min_delta_ms: float = 0.05,
) -> Comparison:
    """Compare baseline ``b`` against reference ``a`` (see the module docstring).

    ``min_delta_ms``: a latency quantile must also move by this many milliseconds to count, so
    2 us becoming 4 us is not a regression (50 us is below what a user or the loop notices)."""
    if not (0.0 < threshold < 1.0):
        raise ValueError(
            f"threshold must be a fraction between 0 and 1 (0.1 = 10 %), got {threshold!r}"
        )
    if not (0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    notes: list[str] = []
    comparable = a.environment.key == b.environment.key
    if not comparable:
        notes.append(
            "the baselines were taken on different machines or workloads "
            f"({a.environment.key!r} vs {b.environment.key!r}): differences may not be yesman's"
        )
    components: dict[str, ComponentComparison] = {}
    for name in (*a.components, *(n for n in b.components if n not in a.components)):
        ca, cb = a.components.get(name), b.components.get(name)
        if ca is None or cb is None:
            notes.append(f"component {name!r} is only in {'B' if ca is None else 'A'}")
            present = ca or cb
            assert present is not None
            n = len(present.samples_ms)
            components[name] = ComponentComparison(
                name,
                Verdict.INSUFFICIENT_DATA,
                None,
                None,
                None,
                n if ca else 0,
                n if cb else 0,
            )
            continue
        components[name] = judge(
            name,
            ca.samples_ms,
            cb.samples_ms,
            threshold=threshold,
            alpha=alpha,
            min_samples=min_samples,
            min_delta=min_delta_ms,
            figures=_component_figures(ca, cb),
        )
    system: dict[str, ComponentComparison] = {}
    # Only samples that read the process (a live process never has 0 MB resident): a baseline
    # made from the history carries memory-per-component samples without process figures.
    live_a = [s for s in a.monitoring_metrics if s.memory_used_mb > 0]
    live_b = [s for s in b.monitoring_metrics if s.memory_used_mb > 0]
    for figure in ("cpu_percent", "memory_used_mb", "loop_lag_ms"):
        sa = [float(getattr(s, figure)) for s in live_a]
        sb = [float(getattr(s, figure)) for s in live_b]
        system[figure] = judge(
            figure, sa, sb, threshold=threshold, alpha=alpha, min_samples=min_samples
        )
    if a.bus is not None and b.bus is not None:
        figures = tuple(
            FigureChange(
                f,
                float(getattr(a.bus, f)),
                float(getattr(b.bus, f)),
                _ratio(float(getattr(a.bus, f)), float(getattr(b.bus, f))),
            )
            for f in (
                "peak_utilization_percent",
                "queue_overflow_events",
                "events_dropped",
                "average_processing_ms",
            )
        )
        # No samples to test: overflow is the verdict (any lost event is worth a look).
        lost_a, lost_b = a.bus.queue_overflow_events, b.bus.queue_overflow_events
        bus_verdict = (
            Verdict.REGRESSED
            if lost_b > lost_a
            else Verdict.IMPROVED
            if lost_b < lost_a
            else Verdict.UNCHANGED
        )
        system["bus"] = ComponentComparison("bus", bus_verdict, None, None, None, 0, 0, figures)
    return Comparison(components, system, threshold, alpha, comparable, tuple(notes))
