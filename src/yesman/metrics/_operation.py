"""`TrackedOperation`: one run of a component, as ``with``, ``async with`` or a decorator.

What an operation measures is set by its tracker (`yesman.metrics._span.SpanConfig`); how CPU and
memory are charged, and when they are unknown, is in `yesman.metrics._span`.

Memory is read at both ends of an operation (two ``/proc/self/statm`` reads, ~2.3 us together) when
the component's previous operation took at least `MEMORY_ALWAYS_SECONDS`, where that is noise, and
on every `MEMORY_EVERY`-th operation otherwise, so sub-50-us operations stay near 3 us each. The
first operation of a component is always read. CPU is read on every operation.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, ParamSpec, Self, TypeVar, overload

from yesman._errors import LifecycleError
from yesman.metrics._component import ComponentStats
from yesman.metrics._memory import allocated_blocks, resident_pages, traced_bytes
from yesman.metrics._span import Span, current, thread_state
from yesman.metrics._steps import StepCoroutine

if TYPE_CHECKING:
    from yesman.metrics._tracker import ComponentTracker

__all__ = ["MEMORY_ALWAYS_SECONDS", "MEMORY_EVERY", "TimedOperation", "TrackedOperation"]

P = ParamSpec("P")
R = TypeVar("R")

MEMORY_ALWAYS_SECONDS: Final = 50e-6
"""Operations at least this long have their memory read every time (the reads are <= 5 % of it)."""

MEMORY_EVERY: Final = 16
"""Shorter operations have their memory read once in this many."""

_thread_time: Final = time.thread_time


def _already_running() -> LifecycleError:
    return LifecycleError(
        "this tracked operation is already running; call track() again for a new one"
    )


class TrackedOperation(Span):
    """One run of a component: a context manager (``with``/``async with``) and a decorator.

    Inside the block, `fail` marks an outcome as failed without raising, `succeed` undoes it. An
    exception leaving the block marks it failed with the exception's type name; a cancelled
    operation is counted as cancelled, not as an error. After the block, `cpu_seconds` and
    `memory_delta_mb` hold what was charged to it, None where that was not measured or is unknown.
    """

    __slots__ = ("_explicit", "_stats", "_tracker", "error_type")

    _tracker: ComponentTracker
    _stats: ComponentStats
    error_type: str | None
    _explicit: bool

    def __init__(self, tracker: ComponentTracker, stats: ComponentStats) -> None:
        self.config = tracker._span_config
        self.is_open = False
        self._tracker = tracker
        self._stats = stats
        self.error_type = None
        self._explicit = False

    @property
    def component(self) -> str:
        return self._stats.name

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    @property
    def cpu_seconds(self) -> float | None:
        """Thread CPU time charged to this operation (so far, while it runs)."""
        if getattr(self, "unknown", True) or not self.config.cpu:
            return None
        return self.cpu

    @property
    def memory_delta_mb(self) -> float | None:
        """Resident memory gained (negative: given back) while this operation's code ran, MB."""
        if getattr(self, "unknown", True) or not getattr(self, "mem", False):
            return None
        return self.pages * self._tracker._page_mb

    def fail(self, error_type: str = "failed") -> None:
        """Record this operation as failed (e.g. a timeout handled inside the block)."""
        self.error_type, self._explicit = error_type or "failed", True

    def succeed(self) -> None:
        """Record this operation as successful even if an exception leaves the block."""
        self.error_type, self._explicit = None, True

    def __enter__(self) -> Self:
        if self.is_open:
            raise _already_running()
        self.is_open = True
        cfg = self.config
        self.exact = thread_state.in_step
        self.unknown = False
        self.parent = current.get()
        self._token = current.set(self)
        if cfg.io:
            self.sent = self.received = 0
        if cfg.cpu:
            self.cpu = 0.0
            self.since_cpu = _thread_time()
        rss = cfg.rss
        if rss is not None and self._stats.mem_due:
            self.mem = True
            self.pages = 0
            self.since_statm = rss.statm()
        else:
            self.mem = False
        if cfg.alloc:
            self.traced = self.blocks = 0
            self.since_traced = traced_bytes()
            self.since_blocks = allocated_blocks()
        # Last, so the wall time excludes the set-up.
        self.started = cfg.clock()
        return self

    async def __aenter__(self) -> Self:
        if thread_state.in_step or not self.config.measures:
            return self.__enter__()
        # A task that is not step-accounted: its awaits let other tasks run inside this window.
        if self.is_open:
            raise _already_running()
        self.is_open = True
        cfg = self.config
        self.exact = False
        self.unknown = True
        self.mem = False
        self.parent = current.get()
        self._token = current.set(self)
        if cfg.io:
            self.sent = self.received = 0
        self._tracker._unmeasured(self)
        self.started = cfg.clock()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        cfg = self.config
        seconds = cfg.clock() - self.started
        self.is_open = False
        stats = self._stats
        known = not self.unknown
        if known:
            # The last segment, charged as _span.suspend charges a step.
            if cfg.cpu:
                self.cpu += _thread_time() - self.since_cpu
            if self.mem:
                statm = cfg.rss.statm()  # type: ignore[union-attr]  # mem implies rss
                if statm != self.since_statm:
                    self.pages += resident_pages(statm) - resident_pages(self.since_statm)
            if cfg.alloc:
                self.charge_allocations()
        try:
            current.reset(self._token)
        except ValueError:
            # Closed from another context (entered in one task, exited in another): do not
            # disturb that context's own spans.
            if current.get() is self:
                current.set(self.parent)
        if cfg.rss is not None:
            # Whether the component's next operation reads memory (see the module docstring).
            if seconds >= MEMORY_ALWAYS_SECONDS:
                stats.mem_due = True
            elif stats.mem_countdown > 1:
                stats.mem_countdown -= 1
                stats.mem_due = False
            else:
                stats.mem_countdown = MEMORY_EVERY
                stats.mem_due = True
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
        # The resources of the operation; ComponentStats.add_cpu and add_memory inlined.
        if not known:
            stats.unmeasured += 1
        else:
            if cfg.cpu:
                cpu = self.cpu
                percent = 100.0 * cpu / seconds if seconds > 0.0 else 0.0
                # One thread cannot use more than one core; clock skew can nudge it over.
                percent = 100.0 if percent > 100.0 else (percent if percent > 0.0 else 0.0)
                stats.cpu_percents.append(percent)
                stats.cpu_seconds += cpu
                if percent > stats.peak_cpu:
                    stats.peak_cpu = percent
            if self.mem:
                delta = self.pages * self._tracker._page_mb
                stats.memory.append(delta)
                stats.memory_samples += 1
                stats.retained_mb += delta
                if delta > stats.peak_memory_mb:
                    stats.peak_memory_mb = delta
            if cfg.alloc:
                stats.alloc_bytes += self.traced
                stats.alloc_count += self.blocks
        if cfg.io and (self.sent or self.received):
            stats.add_io(self.sent, self.received, seconds)

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
        cls = type(self)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                op = cls(tracker, stats)
                op.__enter__()
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
            with cls(tracker, stats):
                return fn(*args, **kwargs)

        return run_sync


class TimedOperation(TrackedOperation):
    """A `TrackedOperation` of a tracker that measures latency only.

    Nothing is charged, so the operation never enters the context and skips every resource branch
    (~5 % of a timing-only operation). Same outcome rules as `TrackedOperation.__exit__`: change
    both together.
    """

    __slots__ = ()

    def __enter__(self) -> Self:
        if self.is_open:
            raise _already_running()
        self.is_open = True
        self.started = self.config.clock()
        return self

    async def __aenter__(self) -> Self:
        return self.__enter__()

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
