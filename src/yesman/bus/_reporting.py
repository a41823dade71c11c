"""What the bus says when an event is lost or a handler fails: rate-limited logs and the
`SYSTEM_ERROR` event that reports a failure on the bus itself.
"""

from __future__ import annotations

import logging
import math
import time

from yesman.bus._events import Event, EventPriority, EventType
from yesman.bus._handlers import HandlerEntry
from yesman.bus._payloads import SystemFault

__all__ = ["FailureLog", "LogLimiter", "OverflowLog"]

log = logging.getLogger(__name__)


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


class OverflowLog:
    """The queue's overflow hook: one warning a second at most, naming what was lost."""

    __slots__ = ("_capacity", "_limiter")

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._limiter = LogLimiter()

    def __call__(self, event: Event, victim: Event | None) -> None:
        ok, suppressed = self._limiter.should_log()
        if not ok:
            return
        more = f" ({suppressed} more overflows since the last message)" if suppressed else ""
        if victim is None:
            log.warning(
                "event bus queue full (%d events): refused %s event from %r%s; "
                "publish(event, wait=True) waits for room instead",
                self._capacity,
                event.type,
                event.source,
                more,
            )
        else:
            log.warning(
                "event bus queue full (%d events): evicted a %s %s event to make room for %s%s",
                self._capacity,
                victim.priority.name,
                victim.type,
                event.priority.name,
                more,
            )


class FailureLog:
    """Counts handler failures, logs them (once a second per handler at most), and builds the
    `SYSTEM_ERROR` event that reports each one.
    """

    __slots__ = ("_limiters", "count")

    def __init__(self) -> None:
        self.count = 0
        self._limiters: dict[str, LogLimiter] = {}

    def failed(self, handler: HandlerEntry, event: Event, exc: BaseException) -> Event | None:
        """Record the failure; returns the event to publish about it, or None for a failure on
        a `SYSTEM_ERROR` event (reporting that would feed on itself).
        """
        self.count += 1
        limiter = self._limiters.get(handler.name)
        if limiter is None:
            limiter = self._limiters[handler.name] = LogLimiter()
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
            return None
        return Event(
            type=EventType.SYSTEM_ERROR,
            payload=SystemFault(
                error=f"{type(exc).__name__}: {exc}",
                source="event_bus",
                details={
                    "error_type": type(exc).__name__,
                    "handler": handler.name,
                    "event_type": str(event.type),
                    "event_source": event.source,
                },
            ),
            source="event_bus",
            correlation_id=event.correlation_id,
            priority=EventPriority.HIGH,
        )
