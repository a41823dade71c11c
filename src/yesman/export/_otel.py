"""`OtlpExporter`: the same metrics as `/metrics`, pushed over OTLP/HTTP every few seconds.

::

    async with OtlpExporter("http://collector:4318", supervisor):
        ...                                # exports every `interval` seconds, and once at stop

It needs the ``otel`` extra (``pip install 'yesman[otel]'``); without it the constructor raises
`OtelMissingError` naming the install command, and nothing else in yesman notices its absence.
Each export takes a snapshot on the event loop (where the figures may be read safely) and runs
the SDK's collection and the HTTP request in a worker thread, so the loop never waits on the
network. A failed export is logged and retried at the next interval with fresh figures.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from yesman._errors import LifecycleError
from yesman._lifecycle import Runner, Service
from yesman.bus import AsyncEventBus
from yesman.export._errors import OtelMissingError
from yesman.export._families import families
from yesman.export._snapshot import Sources, take_snapshot
from yesman.metrics import ComponentTracker
from yesman.monitor import MonitorSupervisor

if TYPE_CHECKING:
    from yesman.export._otel_sdk import OtelPipeline

__all__ = ["OtlpExporter", "otlp_metrics_url", "require_otel"]

log = logging.getLogger(__name__)


def otlp_metrics_url(endpoint: str) -> str:
    """The URL to POST metrics to: a bare ``http://host:4318`` gets OTLP's ``/v1/metrics``."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"OTLP endpoint {endpoint!r} is not an http:// or https:// URL; "
            "give the collector's OTLP/HTTP address, e.g. http://127.0.0.1:4318"
        )
    if parts.path in ("", "/"):
        parts = parts._replace(path="/v1/metrics")
    return urlunsplit(parts)


def _load_sdk() -> type[OtelPipeline]:
    try:
        module = importlib.import_module("yesman.export._otel_sdk")
    except ImportError as exc:
        raise OtelMissingError(exc.name or "opentelemetry") from exc
    pipeline: type[OtelPipeline] = module.OtelPipeline
    return pipeline


def require_otel() -> None:
    """Raise `OtelMissingError` (naming the install command) unless the SDK can be imported."""
    _load_sdk()


class OtlpExporter(Service):
    """Exports the watcher's metrics to an OTLP/HTTP endpoint (an OpenTelemetry collector).

    Args:
        endpoint: the collector's OTLP/HTTP URL; a bare ``http://host:port`` gets the standard
            ``/v1/metrics`` path.
        supervisor, bus, tracker: what to report, as for `PrometheusExporter`.
        interval: seconds between exports.
        headers: extra HTTP headers (an ``Authorization`` for a collector that wants one).
        timeout: seconds an export may take before it is given up.
        resource: resource attributes (default ``service.name=yesman``).

    Lifecycle as in ``yesman._lifecycle``: `start()`/`stop()` (a last export at stop), restartable,
    ``async with``.
    """

    def __init__(
        self,
        endpoint: str,
        supervisor: MonitorSupervisor | None = None,
        bus: AsyncEventBus | None = None,
        *,
        tracker: ComponentTracker | None = None,
        interval: float = 15.0,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        resource: Mapping[str, str] | None = None,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"the OTLP export interval must be > 0 seconds, got {interval!r}")
        self.url = otlp_metrics_url(endpoint)
        self.interval = interval
        self._pipeline_type = _load_sdk()  # fails here, before anything starts, without the extra
        self._headers = dict(headers or {})
        self._timeout = timeout
        self._resource = dict(resource or {"service.name": "yesman"})
        self._sources = Sources(supervisor, bus, tracker)
        self._pipeline: OtelPipeline | None = None
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._runner = Runner("yesman.otlp")
        self.exports = 0  # batches the endpoint accepted
        self.failures = 0

    async def start(self) -> None:
        if self._runner.running:
            return
        self._stop.clear()
        await self._runner.start(self._run)

    async def stop(self) -> None:
        """Export once more (the final figures) and shut the SDK down."""
        await self._runner.stop(self._stop.set, timeout=self._timeout + 5.0)

    async def export_now(self) -> bool:
        """Take a snapshot and export it now; True when the endpoint accepted it."""
        pipeline = self._pipeline
        if pipeline is None:
            raise LifecycleError("the OTLP exporter is not running; start() it first")
        async with self._lock:
            pipeline.update(families(take_snapshot(self._sources)))
            ok = await asyncio.to_thread(pipeline.collect)
        if ok:
            self.exports += 1
        else:
            self.failures += 1
            log.warning(
                "could not export metrics to %s; trying again in %gs", self.url, self.interval
            )
        return ok

    async def _export_logged(self) -> None:
        # The watcher must not lose its exporter to one bad export: log it, go on.
        try:
            await self.export_now()
        except Exception:
            self.failures += 1
            log.exception("exporting metrics to %s failed", self.url)

    async def _run(self, ready: asyncio.Event) -> None:
        pipeline = self._pipeline_type(
            self.url, headers=self._headers, timeout=self._timeout, resource=self._resource
        )
        self._pipeline = pipeline
        ready.set()
        try:
            while True:
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
                    break
                except TimeoutError:
                    await self._export_logged()
            await self._export_logged()  # the final figures
        finally:
            self._pipeline = None
            await asyncio.to_thread(pipeline.shutdown)
