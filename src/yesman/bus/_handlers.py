"""Subscribers of the bus: how a handler is held, named, looked up, called back and reported."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self

from yesman.bus._events import Event, EventType

__all__ = [
    "WILDCARD",
    "EventHandler",
    "HandlerEntry",
    "HandlerRegistry",
    "HandlerResult",
    "Subscription",
    "handler_name",
    "is_async_callable",
]

WILDCARD = "*"
"""Subscribe to this instead of an event type to receive every event."""

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


class HandlerRegistry:
    """Who is subscribed to what, with a per-type dispatch table rebuilt lazily after changes.

    `table` maps an event type's value to the handlers to call, in subscription order, wildcard
    subscribers last. Workers hold on to the dict itself (it is cleared in place, never
    replaced) and fall back to `handlers_for` on a miss.
    """

    __slots__ = ("_by_key", "table")

    def __init__(self) -> None:
        self._by_key: dict[str, list[HandlerEntry]] = {}
        self.table: dict[str, tuple[HandlerEntry, ...]] = {}

    @property
    def count(self) -> int:
        """Subscriptions held now."""
        return sum(len(v) for v in self._by_key.values())

    def add(self, event_type: EventType | str, handler: EventHandler) -> Subscription:
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {type(handler).__name__}")
        key = self._key(event_type)
        entry = HandlerEntry(handler, is_async_callable(handler), handler_name(handler))
        self._by_key.setdefault(key, []).append(entry)
        self.table.clear()
        return Subscription(lambda: self._remove(key, entry), key)

    def remove_first(self, event_type: EventType | str, handler: EventHandler) -> bool:
        key = self._key(event_type)
        for entry in self._by_key.get(key, ()):
            if entry.func == handler:
                return self._remove(key, entry)
        return False

    def _remove(self, key: str, entry: HandlerEntry) -> bool:
        entries = self._by_key.get(key)
        if not entries or entry not in entries:
            return False
        entries.remove(entry)
        if not entries:
            del self._by_key[key]
        self.table.clear()
        return True

    def handlers_for(self, event_type: str) -> tuple[HandlerEntry, ...]:
        handlers = self.table.get(event_type)
        if handlers is None:
            handlers = tuple(self._by_key.get(event_type, ())) + tuple(
                self._by_key.get(WILDCARD, ())
            )
            self.table[event_type] = handlers
        return handlers

    @staticmethod
    def _key(event_type: EventType | str) -> str:
        if isinstance(event_type, EventType):
            return event_type.value
        if isinstance(event_type, str):
            if event_type != WILDCARD and event_type not in EventType._value2member_map_:
                known = ", ".join(t.value for t in EventType)
                raise ValueError(f"unknown event type {event_type!r}; use '*' or one of: {known}")
            return event_type
        raise TypeError(f"event_type must be an EventType or '*', got {type(event_type).__name__}")
