"""`DirectCalls`: `publish_and_wait`'s path, which runs handlers in the caller's task and
returns what each did, bypassing the queue.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Sequence

from yesman.bus._events import Event
from yesman.bus._handlers import HandlerEntry, HandlerResult

__all__ = ["DirectCalls"]

OnFailure = Callable[[HandlerEntry, Event, BaseException], None]


class DirectCalls:
    """Runs handlers on one event concurrently and counts what it did.

    `started` counts the events run, `finished` those whose handlers all returned (or were timed
    out), `seconds` the time spent on those; `running` is the handler calls under way now.
    """

    __slots__ = ("_on_failure", "finished", "running", "seconds", "started")

    def __init__(self, on_failure: OnFailure) -> None:
        self._on_failure = on_failure
        self.started = 0
        self.finished = 0
        self.running = 0
        self.seconds = 0.0

    async def run(
        self, handlers: Sequence[HandlerEntry], event: Event, timeout: float | None
    ) -> list[HandlerResult]:
        """Each handler's outcome, in order; one still running after `timeout` seconds is
        cancelled and reported with a `TimeoutError`.
        """
        self.started += 1
        started = time.perf_counter()
        tasks = [asyncio.create_task(self._call(h, event)) for h in handlers]
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
                self._on_failure(handler, event, err)
                results.append(HandlerResult(handler.name, error=err))
            else:
                results.append(task.result())
        self.finished += 1
        self.seconds += time.perf_counter() - started
        return results

    async def _call(self, handler: HandlerEntry, event: Event) -> HandlerResult:
        self.running += 1
        try:
            result = handler.func(event)
            if handler.is_async or inspect.isawaitable(result):
                result = await result
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._on_failure(handler, event, exc)
            return HandlerResult(handler.name, error=exc)
        finally:
            self.running -= 1
        return HandlerResult(handler.name, result=result)
