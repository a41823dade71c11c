"""The OpenTelemetry SDK side of `OtlpExporter` (imported only when the ``otel`` extra is there).

Counters and gauges are observable instruments whose callbacks read the families of the latest
snapshot. The SDK has no asynchronous histogram, so the two histograms (component latency, loop
lag) are added to each batch on its way to the OTLP exporter, as cumulative explicit-bucket
histogram points: the same buckets, sums and counts the Prometheus side exposes.

The reader never runs its own timer thread (its interval is infinite): `OtlpExporter` takes the
snapshot on the event loop, hands it over with `OtelPipeline.update`, and runs
`OtelPipeline.collect` (callbacks, then a blocking HTTP POST) in a worker thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    PeriodicExportingMetricReader,
    ResourceMetrics,
    ScopeMetrics,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

from yesman.export._catalog import CATALOG, Kind, MetricSpec
from yesman.export._families import Family

__all__ = ["OtelPipeline"]

_SCOPE = InstrumentationScope("yesman.export")


# Without the extra installed, mypy sees the SDK as Any (the CI installs it and checks it all).
class _WithHistograms(MetricExporter):  # type: ignore[misc,unused-ignore]
    """Passes each batch on to the OTLP exporter with the histogram points added."""

    def __init__(self, inner: MetricExporter, histograms: Callable[[], Sequence[Metric]]) -> None:
        super().__init__()
        self._inner = inner
        self._histograms = histograms
        self.last_result: MetricExportResult | None = None
        self.muted = False  # set at shutdown: the SDK's own last collection is not sent

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        if self.muted:
            return MetricExportResult.SUCCESS
        extra = list(self._histograms())
        resources = list(metrics_data.resource_metrics)
        if extra and resources:
            # Into the instruments' own scope: the encoder keeps one batch per scope.
            first = resources[0]
            scopes = list(first.scope_metrics)
            mine = next((i for i, s in enumerate(scopes) if s.scope == _SCOPE), None)
            if mine is None:
                scopes.append(ScopeMetrics(_SCOPE, extra, ""))
            else:
                scope = scopes[mine]
                scopes[mine] = ScopeMetrics(_SCOPE, [*scope.metrics, *extra], scope.schema_url)
            resources[0] = ResourceMetrics(first.resource, scopes, first.schema_url)
        result = self._inner.export(MetricsData(resources), timeout_millis=timeout_millis)
        self.last_result = result
        return result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return bool(self._inner.force_flush(timeout_millis))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self._inner.shutdown(timeout_millis=timeout_millis)


class OtelPipeline:
    """One meter provider, its instruments and its reader, fed with snapshot families."""

    def __init__(
        self,
        endpoint: str,
        *,
        headers: Mapping[str, str],
        timeout: float,
        resource: Mapping[str, str],
    ) -> None:
        self._latest: dict[str, Family] = {}
        self._timeout_ms = timeout * 1000.0
        self._start_ns = time.time_ns()
        self._exporter = _WithHistograms(
            OTLPMetricExporter(endpoint=endpoint, headers=dict(headers), timeout=timeout),
            self._histogram_metrics,
        )
        self._reader = PeriodicExportingMetricReader(
            self._exporter, export_interval_millis=math.inf, export_timeout_millis=self._timeout_ms
        )
        self._provider = MeterProvider(
            metric_readers=[self._reader],
            resource=Resource.create(dict(resource)),
            shutdown_on_exit=False,  # stopped by OtlpExporter.stop(), never from atexit
        )
        meter = self._provider.get_meter(_SCOPE.name)
        for spec in CATALOG:
            callbacks = [self._observer(spec)]
            if spec.kind is Kind.COUNTER:
                meter.create_observable_counter(
                    spec.otel_name, callbacks, unit=spec.otel_unit, description=spec.help
                )
            elif spec.kind is Kind.GAUGE:
                meter.create_observable_gauge(
                    spec.otel_name, callbacks, unit=spec.otel_unit, description=spec.help
                )

    def update(self, families: Iterable[Family]) -> None:
        """The families the next collection reports (a whole snapshot, swapped at once)."""
        self._latest = {f.spec.name: f for f in families}

    def collect(self) -> bool:
        """Observe and export one batch (blocks on HTTP: run it in a thread); True if sent."""
        self._exporter.last_result = None
        self._reader.collect(timeout_millis=self._timeout_ms)
        return self._exporter.last_result is MetricExportResult.SUCCESS

    def shutdown(self) -> None:
        """Shut the SDK down and close the HTTP session (blocks: run it in a thread).

        The caller exports the final figures first; the collection the SDK makes while shutting
        down is not sent again."""
        self._exporter.muted = True
        self._provider.shutdown()

    def _observer(self, spec: MetricSpec) -> Callable[[CallbackOptions], Iterable[Observation]]:
        labels = spec.labels

        def observe(options: CallbackOptions) -> Iterable[Observation]:
            family = self._latest.get(spec.name)
            if family is None:
                return []
            return [
                Observation(s.value, dict(zip(labels, s.labels, strict=True)))
                for s in family.samples
            ]

        return observe

    def _histogram_metrics(self) -> list[Metric]:
        now = time.time_ns()
        out: list[Metric] = []
        for family in self._latest.values():
            if family.spec.kind is not Kind.HISTOGRAM:
                continue
            labels = family.spec.labels
            points = [
                HistogramDataPoint(
                    attributes=dict(zip(labels, p.labels, strict=True)),
                    start_time_unix_nano=self._start_ns,
                    time_unix_nano=now,
                    count=p.count,
                    sum=p.sum,
                    # OTLP counts per bucket, Prometheus cumulatively.
                    bucket_counts=[
                        b - a for a, b in zip((0, *p.cumulative), p.cumulative, strict=False)
                    ],
                    explicit_bounds=list(p.bounds),
                    min=p.minimum,
                    max=p.maximum,
                )
                for p in family.points
            ]
            data = Histogram(points, AggregationTemporality.CUMULATIVE)
            out.append(Metric(family.spec.otel_name, family.spec.help, family.spec.otel_unit, data))
        return out
