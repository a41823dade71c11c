"""`AsyncEventBus`: a bounded priority queue of events drained by a fixed set of worker tasks.

How it behaves, in short:

* `publish()` / `publish_nowait()` never block. They return True when the event was queued and
  False when it was refused (queue full, or the bus stopped). Events published before `start()`
  are queued and handled once the bus starts, so handlers can be wired up in any order.
* Waiting events are dispatched highest `EventPriority` first, FIFO within one priority.
* Full queue (`OverflowPolicy.EVICT_LOWER`, the default): the new event is refused unless a
  queued event of strictly lower priority exists; then the oldest event of the lowest queued
  priority is evicted to make room. `OverflowPolicy.REJECT` never evicts. Every refused or evicted
  event is counted in `events_dropped` and `queue_overflow_events` and logged (at most once per
  second, with a count of the rest).
* Handlers run on the worker task that took the event, one after the other. Async handlers are
  awaited; sync handlers are called directly on the event-loop thread, so they must return
  quickly: for blocking work, subscribe an async handler that calls `asyncio.to_thread`.
* A handler that raises is counted (`handler_errors`), logged with the event type and handler
  name, and reported once as a `SYSTEM_ERROR` event. A failure while handling a `SYSTEM_ERROR`
  event is only logged, so a broken error handler cannot feed on itself.
* `stop(timeout)` refuses new events, lets the workers drain the queue for up to `timeout`
  seconds, then cancels them; events left over are counted as dropped. It returns as soon as the
  queue is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import inspect
import logging
import math
import time
from collections import deque
from types import MappingProxyType, TracebackType
from typing import Self

from yesman.bus._events import Event, EventPriority, EventType
from yesman.bus._handlers import (
    EventHandler,
    HandlerEntry,
    HandlerResult,
    LogLimiter,
    Subscription,
    handler_name,
    is_async_callable,
)
from yesman.bus._metrics import EventMetrics

__all__ = ["AsyncEventBus", "OverflowPolicy"]

log = logging.getLogger(__name__)

WILDCARD = "*"
_PRIORITIES = tuple(EventPriority)  # ascending: LOW .. CRITICAL


class OverflowPolicy(enum.Enum):
    """What `publish` does when the queue is full."""

    EVICT_LOWER = "evict_lower"
    """Evict the oldest event of the lowest queued priority below the new one's, else refuse."""
    REJECT = "reject"
    """Refuse the new event."""


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


