"""`suggest(baseline)`: rules over a baseline's figures that name a concrete change.

Rules (each returns nothing when its figures look healthy):

* queue: the bus queue peaked above ``queue_peak_percent`` of capacity or lost events ->
  the ``max_queue_size`` that keeps the peak under half full and the ``worker_count`` that keeps
  workers under 70 % busy at the measured arrival rate and handling time.
* slow steps: a component whose task steps held the loop (``slow_steps`` at least
  ``slow_step_count`` or one longer than ``slow_step_ms``) -> move that work to a thread.
* memory growth: process memory rising steadily across the samples (least-squares slope with
  r² >= 0.8 and growth over ``leak_mb``), or a component's retained memory rising in most
  intervals -> a suspected leak, with the rate per hour.

The policy-rule suggestion (held dialogs a human answered the same way) reads dialog outcomes,
not a baseline: see `yesman.baseline.suggest_policy_rules`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from yesman.baseline._model import MonitoringSample, PerformanceBaseline
from yesman.baseline._suggestion import Suggestion, SuggestionKind

__all__ = ["SuggestThresholds", "suggest"]


@dataclass(frozen=True, slots=True)
class SuggestThresholds:
    queue_peak_percent: float = 70.0
    worker_busy_target: float = 0.7
    slow_step_count: int = 3
    slow_step_ms: float = 250.0
    leak_mb: float = 5.0
    component_leak_mb: float = 1.0


def suggest(
    baseline: PerformanceBaseline, thresholds: SuggestThresholds | None = None
) -> list[Suggestion]:
    """Every suggestion the baseline's figures support, most urgent kinds first."""
    t = thresholds or SuggestThresholds()
    out: list[Suggestion] = []
    out.extend(_queue(baseline, t))
    out.extend(_slow_steps(baseline, t))
    out.extend(_memory(baseline, t))
    return out


def _next_power_of_two(n: float) -> int:
    return 1 << max(0, math.ceil(math.log2(max(n, 1.0))))


def _queue(b: PerformanceBaseline, t: SuggestThresholds) -> list[Suggestion]:
    bus = b.bus
    if bus is None or bus.queue_capacity <= 0:
        return []
    if bus.peak_utilization_percent < t.queue_peak_percent and bus.queue_overflow_events == 0:
        return []
    wanted = max(2 * bus.peak_queue_depth, bus.queue_capacity + 1)
    if bus.queue_overflow_events:
        wanted = max(wanted, 2 * bus.queue_capacity)
    size = _next_power_of_two(wanted)
    rate = bus.events_published / b.duration_seconds if b.duration_seconds > 0 else 0.0
    busy = rate * bus.average_processing_ms / 1000.0  # workers' worth of handling per second
    workers = max(bus.worker_count, math.ceil(busy / t.worker_busy_target))
    evidence = (
        f"queue peaked at {bus.peak_queue_depth} of {bus.queue_capacity} events "
        f"({bus.peak_utilization_percent:.0f} %) over {b.duration_seconds:.0f} s",
        f"{bus.queue_overflow_events} events lost to a full queue",
        f"{rate:.1f} events/s arriving, {bus.average_processing_ms:.2f} ms to handle each, "
        f"{bus.worker_count} workers",
    )
    more_workers = workers > bus.worker_count
    return [
        Suggestion(
            kind=SuggestionKind.QUEUE,
            title="the event bus queue runs nearly full",
            evidence=evidence,
            change=f"AsyncEventBus(max_queue_size={size}, worker_count={workers})",
            expected_effect=(
                f"peak utilisation about {100.0 * bus.peak_queue_depth / size:.0f} % and no "
                "overflow at this load"
                + (
                    f"; workers about {100.0 * busy / workers:.0f} % busy"
                    if more_workers
                    else "; the workers keep up, so only the queue grows"
                )
            ),
        )
    ]


