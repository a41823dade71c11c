"""The performance figures the gates put in the report: "performance metrics are included in
the quality gates report".

`performance_details(current, reference, comparison)` is the JSON-ready block the
``baseline-regression`` gate carries as ``details["performance"]``; the Markdown report and the
CLI render it. Its shape::

    {
      "workload": {"name", "created", "duration_seconds", "samples", "environment": {...}},
      "baseline": {"name", "created", "workload", "environment", "how", "skip_reason"} | null,
      "components": [ one row per component of the run:
          {"component", "count", "errors", "error_rate", "p50_ms", "p95_ms", "p99_ms",
           "mean_ms", "max_ms", "cpu_percent", "memory_growth_mb", "io_mb_per_s",
           "slow_steps", "bottleneck": [reasons], "line": the seed's bottleneck line,
           "baseline": {"count", "p50_ms", "p95_ms", "p99_ms"} | null,
           "verdict", "ratio_p50", "ratio_p95", "p_value", "n_baseline", "n_current"} ],
      "bus": {"events_published", "events_processed", "events_dropped", "queue_capacity",
              "worker_count", "peak_queue_depth", "peak_utilization_percent",
              "queue_overflow_events", "average_processing_ms", "drain_rate_per_second"} | null,
      "system": {"cpu_percent", "host_cpu_percent", "memory_used_mb", "memory_peak_mb",
                 "memory_start_mb", "memory_end_mb", "host_memory_used_mb", "load_1m",
                 "loop_lag_p50_ms", "loop_lag_p99_ms", "loop_lag_max_ms", "sample_count"},
      "system_verdicts": {"cpu_percent" | "memory_used_mb" | "loop_lag_ms" | "bus":
                          {"verdict", "ratio_p50", "ratio_p95", "p_value"}},
      "notes": [comparison notes]
    }

The ``line`` is the seed's log line (`yesman.metrics.Bottleneck.message`) for every component:
``Bottleneck in content_capture: avg=150.5ms, p95=200.1ms, errors=0, mem=2.5MB, cpu=25.3%,
net=1.2MB/s`` when a figure is over the seed's thresholds (average above 100 ms, memory above
5 MB, CPU above 50 %, I/O above 1 MB/s), the same figures without ``Bottleneck in`` otherwise.
Here ``mem`` is the memory the component retained over the run and ``net`` its bytes sent and
received per second of the run. Verdict fields are null when nothing was compared.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from yesman.baseline import Comparison, ComponentSummary, PerformanceBaseline
from yesman.gates._perf_run import Reference
from yesman.metrics import Bottleneck, BottleneckThresholds

__all__ = ["component_line", "performance_details"]

_MB = 1024.0 * 1024.0


def _reasons(c: ComponentSummary, io_mbps: float, limits: BottleneckThresholds) -> tuple[str, ...]:
    # The same tests as yesman.metrics.find_bottlenecks, on a baseline's summary.
    checks = (
        ("latency", c.mean_ms > limits.average_ms),
        ("memory", c.memory_growth_mb > limits.memory_delta_mb),
        (
            "cpu",
            c.cpu_percent > limits.cpu_percent
            and c.mean_ms * c.cpu_percent / 100.0 >= limits.cpu_min_ms,
        ),
        ("io", io_mbps > limits.throughput_mbps),
    )
    return tuple(name for name, over in checks if over)


def component_line(
    name: str,
    c: ComponentSummary,
    duration_s: float,
    limits: BottleneckThresholds | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The seed's line for one component and the thresholds it crosses (none: no prefix)."""
    io_mbps = (c.bytes_sent + c.bytes_received) / _MB / duration_s if duration_s > 0 else 0.0
    reasons = _reasons(c, io_mbps, limits or BottleneckThresholds())
    line = Bottleneck(
        component=name,
        reasons=reasons,
        average_ms=c.mean_ms,
        p95_ms=c.p95_ms,
        error_count=c.errors,
        memory_delta_mb=c.memory_growth_mb,
        cpu_percent=c.cpu_percent,
        throughput_mbps=io_mbps,
    ).message()
    return (line if reasons else line.removeprefix("Bottleneck in ")), reasons


def _row(
    name: str,
    c: ComponentSummary,
    duration_s: float,
    reference: PerformanceBaseline | None,
    comparison: Comparison | None,
) -> dict[str, Any]:
    line, reasons = component_line(name, c, duration_s)
    io = (c.bytes_sent + c.bytes_received) / _MB / duration_s if duration_s > 0 else 0.0
    ref = None if reference is None else reference.components.get(name)
    verdict = None if comparison is None else comparison.components.get(name)
    return {
        "component": name,
        "count": c.count,
        "errors": c.errors,
        "error_rate": c.error_rate,
        "p50_ms": c.p50_ms,
        "p95_ms": c.p95_ms,
        "p99_ms": c.p99_ms,
        "mean_ms": c.mean_ms,
        "max_ms": c.max_ms,
        "cpu_percent": c.cpu_percent,
        "memory_growth_mb": c.memory_growth_mb,
        "io_mb_per_s": io,
        "slow_steps": c.slow_steps,
        "bottleneck": list(reasons),
        "line": line,
        "baseline": None
        if ref is None
        else {"count": ref.count, "p50_ms": ref.p50_ms, "p95_ms": ref.p95_ms, "p99_ms": ref.p99_ms},
        "verdict": None if verdict is None else verdict.verdict.value,
        "ratio_p50": None if verdict is None else verdict.ratio_p50,
        "ratio_p95": None if verdict is None else verdict.ratio_p95,
        "p_value": None if verdict is None else verdict.p_value,
        "n_baseline": None if verdict is None else verdict.n_a,
        "n_current": len(c.samples_ms),
    }


def performance_details(
    current: PerformanceBaseline,
    reference: Reference | None,
    comparison: Comparison | None,
) -> dict[str, Any]:
    """The JSON-ready block described in the module docstring."""
    base = None if reference is None else reference.baseline
    samples = current.monitoring_metrics
    system = asdict(current.system_metrics)
    system["memory_start_mb"] = samples[0].memory_used_mb if samples else 0.0
    system["memory_end_mb"] = samples[-1].memory_used_mb if samples else 0.0
    return {
        "workload": {
            "name": current.environment.workload,
            "created": current.created,
            "duration_seconds": current.duration_seconds,
            "samples": len(samples),
            "environment": {
                **asdict(current.environment),
                "agent_versions": dict(current.environment.agent_versions),
            },
        },
        "baseline": None if reference is None else reference.as_dict(),
        "components": [
            _row(name, c, current.duration_seconds, base, comparison)
            for name, c in current.components.items()
        ],
        "bus": None if current.bus is None else asdict(current.bus),
        "system": system,
        "system_verdicts": {}
        if comparison is None
        else {
            name: {
                "verdict": v.verdict.value,
                "ratio_p50": v.ratio_p50,
                "ratio_p95": v.ratio_p95,
                "p_value": v.p_value,
            }
            for name, v in comparison.system.items()
        },
        "notes": [] if comparison is None else list(comparison.notes),
    }
