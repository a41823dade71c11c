"""Subscribers of the bus: how a handler is held, named, called back and reported."""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self

from yesman.bus._events import Event

__all__ = [
    "EventHandler",
    "HandlerEntry",
    "HandlerResult",
    "LogLimiter",
    "Subscription",
    "handler_name",
    "is_async_callable",
]

EventHandler = Callable[[Event], Any] | Callable[[Event], Awaitable[Any]]
"""A subscriber: a sync or async callable taking the `Event`."""


@dataclass(frozen=True, slots=True)
class HandlerResult:
    """What one handler did with an event passed to `publish_and_wait`."""

    handler: str
    result: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class HandlerEntry:
    func: EventHandler
    is_async: bool
    name: str


def handler_name(func: Callable[..., Any]) -> str:
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    module = getattr(func, "__module__", None)
    return f"{module}.{name}" if module else str(name)


def is_async_callable(func: Callable[..., Any]) -> bool:
    while hasattr(func, "func"):  # functools.partial and friends
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 (callable objects with async __call__)
    )


class Subscription:
    """Returned by `subscribe`; call `unsubscribe()` (or use it as a context manager) to stop."""

    __slots__ = ("_event_type", "_remove")

    def __init__(self, remove: Callable[[], bool], event_type: str) -> None:
        self._remove = remove
        self._event_type = event_type

    @property
    def event_type(self) -> str:
        return self._event_type

    def unsubscribe(self) -> bool:
        """Remove the handler. Returns False when it was already removed."""
        return self._remove()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.unsubscribe()


class LogLimiter:
    """Logs the first occurrence, then at most once per `period` with a count of the rest."""

    __slots__ = ("_last", "_period", "_suppressed")

    def __init__(self, period: float = 1.0) -> None:
        self._period = period
        self._last = -math.inf
        self._suppressed = 0

    def should_log(self) -> tuple[bool, int]:
        now = time.monotonic()
        if now - self._last >= self._period:
            suppressed, self._suppressed = self._suppressed, 0
            self._last = now
            return True, suppressed
        self._suppressed += 1
        return False, 0
