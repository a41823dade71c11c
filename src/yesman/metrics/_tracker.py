"""`ComponentTracker`: latency, CPU, memory and I/O per named component of an asyncio program.

::

    tracker = ComponentTracker(["content_capture", "prompt_detection"])
    async with tracker:                       # step accounting + loop-lag sampler
        async with tracker.track("content_capture"):
            await capture()
        metrics = tracker.get_component_metrics()

``track(name)`` returns a `yesman.metrics._operation.TrackedOperation`: a ``with``/``async with``
block and a decorator for sync and async functions. How CPU and memory are charged, and when they
are unknown rather than guessed, is in `yesman.metrics._span`; the process-wide readings
(``measure_*``) are `yesman.metrics._process`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import tracemalloc
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, cast

from yesman._lifecycle import Runner
from yesman.metrics._checks import check_name, check_number
from yesman.metrics._component import ComponentMetrics, ComponentStats
from yesman.metrics._interval import DEFAULT_SAMPLE_SIZE, ComponentInterval, SketchState
from yesman.metrics._io import HostNetworkDelta
from yesman.metrics._loop import LoopHealth, LoopMonitor
from yesman.metrics._memory import MB, RssReader
from yesman.metrics._operation import TimedOperation, TrackedOperation
from yesman.metrics._process import ProcessSampler
from yesman.metrics._registry import register, unregister
from yesman.metrics._span import Span, SpanConfig, current
from yesman.metrics._steps import AccountingLease
from yesman.metrics._views import WindowView

__all__ = ["SEED_COMPONENTS", "ComponentTracker"]

logger = logging.getLogger(__name__)

_new_object = object.__new__
_running_loop = asyncio._get_running_loop

SEED_COMPONENTS: tuple[str, ...] = (
    "content_capture",
    "claude_status_check",
    "prompt_detection",
    "content_processing",
    "response_sending",
    "automation_analysis",
)
"""The six pipeline steps of the Claude monitor, in pipeline order."""


class ComponentTracker:
    """Per-component performance figures for any asyncio program.

    ``window`` is the number of recent operations behind the latency figures (per component,
    resizable through `component_timings`), ``resource_window`` the number behind memory, CPU and
    I/O averages. ``cpu``/``memory``/``io`` switch those measurements off; ``allocations`` turns on
    tracemalloc (it slows allocation-heavy code 3-30x). A component's memory is flagged as a
    suspected leak when its window retains at least ``leak_threshold_mb`` with growth in both
    halves (see `yesman.metrics._memory.looks_like_leak`).

    Lifecycle (`yesman._lifecycle`): ``start()`` installs step accounting on the running loop, so
    tasks created from then on are charged exactly, and starts the loop-lag sampler; ``stop()`` (or
    ``aclose()``) undoes both. Both are idempotent, ``start()`` after ``stop()`` starts again, and
    figures accumulate across restarts; ``async with tracker:`` is the pair. Without starting it,
    everything but loop lag works: the first operation that cannot be measured installs step
    accounting until ``stop()``.

    Record from one thread (the event loop's): the figures are not locked.
    """

    def __init__(
        self,
        components: Iterable[str] = (),
        *,
        window: int = 100,
        resource_window: int = 50,
        cpu: bool = True,
        memory: bool = True,
        io: bool = True,
        allocations: bool = False,
        leak_min_samples: int = 20,
        leak_threshold_mb: float = 1.0,
        lag_interval: float = 0.25,
        slow_callback_threshold: float = 0.1,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        for what, size in (("window", window), ("resource_window", resource_window)):
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"{what} must be a positive number of operations, got {size!r}")
        self._window = window
        self._resource_window = resource_window
        self._alloc = bool(allocations)
        self._started_tracemalloc = False
        self._start_tracemalloc()
        if isinstance(leak_min_samples, bool) or not isinstance(leak_min_samples, int):
            raise TypeError(f"leak_min_samples must be a whole number, got {leak_min_samples!r}")
        self._leak_min_samples = leak_min_samples
        self._leak_threshold_mb = check_number("leak_threshold_mb", leak_threshold_mb)
        slow_threshold = check_number("slow_callback_threshold", slow_callback_threshold)
        self._rss = RssReader()
        self._span_config = SpanConfig(
            rss=self._rss if memory else None,
            cpu=bool(cpu),
            io=bool(io),
            alloc=self._alloc,
            clock=clock,
        )
        self._op_class = TrackedOperation if self._span_config.contextual else TimedOperation
        self._page_mb = self._rss.page_size / MB
        self._cores = os.cpu_count() or 1
        self._stats: dict[str, ComponentStats] = {}
        for name in components:
            self._stats_for(check_name(name))
        self._process = ProcessSampler(self._rss, clock=clock)
        self.loop_monitor = LoopMonitor(lag_interval=lag_interval, clock=clock)
        self._lease = AccountingLease(slow_threshold=slow_threshold, namer=_component_of)
        self._runner = Runner("yesman-loop-lag")
        self._warned_unmeasured = False
        # The seed's dict-of-deques names.
        self._component_timings = WindowView("timings", self._stats, self._stats_for)
        self._component_memory_usage = WindowView("memory", self._stats, self._stats_for)
        self._component_cpu_usage = WindowView("cpu", self._stats, self._stats_for)
        self._component_network_io = WindowView("network", self._stats, self._stats_for)

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()`` (the loop-lag sampler is running)."""
        return self._runner.running

    async def start(self) -> None:
        """Install step accounting on the running loop and start the loop-lag sampler."""
        if self._runner.running:
            return
        self.loop_monitor.attach(self._lease.acquire(asyncio.get_running_loop()))
        self._start_tracemalloc()
        try:
            await self._runner.start(self.loop_monitor.run_lag_sampler)
        except BaseException:
            self._release()
            raise
        register(self)

    async def stop(self) -> None:
        """Stop the sampler and give back step accounting. Idempotent; figures stay readable."""
        unregister(self)
        task = self._runner.task
        try:
            await self._runner.stop(task.cancel if task is not None else _nothing, timeout=5.0)
        finally:
            self._release()

    aclose = stop

    async def __aenter__(self) -> ComponentTracker:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _start_tracemalloc(self) -> None:
        if self._alloc and not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_tracemalloc = True

    def _release(self) -> None:
        self._lease.release()
        if self._started_tracemalloc:
            tracemalloc.stop()
            self._started_tracemalloc = False

    def _unmeasured(self, op: TrackedOperation) -> None:
        """An operation's CPU and memory cannot be measured: make later ones measurable, say why."""
        loop = _running_loop()
        if loop is not None and self._lease.loop is not loop:
            self.loop_monitor.attach(self._lease.acquire(loop))
        if not self._warned_unmeasured:
            self._warned_unmeasured = True
            task = asyncio.current_task()
            logger.warning(
                "CPU and memory of %r operations in task %r are unknown: the task was created "
                "before step accounting was installed, and other tasks run during its awaits. "
                "Tasks created from now on are measured. Start the tracker (async with tracker) "
                "before creating the tasks that use it, decorate the coroutine function with "
                "tracker.track(name), or run under "
                "asyncio.Runner(loop_factory=yesman.metrics.instrumented_event_loop).",
                op.component,
                task.get_name() if task is not None else "?",
                extra={"component": op.component},
            )

    # -- tracking ------------------------------------------------------------------------------

    def track(self, component: str) -> TrackedOperation:
        """A new operation of ``component``, to use as ``with``/``async with`` or as a decorator."""
        stats = self._stats.get(component)
        if stats is None:
            stats = self._stats_for(check_name(component))
        # TrackedOperation.__init__, inlined: the Python-level __init__ call is a tenth of a
        # timing-only operation.
        op = _new_object(self._op_class)
        op.config = self._span_config
        op.is_open = False
        op._tracker = self
        op._stats = stats
        op.error_type = None
        op._explicit = False
        return op

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(self._stats)

    def _stats_for(self, component: str) -> ComponentStats:
        stats = self._stats.get(component)
        if stats is None:
            stats = self._stats[component] = ComponentStats(
                component, self._window, self._resource_window
            )
        return stats

    def count_io(self, component: str | None = None, *, sent: int = 0, received: int = 0) -> None:
        """Charge bytes moved outside the counted streams.

        Without ``component`` they go to the operations open in this context. With it they go to
        the open operation of that component, or straight to its totals when none is open.
        """
        check_number("sent", sent)
        check_number("received", received)
        span = current.get()
        while span is not None:
            if (
                span.is_open
                and span.config.io
                and (component is None or getattr(span, "component", None) == component)
            ):
                span.sent += int(sent)
                span.received += int(received)
                if component is not None:
                    return
            span = span.parent
        if component is not None:
            stats = self._stats_for(check_name(component))
            stats.bytes_sent += int(sent)
            stats.bytes_received += int(received)

    # -- the seed's recording methods, public and private names ---------------------------------

    def record_component_timing(
        self,
        component: str,
        duration_ms: float,
        success: bool = True,
        error_type: str | None = None,
    ) -> None:
        """Record one operation's duration (ms) and outcome."""
        ms = check_number("duration_ms", duration_ms)
        self._stats_for(check_name(component)).add_timing(
            ms, None if success else (error_type or "failed")
        )

    def record_component_memory(self, component: str, memory_delta_mb: float) -> None:
        """Record one operation's memory delta (MB, may be negative)."""
        delta = check_number("memory_delta_mb", memory_delta_mb, minimum=None)
        self._stats_for(check_name(component)).add_memory(delta)

    def record_component_cpu(self, component: str, cpu_percent: float) -> None:
        """Record one operation's CPU percent (CPU time over wall time, 0..100)."""
        percent = check_number("cpu_percent", cpu_percent)
        self._stats_for(check_name(component)).add_cpu(percent)

    def record_component_network_io(
        self, component: str, sent: int, recv: int, duration: float
    ) -> None:
        """Record bytes one operation sent and received over ``duration`` seconds."""
        check_number("sent", sent)
        check_number("recv", recv)
        seconds = check_number("duration", duration)
        self._stats_for(check_name(component)).add_io(int(sent), int(recv), seconds)

    _record_component_timing = record_component_timing
    _record_component_memory = record_component_memory
    _record_component_cpu = record_component_cpu
    _record_component_network_io = record_component_network_io

    # -- reading ---------------------------------------------------------------------------------

    def get_component_metrics(self) -> dict[str, ComponentMetrics]:
        """An immutable snapshot per component, in registration order."""
        return {
            name: stats.snapshot(
                cores=self._cores,
                leak_min_samples=self._leak_min_samples,
                leak_threshold_mb=self._leak_threshold_mb,
            )
            for name, stats in list(self._stats.items())
        }

    def latency_sketches(self) -> dict[str, SketchState]:
        """Per component, the latency (ms) of every operation so far as an immutable sketch
        (1 % relative accuracy): what an exporter turns into histogram buckets. Read-only: the
        intervals `take_intervals` hands out are not disturbed."""
        return {name: stats.lifetime_sketch() for name, stats in list(self._stats.items())}

    def take_intervals(
        self, sample_size: int = DEFAULT_SAMPLE_SIZE
    ) -> dict[str, ComponentInterval]:
        """Per component, what happened since the previous call, and start a new interval.

        The periodic report calls this once per interval (and nothing else should, or the report
        misses what the other caller took). Each result holds a mergeable latency sketch and a
        uniform sample of at most `sample_size` raw latencies (`yesman.metrics._interval`).
        """
        return {name: stats.take_interval(sample_size) for name, stats in list(self._stats.items())}

    def _get_component_metrics(self) -> dict[str, dict[str, Any]]:
        """The seed's shape: component -> dict of figures (``stats['average_ms']``)."""
        return {name: m.as_dict() for name, m in self.get_component_metrics().items()}

    def measure_memory_usage(self) -> float:
        """Resident memory of the whole process now, in MB."""
        return self._process.memory_mb()

    def memory_growth_mb(self) -> float:
        """Resident memory of the whole process now minus when the tracker was made, in MB."""
        return self._process.memory_growth_mb()

    def measure_cpu_usage(self) -> float:
        """CPU percent of the whole process since the previous call (never blocks)."""
        return self._process.cpu_percent()

    def measure_network_io_delta(self) -> HostNetworkDelta:
        """Host-wide NIC bytes since the previous call: a machine figure, not any component's."""
        return self._process.host_network_delta()

    _measure_memory_usage = measure_memory_usage
    _measure_cpu_usage = measure_cpu_usage
    _measure_network_io_delta = measure_network_io_delta

    def record_loop(self) -> None:
        """Count one pass of the application's main loop (for ``loops_per_second``)."""
        self.loop_monitor.record_loop()

    def loop_health(self, *, new_interval: bool = False) -> LoopHealth:
        return self.loop_monitor.health(new_interval=new_interval)

    @property
    def component_timings(self) -> WindowView:
        """Component -> latency window (ms); assign ``deque(maxlen=N)`` to resize."""
        return self._component_timings


def _nothing() -> None:
    return None


def _component_of(span: Span) -> str | None:
    return cast("str | None", getattr(span, "component", None))
