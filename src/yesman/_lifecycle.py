"""One lifecycle rule for everything long-lived, and the helper that implements it.

The rule (the event bus, the component tracker and its reporter, monitors, the supervisor, the
audit store and the tmux control client all keep it):

* ``await x.start()`` returns once ``x`` is ready, or raises what stopped it from starting.
  Starting a running component does nothing.
* ``await x.stop()`` stops it, finishing work in flight where the component documents it; it is
  idempotent and never raises for "already stopped". ``aclose()`` is the same call, for
  ``contextlib.aclosing`` and friends.
* Components are restartable: ``start()`` after ``stop()`` starts afresh. Figures accumulated so
  far (counters, statistics) are kept across a restart.
* ``async with x:`` is ``start()`` then ``stop()``.

The seed's names (``start_monitoring_async`` ...) are kept as aliases of these verbs.

:class:`Runner` is the shared piece: one background task that owns a component's resources for
as long as it runs, started with a readiness handshake so the caller learns about start-up
failures at ``start()`` rather than later from a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Self

__all__ = ["Runner", "Service"]

Main = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""A component's body: it sets the event once ready and returns when the component stops."""


class Runner:
    """Runs a component's body as one task with a readiness handshake.

    ``start(main)`` creates the task and waits until ``main`` sets its ready event or ends; if it
    ends first, its exception is raised from ``start()`` (a body that returns without becoming
    ready is treated as having stopped at once). ``stop(signal, timeout)`` asks the body to end
    (``signal()``), waits up to ``timeout`` seconds, then cancels it. Both are idempotent, and a
    stopped runner can be started again.
    """

    __slots__ = ("_name", "_task")

    def __init__(self, name: str) -> None:
        self._name = name
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True between a successful ``start()`` and the end of the body."""
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    async def start(self, main: Main) -> bool:
        """Start ``main`` unless already running; True when this call started it."""
        if self.running:
            return False
        ready = asyncio.Event()
        task = asyncio.create_task(main(ready), name=self._name)
        self._task = task
        waiter = asyncio.create_task(ready.wait(), name=f"{self._name}.ready")
        try:
            await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            # The caller gave up while we were starting: take the half-started body down too.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            self._task = None
            raise
        finally:
            waiter.cancel()
        if task.done() and not ready.is_set():
            self._task = None
            task.result()  # re-raise the start-up failure
        return True

    async def stop(self, signal: Callable[[], object], timeout: float | None = None) -> None:
        """Ask the body to end and wait for it (cancelling it after ``timeout`` seconds)."""
        task, self._task = self._task, None
        if task is None:
            return
        if not task.done():
            signal()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        except asyncio.CancelledError:
            if not task.done():
                raise  # we ourselves were cancelled while waiting


class Service:
    """Base of every long-lived component: `aclose()` and ``async with`` on top of the
    subclass's `start()` and `stop()`, so each component writes only those two."""

    __slots__ = ()

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Same as `stop()` (for `contextlib.aclosing` and friends)."""
        await self.stop()

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
