"""yesman.metrics: per-component latency, CPU, memory and I/O; loop health; bottlenecks; reports.

Layering: ``_stats``, ``_memory`` and ``_attribution`` are the leaves; ``_io``, ``_loop``,
``_process`` and ``_component`` build on them; ``_tracker`` joins them into `ComponentTracker`;
``_bottleneck`` reads its snapshots and ``_report`` publishes them on the bus. Only ``_report``
imports `yesman.bus`.
"""

from yesman.metrics._attribution import SlowStep, instrumented_event_loop
from yesman.metrics._bottleneck import Bottleneck, BottleneckThresholds, find_bottlenecks
from yesman.metrics._component import ComponentMetrics
from yesman.metrics._io import (
    CountedPipes,
    CountedStreamReader,
    CountedStreamWriter,
    HostNetworkDelta,
    count_io,
    counted_pipes,
)
from yesman.metrics._loop import LoopHealth
from yesman.metrics._report import EventPublisher, PerformanceReporter
from yesman.metrics._stats import LogSketch, percentile
from yesman.metrics._tracker import SEED_COMPONENTS, ComponentTracker, TrackedOperation

__all__ = [
    "SEED_COMPONENTS",
    "Bottleneck",
    "BottleneckThresholds",
    "ComponentMetrics",
    "ComponentTracker",
    "CountedPipes",
    "CountedStreamReader",
    "CountedStreamWriter",
    "EventPublisher",
    "HostNetworkDelta",
    "LogSketch",
    "LoopHealth",
    "PerformanceReporter",
    "SlowStep",
    "TrackedOperation",
    "count_io",
    "counted_pipes",
    "find_bottlenecks",
    "instrumented_event_loop",
    "percentile",
]
