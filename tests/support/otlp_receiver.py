"""An OTLP/HTTP metrics endpoint on loopback that decodes and keeps what it is sent.

    async with OtlpReceiver() as receiver:
        ... export to receiver.url ...
        metrics = receiver.metrics()          # name -> opentelemetry.proto Metric

Needs the ``opentelemetry-proto`` package, which comes with yesman's ``otel`` extra.
"""

from __future__ import annotations

import gzip
from typing import Any

from aiohttp import web
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2

__all__ = ["OtlpReceiver", "attributes", "number"]


class OtlpReceiver:
    """Answers ``POST /v1/metrics`` like an OpenTelemetry collector and records each request."""

    def __init__(self) -> None:
        self.requests: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if request.headers.get("Content-Type") != "application/x-protobuf":
            return web.Response(status=415, text="OTLP/HTTP protobuf only")
        message = metrics_service_pb2.ExportMetricsServiceRequest()
        message.ParseFromString(body)
        self.requests.append(message)
        self.headers.append(dict(request.headers))
        reply = metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString()
        return web.Response(body=reply, content_type="application/x-protobuf")

    def metrics(self, index: int = -1) -> dict[str, Any]:
        """Metric name -> metric of one request (the last by default)."""
        found: dict[str, Any] = {}
        for resource in self.requests[index].resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name in found:
                        raise AssertionError(f"{metric.name} sent twice in one request")
                    found[metric.name] = metric
        return found

    def resource(self, index: int = -1) -> dict[str, str]:
        first = self.requests[index].resource_metrics[0]
        return {kv.key: kv.value.string_value for kv in first.resource.attributes}

    async def __aenter__(self) -> OtlpReceiver:
        app = web.Application()
        app.router.add_post("/v1/metrics", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def attributes(point: Any) -> dict[str, str]:
    """A data point's attributes (all strings in yesman's metrics)."""
    return {kv.key: kv.value.string_value for kv in point.attributes}


def number(point: Any) -> float:
    """A number data point's value, whichever of its fields holds it."""
    return float(point.as_double if point.HasField("as_double") else point.as_int)
