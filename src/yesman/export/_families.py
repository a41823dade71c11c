"""A `Snapshot` as metric families: the values both exporters send, in one neutral shape.

Latency and loop lag are histograms rather than summaries. The tracker keeps a mergeable
log-bucketed sketch of every operation (1 % relative accuracy), so cumulative bucket counts fall
out of it exactly as Prometheus expects them (``_bucket``/``_sum``/``_count`` that only grow).
With those, ``histogram_quantile()`` over ``rate()`` gives p50/p95 for *any* time range and
across several watchers, which a summary cannot: its quantiles would be fixed at export time
(over the whole lifetime, or over the tracker's last 100 operations) and cannot be aggregated.
A sketch bucket that straddles a bound is counted on the side its representative value falls
(within 1 % of every value in it), so a bound is as exact as the sketch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from yesman.agents import ScreenState
from yesman.export._catalog import LATENCY_BUCKETS, MetricSpec, by_name
from yesman.export._snapshot import Snapshot
from yesman.metrics import SketchState

__all__ = ["Family", "HistogramPoint", "Sample", "families", "histogram_point"]

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Sample:
    """One series of a counter or gauge: label values in the spec's label order."""

    labels: tuple[str, ...]
    value: float


@dataclass(frozen=True, slots=True)
class HistogramPoint:
    """One series of a histogram: cumulative counts per upper bound (seconds; +Inf last)."""

    labels: tuple[str, ...]
    bounds: tuple[float, ...]
    cumulative: tuple[int, ...]  # one more than bounds: the last is every observation
    sum: float
    count: int
    minimum: float = 0.0
    maximum: float = 0.0


@dataclass(frozen=True, slots=True)
class Family:
    spec: MetricSpec
    samples: tuple[Sample, ...] = ()
    points: tuple[HistogramPoint, ...] = ()


def histogram_point(
    labels: tuple[str, ...], sketch: SketchState, bounds: Sequence[float] = LATENCY_BUCKETS
) -> HistogramPoint:
    """Cumulative bucket counts of a sketch of milliseconds, at `bounds` in seconds."""
    accuracy = sketch.relative_accuracy
    gamma = (1.0 + accuracy) / (1.0 - accuracy)
    keys, counts = sketch.keys, sketch.counts
    cumulative: list[int] = []
    seen = sketch.zero_count
    i = 0
    for bound in bounds:
        limit_ms = bound * 1000.0
        # Keys are sorted; a bucket's representative value is 2 * gamma**k / (gamma + 1).
        while i < len(keys) and 2.0 * gamma ** keys[i] / (gamma + 1.0) <= limit_ms:
            seen += counts[i]
            i += 1
        cumulative.append(seen)
    count = sketch.count
    cumulative.append(count)
    return HistogramPoint(
        labels,
        tuple(bounds),
        tuple(cumulative),
        sketch.total / 1000.0,
        count,
        sketch.minimum / 1000.0,
        sketch.maximum / 1000.0,
    )


def _scalar(name: str, value: float) -> Family:
    return Family(by_name(name), (Sample((), float(value)),))


def _per_component(name: str, values: Iterable[tuple[str, float]]) -> Family:
    return Family(by_name(name), tuple(Sample((c,), float(v)) for c, v in values))


def _components(snap: Snapshot) -> Iterator[Family]:
    metrics = snap.components
    yield Family(
        by_name("yesman_component_latency_seconds"),
        points=tuple(histogram_point((c,), s) for c, s in snap.latency.items()),
    )
    yield _per_component(
        "yesman_component_errors", ((c, m.total_error_count) for c, m in metrics.items())
    )
    yield _per_component(
        "yesman_component_cancelled", ((c, m.cancelled_count) for c, m in metrics.items())
    )
    yield _per_component(
        "yesman_component_cpu_seconds", ((c, m.total_cpu_seconds) for c, m in metrics.items())
    )
    yield _per_component(
        "yesman_component_memory_retained_bytes",
        ((c, m.retained_memory_mb * _MB) for c, m in metrics.items()),
    )
    io = by_name("yesman_component_io_bytes")
    yield Family(
        io,
        tuple(
            Sample((c, direction), float(value))
            for c, m in metrics.items()
            for direction, value in (("sent", m.bytes_sent), ("received", m.bytes_received))
        ),
    )


