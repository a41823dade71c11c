"""`PerformanceBaseline` and its parts, and the versioned JSON document they round-trip through.

The JSON document (``schema_version`` 1)::

    {
      "schema": "yesman.baseline",            constant, identifies the document
      "schema_version": 1,                    bumped on any incompatible change
      "name": "v0.1-laptop" | null,
      "created": 1764570000.0,                wall-clock seconds since the epoch
      "duration_seconds": 60.0,               how long the figures were collected
      "interval_seconds": 1.0,                the sampling period
      "environment": {"yesman", "python", "platform", "cpu_model", "cores",
                      "agent_versions": {"claude": "2.1.197"}, "workload": "demo"},
      "system_metrics": {"cpu_percent", "host_cpu_percent", "memory_used_mb", "memory_peak_mb",
                         "host_memory_used_mb", "load_1m", "loop_lag_p50_ms", "loop_lag_p99_ms",
                         "loop_lag_max_ms", "sample_count"},
      "monitoring_metrics": [ one object per sample:
          {"t", "cpu_percent", "host_cpu_percent", "memory_used_mb", "host_memory_used_mb",
           "load_1m", "loop_lag_ms", "bus_queue_size", "bus_utilization_percent",
           "bus_overflow_events", "component_memory_mb": {component: MB retained}} ],
      "components": { name: {"count", "errors", "error_rate", "p50_ms", "p95_ms", "p99_ms",
                             "mean_ms", "max_ms", "cpu_percent", "memory_growth_mb",
                             "bytes_sent", "bytes_received", "samples_missed",
                             "slow_steps", "slow_step_max_ms",
                             "samples_ms": [raw latencies, at most max_samples]} },
      "bus": {"events_published", "events_processed", "events_dropped", "queue_capacity",
              "worker_count", "peak_queue_depth", "peak_utilization_percent",
              "queue_overflow_events", "average_processing_ms", "drain_rate_per_second"} | null
    }

Units: milliseconds for latency, MB (2**20 bytes) for memory, percent of one core for CPU (a
host figure: percent of all cores). Counts in ``components`` and ``bus`` cover the baseline's
duration only, not the process lifetime. ``samples_ms`` is a uniform sample (reservoir) of the
operations' latencies: the statistical tests of `yesman.baseline.compare` run on it. Readers
ignore keys they do not know, so adding a key is not a version bump; removing or changing the
meaning of one is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Final, TypeVar

from yesman.baseline._errors import BaselineFormatError

__all__ = [
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "BusSummary",
    "ComponentSummary",
    "Environment",
    "MonitoringSample",
    "PerformanceBaseline",
    "SystemMetrics",
]

_T = TypeVar("_T")

SCHEMA_NAME: Final = "yesman.baseline"
SCHEMA_VERSION: Final = 1


def _empty_str_map() -> dict[str, str]:
    return {}


def _empty_float_map() -> dict[str, float]:
    return {}


@dataclass(frozen=True, slots=True)
class Environment:
    """Where and on what a baseline was taken, so a comparison can say whether it is fair."""

    yesman: str = ""
    python: str = ""
    platform: str = ""
    cpu_model: str = ""
    cores: int = 0
    agent_versions: Mapping[str, str] = field(default_factory=_empty_str_map)
    workload: str = "library"

    @property
    def key(self) -> str:
        """What must match for two baselines to compare like with like (the store indexes it)."""
        return f"{self.cpu_model}|{self.cores}|{self.platform}|{self.workload}"


@dataclass(frozen=True, slots=True)
class SystemMetrics:
    """Averages over the baseline's samples (peaks and lag quantiles where named so)."""

    cpu_percent: float = 0.0
    host_cpu_percent: float = 0.0
    memory_used_mb: float = 0.0
    memory_peak_mb: float = 0.0
    host_memory_used_mb: float = 0.0
    load_1m: float = 0.0
    loop_lag_p50_ms: float = 0.0
    loop_lag_p99_ms: float = 0.0
    loop_lag_max_ms: float = 0.0
    sample_count: int = 0


@dataclass(frozen=True, slots=True)
class MonitoringSample:
    """One reading, ``t`` seconds after the baseline started."""

    t: float
    cpu_percent: float = 0.0
    host_cpu_percent: float = 0.0
    memory_used_mb: float = 0.0
    host_memory_used_mb: float = 0.0
    load_1m: float = 0.0
    loop_lag_ms: float = 0.0
    bus_queue_size: int = 0
    bus_utilization_percent: float = 0.0
    bus_overflow_events: int = 0
    component_memory_mb: Mapping[str, float] = field(default_factory=_empty_float_map)


