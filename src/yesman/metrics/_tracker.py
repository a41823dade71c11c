"""`ComponentTracker`: latency, CPU, memory and I/O per named component of an asyncio program.

::

    tracker = ComponentTracker(["content_capture", "prompt_detection"])
    async with tracker:                       # step accounting + loop-lag sampler
        async with tracker.track("content_capture"):
            await capture()
        metrics = tracker.get_component_metrics()

``track(name)`` is also a plain ``with`` block and a decorator for sync and async functions. How CPU
and memory are charged, and the limits of it, are described in `yesman.metrics._attribution`.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import inspect
import logging
import math
import os
import time
import tracemalloc
from collections.abc import Callable, Coroutine, Iterable
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar, cast, overload

from yesman.metrics._attribution import (
    Span,
    SpanConfig,
    StepAccounting,
    StepCoroutine,
    active_span,
    install_step_accounting,
)
from yesman.metrics._component import ComponentMetrics, ComponentStats
from yesman.metrics._io import HostNetworkDelta, HostNetworkSampler
from yesman.metrics._loop import LoopHealth, LoopMonitor
from yesman.metrics._memory import MB, RssReader
from yesman.metrics._process import ProcessSampler
from yesman.metrics._views import WindowView

__all__ = ["SEED_COMPONENTS", "ComponentTracker", "TrackedOperation"]

logger = logging.getLogger(__name__)

_new_object = object.__new__
_running_loop = asyncio._get_running_loop

P = ParamSpec("P")
R = TypeVar("R")

SEED_COMPONENTS: tuple[str, ...] = (
    "content_capture",
    "claude_status_check",
    "prompt_detection",
    "content_processing",
    "response_sending",
    "automation_analysis",
)
"""The six pipeline steps of the Claude monitor, in pipeline order."""


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    CLOSED = "closed"


def _check_name(component: object) -> str:
    if not isinstance(component, str) or not component.strip():
        raise ValueError(f"component name must be a non-empty string, got {component!r}")
    return component


def _check_number(what: str, value: object, *, minimum: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be >= {minimum:g}, got {value!r}")
    return float(value)


class TrackedOperation(Span):
    """One run of a component: a context manager (``with``/``async with``) and a decorator.

    Inside the block, `fail` marks an outcome as failed without raising, `succeed` undoes it. An
    exception leaving the block marks it failed with the exception's type name; a cancelled
    operation is counted as cancelled, not as an error.
    """

    __slots__ = ("_explicit", "_stats", "_tracker", "error_type")

    def __init__(self, tracker: ComponentTracker, stats: ComponentStats) -> None:
        self.config = tracker._span_config
        self.is_open = False
        self._tracker = tracker
        self._stats = stats
        self.error_type: str | None = None
        self._explicit = False

    @property
    def component(self) -> str:
        return self._stats.name

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    def fail(self, error_type: str = "failed") -> None:
        """Record this operation as failed (e.g. a timeout handled inside the block)."""
        self.error_type, self._explicit = error_type or "failed", True

    def succeed(self) -> None:
        """Record this operation as successful even if an exception leaves the block."""
        self.error_type, self._explicit = None, True

    __enter__ = Span.open

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        cfg = self.config
        seconds = cfg.clock() - self.started
        if cfg.contextual:
            self.close()
        else:
            # Span.close of a span that stayed out of the context: nothing to charge.
            self.is_open = False
        stats = self._stats
        if exc_type is not None:
            if issubclass(exc_type, asyncio.CancelledError):
                stats.cancelled += 1
                return
            if not self._explicit:
                self.error_type = exc_type.__name__
        # ComponentStats.add_timing, inlined: this is the per-operation hot path.
        stats.timings.append(seconds * 1000.0)
        stats.unfolded += 1
        if stats.unfolded >= stats.fold_at:
            stats.fold()
        if self.error_type is not None:
            stats.add_failure(self.error_type)
        if not cfg.contextual:
            return
        # The resources of the operation; ComponentStats.add_cpu and add_memory inlined.
        if cfg.cpu:
            cpu = self.cpu
            percent = 100.0 * cpu / seconds if seconds > 0.0 else 0.0
            # Single-threaded attribution cannot exceed one core; clock skew can nudge it over.
            percent = 100.0 if percent > 100.0 else (percent if percent > 0.0 else 0.0)
            stats.cpu_percents.append(percent)
            stats.cpu_seconds += cpu
            if percent > stats.peak_cpu:
                stats.peak_cpu = percent
            if not self.exact and _running_loop() is not None:
                stats.cpu_approx += 1
        if cfg.rss is not None:
            delta = self.pages * self._tracker._page_mb
            stats.memory.append(delta)
            stats.retained_mb += delta
            if delta > stats.peak_memory_mb:
                stats.peak_memory_mb = delta
        if cfg.alloc:
            stats.alloc_bytes += self.traced
            stats.alloc_count += self.blocks
        if cfg.io and (self.sent or self.received):
            stats.add_io(self.sent, self.received, seconds)

    async def __aenter__(self) -> TrackedOperation:
        return self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    @overload
    def __call__(
        self, fn: Callable[P, Coroutine[Any, Any, R]]
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    @overload
    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]: ...
    def __call__(self, fn: Callable[P, Any]) -> Callable[P, Any]:
        tracker, stats = self._tracker, self._stats
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                op = TrackedOperation(tracker, stats)
                op.open()
                # The coroutine's own steps are wrapped, so charging is exact even in a task that
                # is not step-accounted.
                op.exact = True
                try:
                    result = await StepCoroutine(fn(*args, **kwargs))
                except BaseException as exc:
                    op.__exit__(type(exc), exc, exc.__traceback__)
                    raise
                op.__exit__(None, None, None)
                return result

            return run_async

        @functools.wraps(fn)
        def run_sync(*args: P.args, **kwargs: P.kwargs) -> Any:
            with TrackedOperation(tracker, stats):
                return fn(*args, **kwargs)

        return run_sync


class _TimedOperation(TrackedOperation):
    """A `TrackedOperation` of a tracker that measures latency only.

    Nothing is charged, so the span never enters the context; ``with`` skips every resource branch
    (~5 % of a timing-only operation). Same outcome rules as `TrackedOperation.__exit__`: change
    both together.
    """

    __slots__ = ()

    def __enter__(self) -> Self:
        if self.is_open:
            raise RuntimeError(
                "this tracked operation is already running; call track() again for a new one"
            )
        self.is_open = True
        self.started = self.config.clock()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        seconds = self.config.clock() - self.started
        self.is_open = False
        stats = self._stats
        if exc_type is not None:
            if issubclass(exc_type, asyncio.CancelledError):
                stats.cancelled += 1
                return
            if not self._explicit:
                self.error_type = exc_type.__name__
        stats.timings.append(seconds * 1000.0)
        stats.unfolded += 1
        if stats.unfolded >= stats.fold_at:
            stats.fold()
        if self.error_type is not None:
            stats.add_failure(self.error_type)


class ComponentTracker:
    """Per-component performance figures for any asyncio program.

    ``window`` is the number of recent operations behind the latency figures (per component,
    resizable through `component_timings`), ``resource_window`` the number behind memory, CPU and
    I/O averages. ``cpu``/``memory``/``io`` switch those measurements off; ``allocations`` turns on
    tracemalloc (it slows allocation-heavy code 3-30x). A component's memory is flagged as a
    suspected leak when its window retains at least ``leak_threshold_mb`` with growth in both
    halves (see `yesman.metrics._memory.looks_like_leak`).

    Entering the tracker (``async with``) installs step accounting on the running loop (exact CPU
    and memory charging for tasks created from then on) and starts the loop-lag sampler; leaving
    undoes both. Without entering it, everything works except loop lag, and CPU/memory of
    ``async with`` blocks are charged by wall window (see `yesman.metrics._attribution`).

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
        if self._alloc and not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_tracemalloc = True
        if isinstance(leak_min_samples, bool) or not isinstance(leak_min_samples, int):
            raise TypeError(f"leak_min_samples must be a whole number, got {leak_min_samples!r}")
        self._leak_min_samples = leak_min_samples
        self._leak_threshold_mb = _check_number("leak_threshold_mb", leak_threshold_mb)
        self._slow_threshold = _check_number("slow_callback_threshold", slow_callback_threshold)
        self._rss = RssReader()
        self._span_config = SpanConfig(
            rss=self._rss if memory else None,
            cpu=bool(cpu),
            io=bool(io),
            alloc=self._alloc,
            clock=clock,
        )
        self._op_class = TrackedOperation if self._span_config.contextual else _TimedOperation
        self._page_mb = self._rss.page_size / MB
        self._cores = os.cpu_count() or 1
        self._stats: dict[str, ComponentStats] = {}
        for name in components:
            self._stats_for(_check_name(name))
        self._process = ProcessSampler(self._rss, clock=clock)
        self._host_net: HostNetworkSampler | None = None
        self.loop_monitor = LoopMonitor(lag_interval=lag_interval, clock=clock)
        self._acct: StepAccounting | None = None
        self._state = _State.NEW
        self._tg: asyncio.TaskGroup | None = None
        self._lag_task: asyncio.Task[None] | None = None
        # The seed's dict-of-deques names.
        self._component_timings = WindowView("timings", self._stats, self._stats_for)
        self._component_memory_usage = WindowView("memory", self._stats, self._stats_for)
        self._component_cpu_usage = WindowView("cpu", self._stats, self._stats_for)
        self._component_network_io = WindowView("network", self._stats, self._stats_for)

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> ComponentTracker:
        if self._state is not _State.NEW:
            raise RuntimeError(
                f"this ComponentTracker is {self._state.value}; create a new one to enter it again"
            )
        self._state = _State.RUNNING
        self._acct = install_step_accounting(slow_threshold=self._slow_threshold)
        self._acct.namer = _component_of
        self.loop_monitor.accounting = self._acct
        self._tg = asyncio.TaskGroup()
        await self._tg.__aenter__()
        started = asyncio.Event()
        self._lag_task = self._tg.create_task(
            self.loop_monitor.run_lag_sampler(started), name="yesman-loop-lag"
        )
        await started.wait()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._shutdown(exc_type, exc, tb)

    async def aclose(self) -> None:
        """Stop the sampler and step accounting. Idempotent; figures stay readable."""
        await self._shutdown(None, None, None)

    async def _shutdown(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        try:
            if self._lag_task is not None:
                self._lag_task.cancel()
            if self._tg is not None:
                # Not the body's exception: the group would wrap it in an ExceptionGroup. The
                # group only holds the sampler, which is cancelled and ends promptly.
                await self._tg.__aexit__(None, None, None)
        finally:
            self._tg = self._lag_task = None
            if self._acct is not None:
                self._acct.uninstall()
            if self._started_tracemalloc:
                tracemalloc.stop()
                self._started_tracemalloc = False

    # -- tracking ------------------------------------------------------------------------------

    def track(self, component: str) -> TrackedOperation:
        """A new operation of ``component``, to use as ``with``/``async with`` or as a decorator."""
        stats = self._stats.get(component)
        if stats is None:
            stats = self._stats_for(_check_name(component))
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
        _check_number("sent", sent)
        _check_number("received", received)
        span = active_span()
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
            stats = self._stats_for(_check_name(component))
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
        ms = _check_number("duration_ms", duration_ms)
        self._stats_for(_check_name(component)).add_timing(
            ms, None if success else (error_type or "failed")
        )

    def record_component_memory(self, component: str, memory_delta_mb: float) -> None:
        """Record one operation's memory delta (MB, may be negative)."""
        delta = _check_number("memory_delta_mb", memory_delta_mb, minimum=None)
        self._stats_for(_check_name(component)).add_memory(delta)

    def record_component_cpu(self, component: str, cpu_percent: float) -> None:
        """Record one operation's CPU percent (CPU time over wall time, 0..100)."""
        percent = _check_number("cpu_percent", cpu_percent)
        self._stats_for(_check_name(component)).add_cpu(percent)

    def record_component_network_io(
        self, component: str, sent: int, recv: int, duration: float
    ) -> None:
        """Record bytes one operation sent and received over ``duration`` seconds."""
        _check_number("sent", sent)
        _check_number("recv", recv)
        seconds = _check_number("duration", duration)
        self._stats_for(_check_name(component)).add_io(int(sent), int(recv), seconds)

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
        if self._host_net is None:
            self._host_net = HostNetworkSampler()
        return self._host_net.delta()

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


def _component_of(span: Span) -> str | None:
    return cast("str | None", getattr(span, "component", None))
