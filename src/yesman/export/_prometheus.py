"""`PrometheusExporter`: the watcher's figures in the Prometheus text format, read at scrape time.

::

    exporter = PrometheusExporter(supervisor)        # its bus and tracker come along
    body = exporter.render()                         # on the event loop's thread
    return Response(body, media_type=exporter.CONTENT_TYPE)

A custom `prometheus_client` collector takes one `Snapshot` per scrape and turns it into metric
families (`yesman.export._catalog` lists them); nothing is recorded per operation. Call `render()`
on the thread that runs the watcher's event loop (an ``async def`` route does): the figures it
reads are not locked. ``benchmarks/export.py`` measures a scrape of 20 panes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import ClassVar, Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from yesman.bus import AsyncEventBus
from yesman.export._catalog import CATALOG, Kind, MetricSpec
from yesman.export._families import Family, families
from yesman.export._snapshot import Sources, take_snapshot
from yesman.metrics import ComponentTracker
from yesman.monitor import MonitorSupervisor

__all__ = ["CONTENT_TYPE", "PrometheusExporter", "YesmanCollector"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
"""The media type of `PrometheusExporter.render()` (the classic text format every Prometheus
server reads)."""


def _le(bound: float) -> str:
    # The way prometheus_client (and Go) print a bucket bound: "0.0001", "1.0", "+Inf".
    return "+Inf" if math.isinf(bound) else repr(float(bound))


def _empty(spec: MetricSpec) -> Metric:
    labels = list(spec.labels)
    if spec.kind is Kind.COUNTER:
        return CounterMetricFamily(spec.name, spec.help, labels=labels)
    if spec.kind is Kind.HISTOGRAM:
        return HistogramMetricFamily(spec.name, spec.help, labels=labels)
    return GaugeMetricFamily(spec.name, spec.help, labels=labels)


def to_prometheus(family: Family) -> Metric:
    """One neutral family as a `prometheus_client` metric family."""
    metric = _empty(family.spec)
    if isinstance(metric, HistogramMetricFamily):
        for point in family.points:
            buckets = [
                (_le(bound), float(n))
                for bound, n in zip((*point.bounds, float("inf")), point.cumulative, strict=True)
            ]
            metric.add_metric(list(point.labels), buckets, point.sum)
    elif isinstance(metric, CounterMetricFamily | GaugeMetricFamily):
        for sample in family.samples:
            metric.add_metric(list(sample.labels), sample.value)
    return metric


class YesmanCollector(Collector):
    """A `prometheus_client` collector of the watcher's figures, for a registry of your own."""

    def __init__(self, sources: Sources) -> None:
        self._sources = sources

    def describe(self) -> Iterable[Metric]:
        # Names only: registering must not take a snapshot (the watcher may not run yet).
        return [_empty(spec) for spec in CATALOG]

    def collect(self) -> Iterator[Metric]:
        for family in families(take_snapshot(self._sources)):
            yield to_prometheus(family)


class PrometheusExporter:
    """Renders the figures of a watcher (or of a bus, or a tracker) for a Prometheus scrape.

    Args:
        supervisor: the watcher: component metrics, panes, dialogs, and its bus and tracker
            unless `bus` or `tracker` say otherwise.
        bus: the event bus to report (default: the supervisor's).
        tracker: the component tracker to report (default: the supervisor's).
        registry: where to register the collector (default: a registry of its own, so nothing
            else in the process ends up in the output).
    """

    CONTENT_TYPE: ClassVar[str] = CONTENT_TYPE

    def __init__(
        self,
        supervisor: MonitorSupervisor | None = None,
        bus: AsyncEventBus | None = None,
        *,
        tracker: ComponentTracker | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.sources = Sources(supervisor, bus, tracker)
        self.collector = YesmanCollector(self.sources)
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.registry.register(self.collector)

    def render(self) -> bytes:
        """The registry in the text exposition format; call it on the event loop's thread."""
        return generate_latest(self.registry)