@dataclass(frozen=True, slots=True)
class ComponentSummary:
    """One component's operations during the baseline; ``samples_ms`` is the raw sample."""

    count: int = 0
    errors: int = 0
    error_rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    mean_ms: float = 0.0
    max_ms: float = 0.0
    cpu_percent: float = 0.0
    memory_growth_mb: float = 0.0
    bytes_sent: int = 0
    bytes_received: int = 0
    samples_missed: int = 0
    slow_steps: int = 0
    slow_step_max_ms: float = 0.0
    samples_ms: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class BusSummary:
    """The default event bus during the baseline (counters are differences over it)."""

    events_published: int = 0
    events_processed: int = 0
    events_dropped: int = 0
    queue_capacity: int = 0
    worker_count: int = 0
    peak_queue_depth: int = 0
    peak_utilization_percent: float = 0.0
    queue_overflow_events: int = 0
    average_processing_ms: float = 0.0
    drain_rate_per_second: float = 0.0


@dataclass(frozen=True, slots=True)
class PerformanceBaseline:
    """A frozen record of how yesman (or any program using its tracker) performed.

    ``monitoring_metrics`` are the per-interval samples, ``system_metrics`` their summary,
    ``components`` the per-component summaries with raw latency samples. See the module
    docstring for the JSON document `to_json` writes and `from_json` reads.
    """

    created: float
    duration_seconds: float
    interval_seconds: float
    environment: Environment
    system_metrics: SystemMetrics
    monitoring_metrics: tuple[MonitoringSample, ...] = ()
    components: Mapping[str, ComponentSummary] = field(default_factory=dict)
    bus: BusSummary | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as plain Python values."""
        return {
            "schema": SCHEMA_NAME,
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "created": self.created,
            "duration_seconds": self.duration_seconds,
            "interval_seconds": self.interval_seconds,
            "environment": {
                **asdict(self.environment),
                "agent_versions": dict(self.environment.agent_versions),
            },
            "system_metrics": asdict(self.system_metrics),
            "monitoring_metrics": [
                {**asdict(s), "component_memory_mb": dict(s.component_memory_mb)}
                for s in self.monitoring_metrics
            ],
            "components": {
                name: {**asdict(c), "samples_ms": list(c.samples_ms)}
                for name, c in self.components.items()
            },
            "bus": None if self.bus is None else asdict(self.bus),
        }

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "the document"
    ) -> PerformanceBaseline:
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA_NAME:
            raise BaselineFormatError(
                f'{source} is not a yesman baseline (no "schema": {SCHEMA_NAME!r}); export one '
                "with `yesman baseline export NAME`"
            )
        version = data.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
            raise BaselineFormatError(
                f"{source} has baseline schema version {version!r}; this yesman reads versions "
                f"1 to {SCHEMA_VERSION}: upgrade yesman to read it"
            )
        try:
            env = dict(data["environment"])
            env["agent_versions"] = dict(env.get("agent_versions") or {})
            components = {
                str(name): _build(
                    ComponentSummary,
                    {**c, "samples_ms": tuple(float(x) for x in c.get("samples_ms", ()))},
                )
                for name, c in dict(data.get("components") or {}).items()
            }
            samples = tuple(
                _build(
                    MonitoringSample,
                    {**s, "component_memory_mb": dict(s.get("component_memory_mb") or {})},
                )
                for s in data.get("monitoring_metrics") or ()
            )
            bus = data.get("bus")
            name = data.get("name")
            return cls(
                created=float(data["created"]),
                duration_seconds=float(data["duration_seconds"]),
                interval_seconds=float(data["interval_seconds"]),
                environment=_build(Environment, env),
                system_metrics=_build(SystemMetrics, dict(data["system_metrics"])),
                monitoring_metrics=samples,
                components=components,
                bus=None if bus is None else _build(BusSummary, dict(bus)),
                name=None if name is None else str(name),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BaselineFormatError(
                f"{source} is a damaged yesman baseline ({type(exc).__name__}: {exc}); export "
                "it again"
            ) from exc

    @classmethod
    def from_json(cls, text: str, *, source: str = "the document") -> PerformanceBaseline:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineFormatError(f"{source} is not JSON: {exc}") from exc
        return cls.from_dict(data, source=source)


def _build(cls: type[_T], values: Mapping[str, Any]) -> _T:
    """``cls(**values)`` keeping only the fields it has (readers ignore unknown keys)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in values.items() if k in names})