def _slow_steps(b: PerformanceBaseline, t: SuggestThresholds) -> list[Suggestion]:
    out = []
    lag = b.system_metrics.loop_lag_p99_ms
    for name, c in b.components.items():
        if c.slow_steps < t.slow_step_count and c.slow_step_max_ms < t.slow_step_ms:
            continue
        out.append(
            Suggestion(
                kind=SuggestionKind.SLOW_STEP,
                component=name,
                title=f"{name} blocks the event loop",
                evidence=(
                    f"{c.slow_steps} task steps of {name} held the loop, the longest "
                    f"{c.slow_step_max_ms:.0f} ms, over {b.duration_seconds:.0f} s",
                    f"loop lag p99 {lag:.0f} ms; {name} p95 {c.p95_ms:.1f} ms",
                ),
                change=(
                    f"run the blocking part of {name} in a thread: "
                    "`await asyncio.to_thread(blocking_fn, ...)` (or a ThreadPoolExecutor)"
                ),
                expected_effect=(
                    f"loop lag p99 drops toward the sampling floor instead of up to "
                    f"{c.slow_step_max_ms:.0f} ms; other panes stop waiting on {name}"
                ),
            )
        )
    return out


def _slope(samples: Sequence[MonitoringSample], values: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope (units per second) and r² of ``values`` against the samples' time."""
    n = len(values)
    xs = [s.t for s in samples]
    mx, my = math.fsum(xs) / n, math.fsum(values) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in values)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True))
    if sxx == 0 or syy == 0:
        return 0.0, 0.0
    return sxy / sxx, sxy * sxy / (sxx * syy)


def _memory(b: PerformanceBaseline, t: SuggestThresholds) -> list[Suggestion]:
    samples = b.monitoring_metrics
    out: list[Suggestion] = []
    if len(samples) >= 5:
        values = [s.memory_used_mb for s in samples]
        slope, r2 = _slope(samples, values)
        growth = values[-1] - values[0]
        if slope > 0 and r2 >= 0.8 and growth >= t.leak_mb:
            out.append(
                Suggestion(
                    kind=SuggestionKind.MEMORY_GROWTH,
                    title="process memory grows steadily (suspected leak)",
                    evidence=(
                        f"resident memory {values[0]:.1f} -> {values[-1]:.1f} MB over "
                        f"{samples[-1].t - samples[0].t:.0f} s ({len(samples)} samples)",
                        f"linear fit {slope * 3600:.0f} MB/hour, r² {r2:.2f}",
                    ),
                    change=(
                        "find what keeps references: run with ComponentTracker(allocations=True) "
                        "and compare tracemalloc snapshots; check unbounded caches and deques"
                    ),
                    expected_effect=(
                        f"memory flat at about {values[0]:.0f} MB instead of growing "
                        f"{slope * 3600:.0f} MB an hour"
                    ),
                )
            )
    for name, c in b.components.items():
        series = [s.component_memory_mb[name] for s in samples if name in s.component_memory_mb]
        if len(series) < 5 or c.memory_growth_mb < t.component_leak_mb:
            continue
        rises = sum(1 for x, y in itertools.pairwise(series) if y > x)
        if rises < 0.6 * (len(series) - 1):
            continue
        out.append(
            Suggestion(
                kind=SuggestionKind.MEMORY_GROWTH,
                component=name,
                title=f"{name} retains more memory every interval (suspected leak)",
                evidence=(
                    f"{name} retained {c.memory_growth_mb:.1f} MB over "
                    f"{b.duration_seconds:.0f} s; it grew in {rises} of {len(series) - 1} "
                    "intervals",
                ),
                change=(
                    f"look for objects {name} keeps between operations (caches, lists, "
                    "closures); ComponentTracker(allocations=True) counts its allocations"
                ),
                expected_effect=f"{name}'s retained memory flat instead of "
                f"{c.memory_growth_mb * 3600 / max(b.duration_seconds, 1.0):.0f} MB/hour",
            )
        )
    return out
