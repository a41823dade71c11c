"""`AsyncEventBus`: a `PriorityQueue` of events drained by a fixed set of worker tasks.

How it behaves, in short:

* `publish(event)` / `publish_nowait(event)` never block. They return True when the event was
  queued and False when it was refused (queue full, or the bus stopped). Events published before
  `start()` are queued and handled once the bus starts, so handlers can be wired up in any order.
* `await publish(event, wait=True, timeout=None)` is the form for a producer that must not lose
  events: on a full queue it waits for room like `asyncio.Queue.put` (waiting publishers are
  served FIFO, each as soon as a worker takes an event) and never evicts. It returns False only
  when `timeout` seconds pass first (counted as one dropped event) or the bus stops meanwhile.
* Waiting events are dispatched highest `EventPriority` first, FIFO within one priority.
* Full queue, non-waiting publish (`OverflowPolicy.EVICT_LOWER`, the default): the new event is
  refused unless a queued event of strictly lower priority exists; then the oldest event of the
  lowest queued priority is evicted to make room. `OverflowPolicy.REJECT` never evicts. Every
  refused or evicted event is counted in `events_dropped` and `queue_overflow_events` and logged
  (at most once per second, with a count of the rest).
* Handlers run on the worker task that took the event, one after the other. Async handlers are
  awaited; sync handlers are called directly on the event-loop thread, so they must return
  quickly: for blocking work, subscribe an async handler that calls `asyncio.to_thread`.
* A handler that raises is counted (`handler_errors`), logged with the event type and handler
  name, and reported once as a `SYSTEM_ERROR` event. A failure while handling a `SYSTEM_ERROR`
  event is only logged, so a broken error handler cannot feed on itself.
* Lifecycle (`yesman._lifecycle`): `start()`, `stop(timeout)` / `aclose()`, `async with`;
  idempotent and restartable, counters carry on. `stop` refuses new events, turns waiting
  publishers away, lets the workers drain the queue for up to `timeout` seconds, then cancels
  them; events left over are counted as dropped. It returns as soon as the queue is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from types import MappingProxyType

from yesman._lifecycle import Runner, Service
from yesman.bus._direct import DirectCalls
from yesman.bus._events import Event, EventPriority, EventType
from yesman.bus._handlers import (
    EventHandler,
    HandlerEntry,
    HandlerRegistry,
    HandlerResult,
    Subscription,
)
from yesman.bus._metrics import EventMetrics
from yesman.bus._payloads import BusReport
from yesman.bus._queue import OverflowPolicy, PriorityQueue
from yesman.bus._reporting import FailureLog, OverflowLog
from yesman.bus._sampling import DepthSampler, every
from yesman.bus._workers import Workers

__all__ = ["AsyncEventBus"]

log = logging.getLogger(__name__)

_STOP_GRACE = 1.0  # seconds the workers get to unwind once cancelled


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


class AsyncEventBus(Service):
    """A bounded, prioritised, measured event bus for one asyncio event loop.

    Args:
        max_queue_size: most events that may wait at once (must be >= 1).
        worker_count: worker tasks draining the queue (must be >= 1).
        overflow_policy: what a non-waiting publish does when the queue is full.
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

        self._worker_count = worker_count
        self._queue_sample_interval = queue_sample_interval
        self._metrics_interval_s = float(metrics_interval)
        self._sampler = DepthSampler(queue_history_size, drain_rate_window)
        self._queue: PriorityQueue[Event] = PriorityQueue(
            max_queue_size, overflow_policy, on_overflow=OverflowLog(max_queue_size)
        )
        self._put_nowait = self._queue.put_nowait  # bound once: publish is the hot path
        self._registry = HandlerRegistry()

        self._state = _State.NEW
        self._runner = Runner("yesman.bus")
        self._stop_signal = asyncio.Event()
        self._stopped = asyncio.Event()
        self._interval_changed = asyncio.Event()
        self._started_at = 0.0

        self._workers = Workers(self._queue, self._registry, self._handler_failed)
        self._direct = DirectCalls(self._handler_failed)
        self._failures = FailureLog()
        self._by_type: dict[str, int] = {}  # events accepted, per type

    # ------------------------------------------------------------------ configuration

    @property
    def max_queue_size(self) -> int:
        return self._queue.capacity

    @property
    def worker_count(self) -> int:
        return self._worker_count

    @property
    def overflow_policy(self) -> OverflowPolicy:
        return self._queue.policy

    @property
    def is_running(self) -> bool:
        return self._state is _State.RUNNING and self._runner.running

    @property
    def _metrics_interval(self) -> float:
        """Seconds between self-reports; the seed's configuration knob. Takes effect at once."""
        return self._metrics_interval_s

    @_metrics_interval.setter
    def _metrics_interval(self, seconds: float) -> None:
        self._metrics_interval_s = float(seconds)
        self._interval_changed.set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the workers, the depth sampler and the metrics reporter; return once ready.

        Starting a running bus does nothing; a stopped bus starts afresh, its counters carry on.
        """
        if self._state is _State.STOPPING:
            await self._stopped.wait()
        if self._state is _State.RUNNING:
            return
        self._state = _State.RUNNING
        # Fresh events on each start: an asyncio.Event binds to the loop that first waits on it.
        self._stopped = asyncio.Event()
        self._stop_signal = asyncio.Event()
        self._interval_changed = asyncio.Event()
        self._started_at = time.monotonic()
        self._sampler.restart(self._started_at, self._processed())
        self._queue.open()
        try:
            await self._runner.start(self._run)
        except BaseException:
            self._queue.close()
            self._state = _State.STOPPED
            self._stopped.set()
            raise

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting events, drain the queue for up to `timeout` seconds, then stop.

        Publishers waiting for room are turned away at once (their `publish` returns False).
        Returns as soon as the queue is drained. Events still queued after the timeout are
        counted as dropped and logged. Idempotent; on a bus never started it does nothing.
        """
        if self._state is _State.STOPPING:
            await self._stopped.wait()
            return
        if self._state is not _State.RUNNING:
            return
        self._state = _State.STOPPING
        self._queue.close()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.join(), timeout=max(timeout, 0.0))
        finally:
            try:
                await self._runner.stop(self._stop_signal.set, timeout=_STOP_GRACE)
            finally:
                self._finish_stop(timeout)

    def _finish_stop(self, timeout: float) -> None:
        """Account for what the stopped workers left behind and mark the bus stopped."""
        interrupted = self._workers.interrupt()
        left = self._queue.clear()
        if left or interrupted:
            log.warning(
                "event bus stopped after %.1fs with %d events not fully handled "
                "(%d queued, %d interrupted); they are counted in events_dropped",
                timeout,
                left + interrupted,
                left,
                interrupted,
            )
        self._state = _State.STOPPED
        self._stopped.set()
        self._workers.wake_joiners()

    async def join(self) -> None:
        """Wait until every event queued so far has been handled (or dropped)."""
        await self._workers.join()

    async def _run(self, ready: asyncio.Event) -> None:
        """The runner's body: every background task of the bus, in one task group."""
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(self._workers.run(), name=f"yesman.bus.worker-{i}")
                for i in range(self._worker_count)
            ]
            tasks.append(tg.create_task(self._sample_loop(), name="yesman.bus.sampler"))
            tasks.append(
                tg.create_task(
                    every(lambda: self._metrics_interval_s, self._interval_changed, self._report),
                    name="yesman.bus.reporter",
                )
            )
            ready.set()
            await self._stop_signal.wait()
            for task in tasks:
                task.cancel()

    # ------------------------------------------------------------------ subscribing

    def subscribe(self, event_type: EventType | str, handler: EventHandler) -> Subscription:
        """Call `handler(event)` for every event of `event_type` (or every event, with ``"*"``).

        Returns a `Subscription` whose `unsubscribe()` removes the handler again.
        """
        return self._registry.add(event_type, handler)

    def unsubscribe(self, event_type: EventType | str, handler: EventHandler) -> bool:
        """Remove the first subscription of `handler` to `event_type`; False if there was none."""
        return self._registry.remove_first(event_type, handler)

    # ------------------------------------------------------------------ publishing

    async def publish(
        self, event: Event, *, wait: bool = False, timeout: float | None = None
    ) -> bool:
        """Queue `event` for the handlers; True once queued, False when it was refused.

        Without `wait` it never blocks: a full queue applies the overflow policy at once. With
        ``wait=True`` it waits for room instead (FIFO among waiting publishers, never evicting)
        and returns False only if `timeout` seconds pass first, counted as one dropped event,
        or the bus stops meanwhile.
        """
        if not wait:
            if timeout is not None:
                raise ValueError("publish(timeout=...) needs wait=True; without it nothing waits")
            return self.publish_nowait(event)
        if not isinstance(event, Event):
            raise TypeError(f"publish() takes an Event, got {type(event).__name__}")
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be >= 0 or None, got {timeout}")
        if await self._queue.put(event, event.priority, timeout):
            by_type = self._by_type
            by_type[event.type] = by_type.get(event.type, 0) + 1
            return True
        return False

    def publish_nowait(self, event: Event) -> bool:
        """`publish` without waiting, for sync code on the loop's thread. Never blocks."""
        if not isinstance(event, Event):
            raise TypeError(f"publish() takes an Event, got {type(event).__name__}")
        if self._put_nowait(event, event.priority):
            by_type = self._by_type
            by_type[event.type] = by_type.get(event.type, 0) + 1
            return True
        return False

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
        self._by_type[event.type] = self._by_type.get(event.type, 0) + 1
        return await self._direct.run(self._registry.handlers_for(event.type), event, timeout)

    # ------------------------------------------------------------------ dispatching

    def _handler_failed(self, handler: HandlerEntry, event: Event, exc: BaseException) -> None:
        report = self._failures.failed(handler, event, exc)
        if report is not None and self._state in (_State.RUNNING, _State.NEW):
            self.publish_nowait(report)

    # ------------------------------------------------------------------ metrics

    async def _sample_loop(self) -> None:
        while True:
            await asyncio.sleep(self._queue_sample_interval)
            self._update_queue_depth_metrics()

    def _report(self) -> None:
        """Publish the current metrics as an event and start a new metrics interval."""
        metrics = self.get_metrics()
        self._queue.reset_high_water()
        self.publish_nowait(
            Event(
                type=EventType.PERFORMANCE_METRICS,
                payload=BusReport(metrics=metrics),
                source="event_bus",
                priority=EventPriority.LOW,
            )
        )

    def _update_queue_depth_metrics(self) -> None:
        """Sample the queue depth into the history and the drain-rate window (seed API name)."""
        self._sampler.sample(time.monotonic(), len(self._queue), self._processed())

    def _processed(self, taken: int | None = None) -> int:
        # Each event workers take is processed, in flight or interrupted, which spares the hot
        # path a counter of its own; publish_and_wait adds the events it handled itself.
        if taken is None:
            taken = self._queue.stats().taken
        w = self._workers
        return taken - w.in_flight - w.interrupted + self._direct.finished

    def get_metrics(self) -> EventMetrics:
        """An immutable snapshot of the bus's counters and queue-depth figures."""
        now = time.monotonic()
        q = self._queue.stats()
        w = self._workers
        processed = self._processed(q.taken)
        rate = self._sampler.drain_rate(now, processed)
        overflow = q.refused + q.evicted + q.timed_out
        return EventMetrics(
            events_published=q.accepted + self._direct.started,
            events_processed=processed,
            events_dropped=overflow + q.turned_away + q.discarded + w.interrupted,
            handler_errors=self._failures.count,
            average_processing_time=(
                (w.seconds + self._direct.seconds) / processed * 1000.0 if processed else 0.0
            ),
            queue_size=q.depth,
            # Each worker runs one handler at a time, plus publish_and_wait's calls right now.
            active_handlers=w.in_flight + self._direct.running,
            subscriber_count=self._registry.count,
            events_by_type=MappingProxyType(dict(self._by_type)),
            max_queue_depth=q.high_water,
            queue_depth_history=self._sampler.history,
            queue_utilization_percent=q.depth / q.capacity * 100.0,
            queue_backlog_duration_ms=DepthSampler.backlog_ms(q.depth, rate),
            peak_queue_depth=q.peak,
            queue_overflow_events=overflow,
            events_rejected=q.refused + q.timed_out,
            events_evicted=q.evicted,
            drain_rate_per_second=rate,
            queue_capacity=q.capacity,
            worker_count=self._worker_count,
            uptime_seconds=now - self._started_at if self._started_at else 0.0,
            publishers_waiting=q.putters_waiting,
            publish_waits=q.waited,
        )
