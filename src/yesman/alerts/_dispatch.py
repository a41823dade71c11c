"""`Dispatcher`: delivers notifications to sinks off the watcher's path, one queue per sink.

    dispatcher = Dispatcher(sinks, record=on_delivery)
    async with dispatcher:
        dispatcher.submit("ops", notification)     # never waits, never raises

* Each sink has its own bounded queue and its own worker task, so a slow or dead sink delays
  only its own notifications: never the monitor (which publishes on the bus and goes on), never
  the other sinks.
* `submit()` only appends to a queue. When a sink's queue is full the *oldest* waiting
  notification is given up (recorded ``dropped``): newer news is worth more.
* An attempt that raises `DeliveryError`, `OSError` or runs past the sink's ``timeout`` is
  retried ``retries`` times after ``backoff`` seconds, doubling each time (at most 60 s). Then
  the notification is recorded ``undelivered`` with the last error; a permanent error (a
  program that is not installed, a 4xx answer) is recorded at once.
* Every outcome goes to ``record`` as a `DeliveryRecord` (the manager stores them).
* `stop()` gives the queued notifications ``drain`` seconds to go out, then cancels the workers
  and records what was left as ``undelivered`` ("the watcher stopped").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from yesman._lifecycle import Runner, Service
from yesman.alerts._errors import DeliveryError
from yesman.alerts._model import Notification
from yesman.alerts._sink import Sink

__all__ = ["DeliveryRecord", "Dispatcher", "SinkStats"]

_log = logging.getLogger(__name__)

_MAX_BACKOFF: Final = 60.0
_STOPPED: Final = "the watcher stopped first"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRecord:
    """What became of one notification at one sink.

    ``outcome``: ``delivered``, ``undelivered`` (every attempt failed), ``dropped`` (given up
    unsent: the sink's queue was full) or ``silenced`` (recorded by the manager, never sent).
    """

    notification: Notification
    sink: str
    outcome: str
    attempts: int
    time: float
    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkStats:
    """One sink's counters since the watcher started."""

    name: str
    type: str
    queued: int = 0
    delivered: int = 0
    undelivered: int = 0
    dropped: int = 0
    retries: int = 0
    last_error: str = ""
    last_delivered: float | None = None


@dataclass(slots=True)
class _Lane:
    sink: Sink
    queue: asyncio.Queue[Notification]
    stats: SinkStats
    busy: bool = False
    idle: asyncio.Event = field(default_factory=asyncio.Event)


class Dispatcher(Service):
    """See the module docstring."""

    def __init__(
        self,
        sinks: Mapping[str, Sink],
        *,
        record: Callable[[DeliveryRecord], None] = lambda record: None,
        clock: Callable[[], float] = time.time,
        drain: float = 5.0,
    ) -> None:
        self._sinks = dict(sinks)
        self._record = record
        self._clock = clock
        self._drain = drain
        self._lanes: dict[str, _Lane] = {}
        self._runner = Runner("yesman.alerts.dispatch")
        self._stop = asyncio.Event()

    def stats(self) -> tuple[SinkStats, ...]:
        return tuple(lane.stats for lane in self._lanes.values())

    async def start(self) -> None:
        if self._runner.running:
            return
        self._stop = asyncio.Event()
        self._lanes = {
            name: _Lane(
                sink,
                asyncio.Queue(maxsize=sink.config.queue),
                SinkStats(name=name, type=sink.config.type.value),
            )
            for name, sink in self._sinks.items()
        }
        await self._runner.start(self._main)

    async def stop(self) -> None:
        await self._runner.stop(self._stop.set, timeout=self._drain + 2.0)

    def submit(self, sink: str, notification: Notification) -> bool:
        """Queue `notification` for `sink`; False (and nothing queued) for an unknown sink."""
        lane = self._lanes.get(sink)
        if lane is None or not self._runner.running:
            return False
        if lane.queue.full():
            oldest = lane.queue.get_nowait()
            lane.stats = replace(lane.stats, dropped=lane.stats.dropped + 1)
            self._emit(lane, oldest, "dropped", 0, f"queue of {lane.queue.maxsize} full")
        lane.queue.put_nowait(notification)
        lane.idle.clear()
        lane.stats = replace(lane.stats, queued=lane.stats.queued + 1)
        return True

    async def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until every queue is empty and no delivery is in flight (for tests, shutdown)."""
        async with asyncio.timeout(timeout):
            for lane in self._lanes.values():
                while lane.busy or not lane.queue.empty():
                    await lane.idle.wait()

    async def _main(self, ready: asyncio.Event) -> None:
        lanes = list(self._lanes.values())
        started: list[_Lane] = []
        try:
            for lane in lanes:
                try:
                    await lane.sink.start()
                except Exception:
                    _log.exception("alert sink %s could not start", lane.stats.name)
                started.append(lane)
            async with asyncio.TaskGroup() as tg:
                workers = [
                    tg.create_task(self._work(lane), name=f"yesman.alerts.sink:{lane.stats.name}")
                    for lane in lanes
                ]
                ready.set()
                await self._stop.wait()
                with contextlib.suppress(TimeoutError):
                    await self.wait_idle(self._drain)
                for worker in workers:
                    worker.cancel()
        finally:
            for lane in lanes:
                left = 0
                while not lane.queue.empty():
                    note = lane.queue.get_nowait()
                    self._finish(lane, note, "undelivered", 0, _STOPPED, quiet=True)
                    left += 1
                if left:
                    _log.warning(
                        "%d alert notification(s) to %s not sent: the watcher stopped first",
                        left,
                        lane.stats.name,
                    )
                lane.idle.set()
            for lane in started:
                try:
                    await lane.sink.aclose()
                except Exception:
                    _log.exception("alert sink %s did not close cleanly", lane.stats.name)

    async def _work(self, lane: _Lane) -> None:
        while True:
            if lane.queue.empty():
                lane.idle.set()
            notification = await lane.queue.get()
            lane.busy = True
            try:
                await self._deliver(lane, notification)
            except asyncio.CancelledError:
                self._finish(lane, notification, "undelivered", 0, _STOPPED)
                raise
            finally:
                lane.busy = False

    async def _deliver(self, lane: _Lane, notification: Notification) -> None:
        config = lane.sink.config
        attempts = 0
        while True:
            attempts += 1
            try:
                async with asyncio.timeout(config.timeout):
                    note = await lane.sink.deliver(notification)
            except (DeliveryError, OSError, TimeoutError) as exc:
                error = str(exc) or type(exc).__name__
                if isinstance(exc, TimeoutError):
                    error = f"no answer within {config.timeout:g}s"
                permanent = isinstance(exc, DeliveryError) and exc.permanent
                if permanent or attempts > config.retries:
                    self._finish(lane, notification, "undelivered", attempts, error)
                    return
                lane.stats = replace(lane.stats, retries=lane.stats.retries + 1, last_error=error)
                delay = min(config.backoff * 2 ** (attempts - 1), _MAX_BACKOFF)
                _log.debug("sink %s: %s; retrying in %.1fs", lane.stats.name, error, delay)
                with contextlib.suppress(TimeoutError):
                    # A stopping watcher does not wait out a long backoff.
                    await asyncio.wait_for(self._stop.wait(), delay)
                    self._finish(lane, notification, "undelivered", attempts, error)
                    return
                continue
            except Exception as exc:  # a bug in a sink must not kill its lane
                _log.exception("alert sink %s failed unexpectedly", lane.stats.name)
                self._finish(lane, notification, "undelivered", attempts, repr(exc))
                return
            self._finish(lane, notification, "delivered", attempts, note or "")
            return

    def _finish(
        self,
        lane: _Lane,
        notification: Notification,
        outcome: str,
        attempts: int,
        error: str,
        *,
        quiet: bool = False,
    ) -> None:
        stats = lane.stats
        if outcome == "delivered":
            stats = replace(stats, delivered=stats.delivered + 1, last_delivered=self._clock())
        else:
            stats = replace(stats, undelivered=stats.undelivered + 1, last_error=error)
        if outcome != "delivered" and not quiet:
            _log.warning(
                "alert %s not delivered to %s after %d attempt(s): %s",
                notification.alert.rule,
                lane.stats.name,
                attempts,
                error,
                extra={"rule": notification.alert.rule},
            )
        lane.stats = stats
        self._emit(lane, notification, outcome, attempts, error)

    def _emit(
        self, lane: _Lane, notification: Notification, outcome: str, attempts: int, error: str
    ) -> None:
        try:
            self._record(
                DeliveryRecord(
                    notification=notification,
                    sink=lane.stats.name,
                    outcome=outcome,
                    attempts=attempts,
                    time=self._clock(),
                    error=error,
                )
            )
        except Exception:
            _log.exception("could not record a delivery to %s", lane.stats.name)
