"""Reading the live figures at one instant: what the exporters are given, and nothing more.

Every figure comes from an immutable snapshot the watcher already offers (tracker metrics and
sketches, loop monitor, bus metrics, watched panes, dialog totals), so exporting costs nothing
per operation, only per scrape. Snapshots must be taken on the event loop's thread: the
components they read are not locked (see `take_snapshot`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import psutil

from yesman.bus import AsyncEventBus, EventMetrics
from yesman.metrics import ComponentMetrics, ComponentTracker, SketchState
from yesman.monitor import DialogTotals, MonitorSupervisor, WatchedPane

__all__ = ["Snapshot", "Sources", "take_snapshot"]


def _empty_metrics() -> Mapping[str, ComponentMetrics]:
    return MappingProxyType({})


def _empty_sketches() -> Mapping[str, SketchState]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The figures of one scrape. Parts whose source was not given are empty or None."""

    process_cpu_seconds: float
    process_rss_bytes: int
    components: Mapping[str, ComponentMetrics] = field(default_factory=_empty_metrics)
    latency: Mapping[str, SketchState] = field(default_factory=_empty_sketches)
    loop_lag: SketchState | None = None
    slow_callbacks: int = 0
    monitor_passes: int = 0
    bus: EventMetrics | None = None
    bus_running: bool = False
    panes: tuple[WatchedPane, ...] | None = None
    dialogs: DialogTotals | None = None
    unrecorded: int = 0


class Sources:
    """What to read: a supervisor (its tracker, panes and dialogs), a bus, or a lone tracker."""

    __slots__ = ("_process", "bus", "supervisor", "tracker")

    def __init__(
        self,
        supervisor: MonitorSupervisor | None = None,
        bus: AsyncEventBus | None = None,
        tracker: ComponentTracker | None = None,
    ) -> None:
        self.supervisor = supervisor
        self.bus = bus if bus is not None or supervisor is None else supervisor.event_bus
        self.tracker = tracker if tracker is not None or supervisor is None else supervisor.tracker
        self._process = psutil.Process()

    def rss_bytes(self) -> int:
        return int(self._process.memory_info().rss)


def take_snapshot(sources: Sources) -> Snapshot:
    """Read every source once. Call it on the event loop's thread (the figures are unlocked)."""
    snap = Snapshot(process_cpu_seconds=time.process_time(), process_rss_bytes=sources.rss_bytes())
    tracker = sources.tracker
    if tracker is not None:
        loop = tracker.loop_monitor
        snap = replace(
            snap,
            components=MappingProxyType(tracker.get_component_metrics()),
            latency=MappingProxyType(tracker.latency_sketches()),
            loop_lag=loop.lag_sketch(),
            slow_callbacks=loop.slow_steps,
            monitor_passes=loop.loops,
        )
    bus = sources.bus
    if bus is not None:
        snap = replace(snap, bus=bus.get_metrics(), bus_running=bus.is_running)
    supervisor = sources.supervisor
    if supervisor is not None:
        snap = replace(
            snap,
            panes=tuple(supervisor.watched()),
            dialogs=supervisor.dialog_totals(),
            unrecorded=supervisor.unrecorded_decisions,
        )
    return snap
