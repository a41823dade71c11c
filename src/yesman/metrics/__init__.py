"""yesman.metrics: per-component latency, CPU, memory and I/O; loop health; bottlenecks; reports.

Layering: ``_stats``, ``_memory`` and ``_checks`` are the leaves. ``_span`` (what an operation is
charged, and how) and ``_steps`` (the per-step wrapper that charges it) build on them, as do
``_component`` (per-component samples), ``_io`` and ``_process`` (process-wide readings) and
``_loop``. ``_operation`` is one tracked operation; ``_tracker`` joins them into
`ComponentTracker`; ``_bottleneck`` reads its snapshots and ``_report`` publishes them on the bus
as the typed payloads of ``_payloads``. Only those two import `yesman.bus`.
"""

from yesman.metrics._bottleneck import Bottleneck, BottleneckThresholds, find_bottlenecks
from yesman.metrics._component import ComponentMetrics
from yesman.metrics._interval import (
    DEFAULT_SAMPLE_SIZE,
    ComponentInterval,
    Reservoir,
    SketchState,
    pack_samples,
    unpack_samples,
)
from yesman.metrics._io import (
    CountedPipes,
    CountedStreamReader,
    CountedStreamWriter,
    HostNetworkDelta,
    count_io,
    counted_pipes,
)
from yesman.metrics._loop import LoopHealth
from yesman.metrics._operation import TrackedOperation
from yesman.metrics._payloads import PerformanceAlert, PerformanceReport
from yesman.metrics._registry import open_trackers
from yesman.metrics._report import EventPublisher, PerformanceReporter
from yesman.metrics._stats import LogSketch, percentile
from yesman.metrics._steps import SlowStep, instrumented_event_loop
from yesman.metrics._tracker import SEED_COMPONENTS, ComponentTracker

__all__ = [
    "DEFAULT_SAMPLE_SIZE",
    "SEED_COMPONENTS",
    "Bottleneck",
    "BottleneckThresholds",
    "ComponentInterval",
    "ComponentMetrics",
    "ComponentTracker",
    "CountedPipes",
    "CountedStreamReader",
    "CountedStreamWriter",
    "EventPublisher",
    "HostNetworkDelta",
    "LogSketch",
    "LoopHealth",
    "PerformanceAlert",
    "PerformanceReport",
    "PerformanceReporter",
    "Reservoir",
    "SketchState",
    "SlowStep",
    "TrackedOperation",
    "count_io",
    "counted_pipes",
    "find_bottlenecks",
    "instrumented_event_loop",
    "open_trackers",
    "pack_samples",
    "percentile",
    "unpack_samples",
]