def _process(snap: Snapshot) -> Iterator[Family]:
    yield _scalar("yesman_process_cpu_seconds", snap.process_cpu_seconds)
    yield _scalar("yesman_process_resident_memory_bytes", snap.process_rss_bytes)
    if snap.loop_lag is not None:
        yield Family(
            by_name("yesman_event_loop_lag_seconds"), points=(histogram_point((), snap.loop_lag),)
        )
        yield _scalar("yesman_event_loop_slow_callbacks", snap.slow_callbacks)
        yield _scalar("yesman_monitor_passes", snap.monitor_passes)


def _bus(snap: Snapshot) -> Iterator[Family]:
    m = snap.bus
    if m is None:
        return
    by_type = sorted((m.events_by_type or {}).items())
    yield Family(
        by_name("yesman_bus_events_published"),
        tuple(Sample((str(kind),), float(n)) for kind, n in by_type),
    )
    for name, value in (
        ("yesman_bus_events_processed", m.events_processed),
        ("yesman_bus_events_dropped", m.events_dropped),
        ("yesman_bus_queue_overflows", m.queue_overflow_events),
        ("yesman_bus_handler_errors", m.handler_errors),
        ("yesman_bus_queue_depth", m.queue_size),
        ("yesman_bus_queue_peak_depth", m.peak_queue_depth),
        ("yesman_bus_queue_capacity", m.queue_capacity),
        ("yesman_bus_queue_utilization_ratio", m.queue_utilization_percent / 100.0),
        ("yesman_bus_backlog_seconds", m.queue_backlog_duration_ms / 1000.0),
        ("yesman_bus_active_handlers", m.active_handlers),
        ("yesman_bus_publishers_waiting", m.publishers_waiting),
        ("yesman_bus_up", 1.0 if snap.bus_running else 0.0),
    ):
        yield _scalar(name, value)


def _dialogs(snap: Snapshot) -> Iterator[Family]:
    totals = snap.dialogs
    if totals is None:
        return
    yield Family(
        by_name("yesman_dialogs"),
        tuple(
            Sample((k.outcome.value, k.kind, k.tool, k.rule, k.agent), float(n))
            for k, n in sorted(
                totals.decisions.items(),
                key=lambda kv: (kv[0].outcome, kv[0].tool, kv[0].rule, kv[0].agent),
            )
        ),
    )
    yield _scalar("yesman_answers_unverified", totals.unverified)
    yield _scalar("yesman_decisions_unrecorded", snap.unrecorded)
    yield _scalar("yesman_human_wait_seconds", totals.waited_seconds)
    yield _scalar("yesman_human_waits", totals.waits_ended)


_STATES = tuple(ScreenState)


def _panes(snap: Snapshot) -> Iterator[Family]:
    panes = snap.panes
    if panes is None:
        return
    waiting = snap.dialogs.waiting if snap.dialogs is not None else {}
    yield _scalar("yesman_panes_watched", len(panes))
    states: list[Sample] = []
    waits: list[Sample] = []
    infos: list[Sample] = []
    for watched in panes:
        where = (watched.pane.session_name, watched.pane.pane_id, watched.agent)
        now = watched.status.state
        states.extend(
            Sample((*where, state.value), 1.0 if state is now else 0.0) for state in _STATES
        )
        waits.append(Sample(where, waiting.get(watched.pane.pane_id, 0.0)))
        infos.append(Sample((*where, watched.status.agent_version or ""), 1.0))
    yield Family(by_name("yesman_pane_state"), tuple(states))
    yield Family(by_name("yesman_pane_human_wait_seconds"), tuple(waits))
    # The Prometheus "info" convention: a constant 1 whose labels carry the facts, joined onto
    # other series with `* on (session, pane) group_left (version)`.
    yield Family(by_name("yesman_agent_info"), tuple(infos))


def families(snap: Snapshot) -> list[Family]:
    """Every family the snapshot has figures for (a family of no series is left out)."""
    out: list[Family] = []
    for part in (_components, _process, _bus, _dialogs, _panes):
        out.extend(f for f in part(snap) if f.samples or f.points)
    return out
