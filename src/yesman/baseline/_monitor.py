"""`PerformanceMonitor`: samples the process, the default bus and every open tracker each second.

::

    monitor = get_performance_monitor()
    await monitor.start_monitoring()
    baseline = await monitor.establish_baseline(duration_seconds=60)
    print(baseline.system_metrics.cpu_percent, len(baseline.monitoring_metrics))

Lifecycle (`yesman._lifecycle`): ``start()``/``stop()`` (the seed's ``start_monitoring`` /
``stop_monitoring``), idempotent, restartable, ``async with``. One background task wakes every
``lag_interval`` seconds to measure event-loop lag (how late it woke) and, every ``interval``
seconds, takes a sample. Trackers are found through `yesman.metrics.open_trackers`, so any
started `ComponentTracker` is sampled without wiring. Cost: a sample reads psutil, the bus
and each tracker's snapshot: 0.3 ms with the watcher's six components against 0.11 ms for the
one snapshot the periodic report takes anyway, 0.03 % of a core at one sample a second
(benchmarks/baseline_monitor.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from yesman._lifecycle import Runner, Service
from yesman.baseline._collect import Collection, ComponentTick, Tick
from yesman.baseline._model import MonitoringSample, PerformanceBaseline
from yesman.baseline._system import SystemReader, environment
from yesman.bus import AsyncEventBus, EventMetrics, get_event_bus
from yesman.metrics import ComponentTracker, open_trackers

__all__ = ["PerformanceMonitor", "establish_baseline", "get_performance_monitor"]

_Cursor = tuple[int, int, int, int, float]  # total ops, errors, sent, received, last slow step


class PerformanceMonitor(Service):
    """Process-wide performance sampling and baselines (see the module docstring).

    ``bus`` is the event bus to sample (default: `yesman.bus.get_event_bus()` at each sample),
    ``trackers`` a callable listing the trackers to read (default: every started one),
    ``max_samples`` the bound on raw latencies a baseline keeps per component, ``history`` how
    many recent samples `samples()` keeps.
    """

    def __init__(
        self,
        *,
        interval: float = 1.0,
        lag_interval: float = 0.1,
        max_samples: int = 1000,
        history: int = 3600,
        bus: AsyncEventBus | None = None,
        trackers: Callable[[], Iterable[ComponentTracker]] = open_trackers,
    ) -> None:
        if not (interval > 0 and lag_interval > 0 and math.isfinite(interval)):
            raise ValueError(
                f"interval and lag_interval must be positive seconds, got {interval!r} and "
                f"{lag_interval!r}"
            )
        if max_samples < 1:
            raise ValueError(f"max_samples must be at least 1, got {max_samples!r}")
        self.interval = interval
        self.lag_interval = min(lag_interval, interval)
        self.max_samples = max_samples
        self._bus = bus
        self._trackers = trackers
        self._system = SystemReader()
        self._runner = Runner("yesman-performance-monitor")
        self._stopping = asyncio.Event()
        self._history: deque[MonitoringSample] = deque(maxlen=history)
        self._collections: set[Collection] = set()
        self._cursors: dict[tuple[int, str], _Cursor] = {}
        self._started_at = time.monotonic()
        self._worst_lag = 0.0
        self._next_sample = 0.0

    # -- lifecycle

    @property
    def running(self) -> bool:
        return self._runner.running

    async def start(self) -> None:
        """Start sampling; returns once the sampler runs. Does nothing while running."""
        if self._runner.running:
            return
        self._stopping = asyncio.Event()
        await self._runner.start(self._run)

    async def stop(self) -> None:
        """Stop sampling. Idempotent; samples taken so far stay readable."""
        await self._runner.stop(self._stopping.set, timeout=2.0)

    start_monitoring = start
    stop_monitoring = stop

    def samples(self) -> tuple[MonitoringSample, ...]:
        """The most recent samples, oldest first."""
        return tuple(self._history)

    # -- baselines

    async def establish_baseline(
        self,
        duration_seconds: float = 60.0,
        name: str | None = None,
        *,
        workload: str = "library",
        agent_versions: Mapping[str, str] | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> PerformanceBaseline:
        """Collect for ``duration_seconds`` and return the baseline (not saved: see
        `yesman.baseline.save_baseline`). Starts monitoring for the duration if it is not
        running. ``progress`` is called with the fraction done after each sample."""
        if not (duration_seconds > 0 and math.isfinite(duration_seconds)):
            raise ValueError(f"duration_seconds must be positive, got {duration_seconds!r}")
        started_here = not self.running
        await self.start()
        collection = Collection(max_samples=self.max_samples)
        # A sample now and one at the end: the baseline covers exactly its own duration, not
        # whatever part of the sampler's current interval came before it.
        self._sample(self._take_lag())
        created = time.time()
        begin = time.monotonic()
        self._collections.add(collection)
        try:
            while (left := duration_seconds - (time.monotonic() - begin)) > 0:
                await asyncio.sleep(min(left, self.interval))
                if progress is not None:
                    progress(min(1.0, (time.monotonic() - begin) / duration_seconds))
            self._sample(self._take_lag())
        finally:
            self._collections.discard(collection)
            if started_here:
                await self.stop()
        return collection.build(
            created=created,
            duration=time.monotonic() - begin,
            interval=self.interval,
            environment=environment(workload, agent_versions),
            name=name,
        )

    # -- sampling

    async def _run(self, ready: asyncio.Event) -> None:
        self._system.reset()
        self._prime()
        ready.set()
        loop = asyncio.get_running_loop()
        self._next_sample = loop.time() + self.interval
        self._worst_lag = 0.0
        while not self._stopping.is_set():
            planned = loop.time() + self.lag_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.lag_interval)
            now = loop.time()
            self._worst_lag = max(self._worst_lag, (now - planned) * 1000.0)
            if now >= self._next_sample and not self._stopping.is_set():
                self._sample(self._take_lag())

    def _take_lag(self) -> float:
        """The worst loop lag since the last sample; the next regular sample is due an interval
        from now."""
        lag, self._worst_lag = self._worst_lag, 0.0
        self._next_sample = asyncio.get_running_loop().time() + self.interval
        return lag

    def _prime(self) -> None:
        """Start every tracker's cursor at its current totals: a sample covers only its interval."""
        for tracker in self._trackers():
            self._read_tracker(tracker, {})

    def _sample(self, lag_ms: float) -> None:
        reading = self._system.read()
        components: dict[str, ComponentTick] = {}
        for tracker in self._trackers():
            self._read_tracker(tracker, components)
        bus = self._read_bus()
        sample = MonitoringSample(
            t=time.monotonic() - self._started_at,
            cpu_percent=reading.cpu_percent,
            host_cpu_percent=reading.host_cpu_percent,
            memory_used_mb=reading.memory_used_mb,
            host_memory_used_mb=reading.host_memory_used_mb,
            load_1m=reading.load_1m,
            loop_lag_ms=max(0.0, lag_ms),
            bus_queue_size=bus.queue_size if bus else 0,
            bus_utilization_percent=bus.queue_utilization_percent if bus else 0.0,
            bus_overflow_events=bus.queue_overflow_events if bus else 0,
            component_memory_mb={n: c.retained_mb for n, c in components.items()},
        )
        self._history.append(sample)
        tick = Tick(sample=sample, components=components, bus=bus)
        for collection in tuple(self._collections):
            collection.add(tick)

    def _read_bus(self) -> EventMetrics | None:
        bus = self._bus if self._bus is not None else get_event_bus()
        try:
            return bus.get_metrics()
        except Exception:  # a bus mid-shutdown: this sample goes without bus figures
            return None

    def _read_tracker(self, tracker: ComponentTracker, out: dict[str, ComponentTick]) -> None:
        metrics = tracker.get_component_metrics()
        slow_steps = tracker.loop_health().recent_slow_callbacks
        for name, m in metrics.items():
            key = (id(tracker), name)
            total, errors, sent, received, slow_at = self._cursors.get(key, (0, 0, 0, 0, 0.0))
            new = m.total_count - total
            tick = out.get(name)
            if tick is None:
                tick = out[name] = ComponentTick()
            if new > 0:
                window = tracker.component_timings[name]
                fresh = list(window)[-new:] if new <= len(window) else list(window)
                tick.latencies_ms.extend(fresh)
                tick.missed += new - len(fresh)
            tick.operations += max(new, 0)
            tick.errors += max(m.total_error_count - errors, 0)
            tick.bytes_sent += max(m.bytes_sent - sent, 0)
            tick.bytes_received += max(m.bytes_received - received, 0)
            tick.cpu_percent = m.avg_cpu_percent
            tick.retained_mb += m.retained_memory_mb
            newest = slow_at
            for step in slow_steps:
                if step.component == name and step.at > slow_at:
                    tick.slow_steps_ms.append(step.duration_ms)
                    newest = max(newest, step.at)
            self._cursors[key] = (
                m.total_count,
                m.total_error_count,
                m.bytes_sent,
                m.bytes_received,
                newest,
            )


_monitor: PerformanceMonitor | None = None


def get_performance_monitor() -> PerformanceMonitor:
    """The process-wide monitor (made on first use, sampling once started)."""
    global _monitor  # noqa: PLW0603 (the one documented convenience global, like get_event_bus)
    if _monitor is None:
        _monitor = PerformanceMonitor()
    return _monitor


async def establish_baseline(
    duration_seconds: float = 60.0,
    name: str | None = None,
    *,
    workload: str = "library",
    agent_versions: Mapping[str, str] | None = None,
    progress: Callable[[float], None] | None = None,
) -> PerformanceBaseline:
    """`PerformanceMonitor.establish_baseline` on the process-wide monitor."""
    return await get_performance_monitor().establish_baseline(
        duration_seconds,
        name,
        workload=workload,
        agent_versions=agent_versions,
        progress=progress,
    )
