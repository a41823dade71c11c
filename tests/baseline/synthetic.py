"""Synthetic baselines for tests: latencies drawn from a fixed lognormal, scaled on demand."""

from __future__ import annotations

import random
import time

from yesman.baseline import (
    BusSummary,
    Environment,
    MonitoringSample,
    PerformanceBaseline,
    SystemMetrics,
    summarize_samples,
)


def draws(n: int, *, seed: int, scale: float = 1.0, median_ms: float = 5.0) -> list[float]:
    rng = random.Random(seed)
    return [median_ms * scale * rng.lognormvariate(0.0, 0.4) for _ in range(n)]


def baseline(
    *,
    seed: int,
    scale: float = 1.0,
    n: int = 400,
    name: str | None = None,
    components: tuple[str, ...] = ("content_capture", "prompt_detection"),
    memory: list[float] | None = None,
    bus: BusSummary | None = None,
) -> PerformanceBaseline:
    """A baseline whose first component's latencies are multiplied by ``scale``."""
    summaries = {
        c: summarize_samples(draws(n, seed=seed + i, scale=scale if i == 0 else 1.0))
        for i, c in enumerate(components)
    }
    memory = memory or [50.0 + random.Random(seed).random() for _ in range(30)]
    samples = tuple(
        MonitoringSample(t=float(i), cpu_percent=3.0, memory_used_mb=m, loop_lag_ms=1.0)
        for i, m in enumerate(memory)
    )
    return PerformanceBaseline(
        name=name,
        created=time.time(),
        duration_seconds=float(len(samples)),
        interval_seconds=1.0,
        environment=Environment(
            yesman="0.1.0",
            python="3.11",
            platform="Linux",
            cpu_model="test",
            cores=2,
            workload="synthetic",
        ),
        system_metrics=SystemMetrics(
            cpu_percent=3.0, memory_used_mb=50.0, sample_count=len(samples)
        ),
        monitoring_metrics=samples,
        components=summaries,
        bus=bus,
    )
