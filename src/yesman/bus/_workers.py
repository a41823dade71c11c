"""`Workers`: the loop each worker task runs, taking events off the queue and calling their
handlers, with what the bus needs to know about it: events in flight, time spent, `join()`.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable

from yesman.bus._events import Event
from yesman.bus._handlers import HandlerEntry, HandlerRegistry
from yesman.bus._queue import PriorityQueue

__all__ = ["Workers"]

OnFailure = Callable[[HandlerEntry, Event, BaseException], None]


class Workers:
    """Shared state of a bus's worker tasks; each task runs `run()`.

    `in_flight` counts events a worker is handling now, `interrupted` those whose worker was
    cancelled mid-way (see `interrupt`), `seconds` the time from taking an event to all of its
    handlers having returned. A handler that raises is passed to `on_failure`; the worker goes on.
    """

    __slots__ = (
        "_join_waiters",
        "_on_failure",
        "_queue",
        "_registry",
        "in_flight",
        "interrupted",
        "seconds",
    )

    def __init__(
        self, queue: PriorityQueue[Event], registry: HandlerRegistry, on_failure: OnFailure
    ) -> None:
        self._queue = queue
        self._registry = registry
        self._on_failure = on_failure
        self._join_waiters: list[asyncio.Future[None]] = []
        self.in_flight = 0
        self.interrupted = 0
        self.seconds = 0.0

    async def run(self) -> None:
        """One worker: forever take the next event and run its handlers one after the other."""
        # The hot path: locals instead of attribute lookups, one clock read per event.
        queue = self._queue
        get_nowait = queue.get_nowait
        table = self._registry.table
        handlers_for = self._registry.handlers_for
        on_failure = self._on_failure
        perf_counter = time.perf_counter
        isawaitable = inspect.isawaitable
        started = perf_counter()
        while True:
            try:
                event = get_nowait()
            except asyncio.QueueEmpty:
                # Going idle is the one moment "queue empty and nothing in flight" can start
                # (in_flight drops just before), so join() is served here, off the per-event path.
                if self._join_waiters and not self.in_flight:
                    self.wake_joiners()
                event = await queue.get()
                started = perf_counter()
            self.in_flight += 1
            try:
                handlers = table[event.type]
            except KeyError:
                handlers = handlers_for(event.type)
            for handler in handlers:
                try:
                    result = handler.func(event)
                    if handler.is_async or isawaitable(result):
                        await result
                except Exception as exc:
                    on_failure(handler, event, exc)
            now = perf_counter()
            self.seconds += now - started
            started = now
            self.in_flight -= 1

    def interrupt(self) -> int:
        """Count the events in flight as interrupted (their workers were cancelled); how many."""
        n, self.in_flight = self.in_flight, 0
        self.interrupted += n
        return n

    async def join(self) -> None:
        """Wait until the queue is empty and no event is being handled."""
        if not self._queue and not self.in_flight:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._join_waiters.append(fut)
        try:
            await fut
        finally:
            if fut in self._join_waiters:
                self._join_waiters.remove(fut)

    def wake_joiners(self) -> None:
        waiters, self._join_waiters = self._join_waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)