class AsyncEventBus:
    """A bounded, prioritised, measured event bus for one asyncio event loop.

    Args:
        max_queue_size: most events that may wait at once (must be >= 1).
        worker_count: worker tasks draining the queue (must be >= 1).
        overflow_policy: what to do when the queue is full (see the module docs).
        queue_sample_interval: seconds between queue-depth samples for the history and the
            drain-rate estimate.
        queue_history_size: how many depth samples `queue_depth_history` keeps.
        drain_rate_window: seconds of history used to measure the drain rate.
        metrics_interval: seconds between the bus publishing its own metrics as a
            `PERFORMANCE_METRICS` event (source ``"event_bus"``); also settable later through
            `_metrics_interval`. 0 or less turns the reports off.
    """

    def __init__(
        self,
        max_queue_size: int = 10000,
        worker_count: int = 4,
        *,
        overflow_policy: OverflowPolicy = OverflowPolicy.EVICT_LOWER,
        queue_sample_interval: float = 1.0,
        queue_history_size: int = 300,
        drain_rate_window: float = 5.0,
        metrics_interval: float = 60.0,
    ) -> None:
        for name, value in (("max_queue_size", max_queue_size), ("worker_count", worker_count)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if not isinstance(overflow_policy, OverflowPolicy):
            raise TypeError(f"overflow_policy must be an OverflowPolicy, got {overflow_policy!r}")
        if queue_sample_interval <= 0:
            raise ValueError(f"queue_sample_interval must be > 0, got {queue_sample_interval}")
        if queue_history_size < 1:
            raise ValueError(f"queue_history_size must be at least 1, got {queue_history_size}")
        if drain_rate_window <= 0:
            raise ValueError(f"drain_rate_window must be > 0, got {drain_rate_window}")

        self._capacity = max_queue_size
        self._worker_count = worker_count
        self._overflow_policy = overflow_policy
        self._queue_sample_interval = queue_sample_interval
        self._drain_rate_window = drain_rate_window
        self._metrics_interval_s = float(metrics_interval)

        # One FIFO per priority, indexed by EventPriority value; _size is their total length.
        self._queues: tuple[deque[Event], ...] = tuple(deque() for _ in _PRIORITIES)
        self._queues_high_first = tuple(reversed(self._queues))
        self._size = 0
        self._getters: deque[asyncio.Future[None]] = deque()
        self._unfinished = 0  # queued + being handled
        self._join_waiters: list[asyncio.Future[None]] = []

        self._handlers: dict[str, list[HandlerEntry]] = {}
        self._dispatch: dict[str, tuple[HandlerEntry, ...]] = {}

        self._state = _State.NEW
        self._refusing = False  # True while stopping or stopped; one check on the hot path
        self._runner: asyncio.Task[None] | None = None
        self._stop_requested: asyncio.Event | None = None
        self._interval_changed: asyncio.Event | None = None
        self._started_at = 0.0

        # Counters (see EventMetrics for their meaning).
        self._published = 0
        self._processed = 0
        self._dropped = 0
        self._rejected = 0
        self._evicted = 0
        self._handler_errors = 0
        self._processing_seconds = 0.0
        self._direct_calls = 0
        self._by_type: dict[str, int] = {}
        self._interval_max_depth = 0
        self._peak_depth = 0
        self._depth_history: deque[int] = deque(maxlen=queue_history_size)
        self._rate_samples: deque[tuple[float, int]] = deque()
        self._overflow_log = LogLimiter()
        self._handler_error_logs: dict[str, LogLimiter] = {}

    # ------------------------------------------------------------------ configuration

    @property
    def max_queue_size(self) -> int:
        return self._capacity

    @property
    def worker_count(self) -> int:
        return self._worker_count

    @property
    def overflow_policy(self) -> OverflowPolicy:
        return self._overflow_policy

    @property
    def is_running(self) -> bool:
        return self._state is _State.RUNNING

    @property
    def _metrics_interval(self) -> float:
        """Seconds between self-reports; the seed's configuration knob. Takes effect at once."""
        return self._metrics_interval_s

    @_metrics_interval.setter
    def _metrics_interval(self, seconds: float) -> None:
        self._metrics_interval_s = float(seconds)
        if self._interval_changed is not None:
            self._interval_changed.set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the workers and the metrics sampler. Calling it on a running bus does nothing.

        A stopped bus can be started again; its counters carry on.
        """
        if self._state in (_State.RUNNING, _State.STOPPING):
            return
        ready = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self._interval_changed = asyncio.Event()
        self._started_at = time.monotonic()
        self._rate_samples.clear()
        self._rate_samples.append((self._started_at, self._processed))
        self._state = _State.RUNNING
        self._refusing = False
        self._runner = asyncio.create_task(self._run(ready), name="yesman.bus")
        await ready.wait()

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting events, drain the queue for up to `timeout` seconds, then stop.

        Returns as soon as the queue is drained. Events still queued after the timeout are
        counted as dropped and logged. Calling it again, or on a bus never started, does nothing.
        """
        if self._state is not _State.RUNNING:
            return
        self._state = _State.STOPPING
        self._refusing = True
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.join(), timeout=max(timeout, 0.0))
        finally:
            assert self._stop_requested is not None
            self._stop_requested.set()
            if self._runner is not None:
                self._runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._runner
            self._runner = None
            # Whatever is left was queued or being handled when time ran out.
            left = self._unfinished
            if left:
                log.warning(
                    "event bus stopped after %.1fs with %d events not fully handled "
                    "(%d queued, %d interrupted); they are counted in events_dropped",
                    timeout,
                    left,
                    self._size,
                    left - self._size,
                )
                self._dropped += left
                for q in self._queues:
                    q.clear()
            self._size = 0
            self._unfinished = 0
            self._state = _State.STOPPED
            self._wake_join_waiters()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def join(self) -> None:
        """Wait until every event queued so far has been handled (or dropped)."""
        if self._unfinished == 0:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._join_waiters.append(fut)
        try:
            await fut
        finally:
            if fut in self._join_waiters:
                self._join_waiters.remove(fut)

    def _wake_join_waiters(self) -> None:
        waiters, self._join_waiters = self._join_waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def _run(self, ready: asyncio.Event) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                for i in range(self._worker_count):
                    tg.create_task(self._worker(), name=f"yesman.bus.worker-{i}")
                tg.create_task(self._sampler(), name="yesman.bus.sampler")
                tg.create_task(self._reporter(), name="yesman.bus.reporter")
                ready.set()
        finally:
            # Workers parked in _getters are gone; forget their futures.
            self._getters.clear()

    # ------------------------------------------------------------------ subscribing

    def subscribe(self, event_type: EventType | str, handler: EventHandler) -> Subscription:
        """Call `handler(event)` for every event of `event_type` (or every event, with ``"*"``).

        Returns a `Subscription` whose `unsubscribe()` removes the handler again.
        """
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {type(handler).__name__}")
        key = self._type_key(event_type)
        entry = HandlerEntry(handler, is_async_callable(handler), handler_name(handler))
        self._handlers.setdefault(key, []).append(entry)
        self._dispatch.clear()
        return Subscription(lambda: self._remove_handler(key, entry), key)

    def unsubscribe(self, event_type: EventType | str, handler: EventHandler) -> bool:
        """Remove the first subscription of `handler` to `event_type`; False if there was none."""
        key = self._type_key(event_type)
        for entry in self._handlers.get(key, ()):
            if entry.func == handler:
                return self._remove_handler(key, entry)
        return False

    def _remove_handler(self, key: str, entry: HandlerEntry) -> bool:
        entries = self._handlers.get(key)
        if not entries or entry not in entries:
            return False
        entries.remove(entry)
        if not entries:
            del self._handlers[key]
        self._dispatch.clear()
        return True

    @staticmethod
    def _type_key(event_type: EventType | str) -> str:
        if isinstance(event_type, EventType):
            return event_type.value
        if isinstance(event_type, str):
            if event_type != WILDCARD and event_type not in EventType._value2member_map_:
                known = ", ".join(t.value for t in EventType)
                raise ValueError(f"unknown event type {event_type!r}; use '*' or one of: {known}")
            return event_type
        raise TypeError(f"event_type must be an EventType or '*', got {type(event_type).__name__}")

    def _handlers_for(self, event_type: str) -> tuple[HandlerEntry, ...]:
        handlers = self._dispatch.get(event_type)
        if handlers is None:
            handlers = tuple(self._handlers.get(event_type, ())) + tuple(
                self._handlers.get(WILDCARD, ())
            )
            self._dispatch[event_type] = handlers
        return handlers

    # ------------------------------------------------------------------ publishing

    async def publish(self, event: Event) -> bool:
        """Queue `event` for the handlers. Never blocks; returns False when it was refused."""
        return self.publish_nowait(event)

    def publish_nowait(self, event: Event) -> bool:
        """Synchronous twin of `publish`, safe to call from sync code on the loop's thread."""
        if not isinstance(event, Event):
            raise TypeError(f"publish() takes an Event, got {type(event).__name__}")
        if self._refusing:
            self._dropped += 1
            return False
        if self._size >= self._capacity and not self._make_room(event):
            return False
        self._queues[event.priority].append(event)
        size = self._size = self._size + 1
        self._unfinished += 1
        self._published += 1
        by_type = self._by_type
        by_type[event.type] = by_type.get(event.type, 0) + 1
        if size > self._interval_max_depth:
            self._interval_max_depth = size
        getters = self._getters
        while getters:
            getter = getters.popleft()
            if not getter.done():
                getter.set_result(None)
                break
        return True

    def _make_room(self, event: Event) -> bool:
        """Apply the overflow policy for `event`; True when a slot was freed for it."""
        victim: Event | None = None
        if self._overflow_policy is OverflowPolicy.EVICT_LOWER:
            for priority in _PRIORITIES[: event.priority]:
                queue = self._queues[priority]
                if queue:
                    victim = queue.popleft()
                    break
        self._dropped += 1
        ok, suppressed = self._overflow_log.should_log()
        if victim is None:
            self._rejected += 1
            if ok:
                log.warning(
                    "event bus queue full (%d events): refused %s event from %r%s",
                    self._capacity,
                    event.type,
                    event.source,
                    f" ({suppressed} more overflows since the last message)" if suppressed else "",
                )
            return False
        self._evicted += 1
        self._size -= 1
        self._unfinished -= 1
        if ok:
            log.warning(
                "event bus queue full (%d events): evicted a %s %s event to make room for %s%s",
                self._capacity,
                victim.priority.name,
                victim.type,
                event.priority.name,
                f" ({suppressed} more overflows since the last message)" if suppressed else "",
            )
        return True

    async def publish_and_wait(
        self, event: Event, timeout: float | None = None
    ) -> list[HandlerResult]:
        """Run every matching handler on `event` now, concurrently, and return their outcomes.

        This bypasses the queue (so it works on a full or stopped bus) and runs in the caller's
        task. A handler still running after `timeout` seconds is cancelled and reported with a
        `TimeoutError`. Handler failures are counted and reported like queued ones.
        """
        if not isinstance(event, Event):
            raise TypeError(f"publish_and_wait() takes an Event, got {type(event).__name__}")
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be >= 0 or None, got {timeout}")
        handlers = self._handlers_for(event.type)
        self._published += 1
        self._by_type[event.type] = self._by_type.get(event.type, 0) + 1
        started = time.perf_counter()
        tasks = [asyncio.create_task(self._call_for_result(h, event)) for h in handlers]
        try:
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=timeout)
                for task in pending:
                    task.cancel()
                await asyncio.wait(tasks)
        finally:
            for task in tasks:
                task.cancel()
        results: list[HandlerResult] = []
        for handler, task in zip(handlers, tasks, strict=True):
            if task.cancelled():
                err = TimeoutError(f"handler {handler.name} did not finish within {timeout}s")
                self._handler_failed(handler, event, err)
                results.append(HandlerResult(handler.name, error=err))
            else:
                results.append(task.result())
        self._processed += 1
        self._processing_seconds += time.perf_counter() - started
        return results

    async def _call_for_result(self, handler: HandlerEntry, event: Event) -> HandlerResult:
        self._direct_calls += 1
        try:
            result = handler.func(event)
            if handler.is_async or inspect.isawaitable(result):
                result = await result
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._handler_failed(handler, event, exc)
            return HandlerResult(handler.name, error=exc)
        finally:
            self._direct_calls -= 1
        return HandlerResult(handler.name, result=result)

    # ------------------------------------------------------------------ dispatching

    async def _worker(self) -> None:
        # The hot path: locals instead of attribute lookups, one clock read per event.
        loop = asyncio.get_running_loop()
        queues = self._queues_high_first
        getters = self._getters
        dispatch = self._dispatch
        perf_counter = time.perf_counter
        isawaitable = inspect.isawaitable
        started = perf_counter()
        while True:
            if self._size == 0:
                while self._size == 0:
                    getter = loop.create_future()
                    getters.append(getter)
                    try:
                        await getter
                    except BaseException:
                        woken = getter.done() and not getter.cancelled()
                        getter.cancel()
                        with contextlib.suppress(ValueError):
                            getters.remove(getter)
                        if woken:  # hand the wake-up we will not use to another worker
                            self._wake_one()
                        raise
                started = perf_counter()
            for queue in queues:
                if queue:
                    event = queue.popleft()
                    break
            self._size -= 1
            try:
                handlers = dispatch[event.type]
            except KeyError:
                handlers = self._handlers_for(event.type)
            for handler in handlers:
                try:
                    result = handler.func(event)
                    if handler.is_async or isawaitable(result):
                        await result
                except Exception as exc:
                    self._handler_failed(handler, event, exc)
            now = perf_counter()
            self._processing_seconds += now - started
            started = now
            self._processed += 1
            self._unfinished -= 1
            if not self._unfinished and self._join_waiters:
                self._wake_join_waiters()

    def _wake_one(self) -> None:
        while self._getters:
            getter = self._getters.popleft()
            if not getter.done():
                getter.set_result(None)
                return

    def _handler_failed(self, handler: HandlerEntry, event: Event, exc: BaseException) -> None:
        self._handler_errors += 1
        limiter = self._handler_error_logs.setdefault(handler.name, LogLimiter())
        ok, suppressed = limiter.should_log()
        if ok:
            log.error(
                "event handler %s failed on %s event from %r: %s: %s%s",
                handler.name,
                event.type,
                event.source,
                type(exc).__name__,
                exc,
                f" ({suppressed} more failures of this handler since the last message)"
                if suppressed
                else "",
                exc_info=exc,
                extra={"handler": handler.name, "event_type": str(event.type)},
            )
        if event.type is EventType.SYSTEM_ERROR:
            return  # reporting a failed error handler would feed on itself
        if self._state is not _State.RUNNING and self._state is not _State.NEW:
            return
        self.publish_nowait(
            Event(
                type=EventType.SYSTEM_ERROR,
                data={
                    "error": f"{type(exc).__name__}: {exc}",
                    "error_type": type(exc).__name__,
                    "handler": handler.name,
                    "event_type": str(event.type),
                    "event_source": event.source,
                },
                source="event_bus",
                correlation_id=event.correlation_id,
                priority=EventPriority.HIGH,
            )
        )

    # ------------------------------------------------------------------ metrics

    async def _sampler(self) -> None:
        while True:
            await asyncio.sleep(self._queue_sample_interval)
            self._update_queue_depth_metrics()

    async def _reporter(self) -> None:
        assert self._interval_changed is not None
        changed = self._interval_changed
        last_report = time.monotonic()
        while True:
            changed.clear()
            interval = self._metrics_interval_s
            if interval <= 0:
                await changed.wait()
                continue
            delay = max(0.0, last_report + interval - time.monotonic())
            try:
                # Wake early when `_metrics_interval` changes, to re-plan from the last report.
                await asyncio.wait_for(changed.wait(), timeout=delay)
                continue
            except TimeoutError:
                pass
            self._report_metrics()
            last_report = time.monotonic()

    def _report_metrics(self) -> None:
        """Publish the current metrics as an event and start a new metrics interval."""
        metrics = self.get_metrics()
        self._peak_depth = max(self._peak_depth, self._interval_max_depth)
        self._interval_max_depth = self._size
        self.publish_nowait(
            Event(
                type=EventType.PERFORMANCE_METRICS,
                data={"component": "event_bus", **metrics.to_dict()},
                source="event_bus",
                priority=EventPriority.LOW,
            )
        )

    def _update_queue_depth_metrics(self) -> None:
        """Sample the queue depth into the history and the drain-rate window (seed API name)."""
        now = time.monotonic()
        size = self._size
        self._depth_history.append(size)
        if size > self._interval_max_depth:
            self._interval_max_depth = size
        samples = self._rate_samples
        samples.append((now, self._processed))
        horizon = now - self._drain_rate_window
        while len(samples) > 2 and samples[1][0] <= horizon:
            samples.popleft()

    def _drain_rate(self, now: float) -> float:
        if not self._rate_samples:
            return 0.0
        since, processed_then = self._rate_samples[0]
        elapsed = now - since
        if elapsed <= 0:
            return 0.0
        return (self._processed - processed_then) / elapsed

    def get_metrics(self) -> EventMetrics:
        """An immutable snapshot of the bus's counters and queue-depth figures."""
        now = time.monotonic()
        size = self._size
        rate = self._drain_rate(now)
        if size == 0:
            backlog_ms = 0.0
        elif rate > 0:
            backlog_ms = size / rate * 1000.0
        else:
            backlog_ms = math.inf
        processed = self._processed
        return EventMetrics(
            events_published=self._published,
            events_processed=processed,
            events_dropped=self._dropped,
            handler_errors=self._handler_errors,
            average_processing_time=(
                self._processing_seconds / processed * 1000.0 if processed else 0.0
            ),
            queue_size=size,
            # Queued-or-running minus queued = events a worker is handling now (each runs one
            # handler at a time), plus handler calls made by publish_and_wait right now.
            active_handlers=self._unfinished - size + self._direct_calls,
            subscriber_count=sum(len(v) for v in self._handlers.values()),
            events_by_type=MappingProxyType(dict(self._by_type)),
            max_queue_depth=max(self._interval_max_depth, size),
            queue_depth_history=tuple(self._depth_history),
            queue_utilization_percent=size / self._capacity * 100.0,
            queue_backlog_duration_ms=backlog_ms,
            peak_queue_depth=max(self._peak_depth, self._interval_max_depth, size),
            queue_overflow_events=self._rejected + self._evicted,
            events_rejected=self._rejected,
            events_evicted=self._evicted,
            drain_rate_per_second=rate,
            queue_capacity=self._capacity,
            worker_count=self._worker_count,
            uptime_seconds=now - self._started_at if self._started_at else 0.0,
        )
