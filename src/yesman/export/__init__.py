"""Exporting the watcher's figures to monitoring stacks: Prometheus and OpenTelemetry.

`PrometheusExporter` renders the text exposition format for a ``/metrics`` route (the web
dashboard mounts it); `OtlpExporter` pushes the same metrics over OTLP/HTTP and needs the
optional ``otel`` extra (``pip install 'yesman[otel]'``), imported only when it is used.
Both read immutable snapshots at collection time (`yesman.export._snapshot`), so watching costs
nothing more per operation. `CATALOG` lists every metric.

Layering: export reads monitor, bus, metrics and agents; only the CLI (and the web dashboard it
serves) imports it.
"""

from __future__ import annotations

from yesman.export._catalog import CATALOG, LATENCY_BUCKETS, Kind, MetricSpec
from yesman.export._errors import ExportError, OtelMissingError
from yesman.export._otel import OtlpExporter, otlp_metrics_url, require_otel
from yesman.export._prometheus import CONTENT_TYPE, PrometheusExporter, YesmanCollector
from yesman.export._snapshot import Snapshot, Sources, take_snapshot

__all__ = [
    "CATALOG",
    "CONTENT_TYPE",
    "LATENCY_BUCKETS",
    "ExportError",
    "Kind",
    "MetricSpec",
    "OtelMissingError",
    "OtlpExporter",
    "PrometheusExporter",
    "Snapshot",
    "Sources",
    "YesmanCollector",
    "otlp_metrics_url",
    "require_otel",
    "take_snapshot",
]
