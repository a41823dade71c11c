"""`EventMetrics`: an immutable snapshot of what the bus has done and how full its queue is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["EventMetrics"]


@dataclass(frozen=True, slots=True)
class EventMetrics:
    """What the bus has done since it was created, read at one instant.

    Counters are totals since the bus was created. "Interval" figures cover the current metrics
    interval (see `AsyncEventBus._metrics_interval`); a new interval starts each time the bus
    publishes its own metrics.

    Attributes:
        events_published: events accepted into the queue (refused ones are not counted here).
        events_processed: events taken off the queue and handed to every matching handler.
        events_dropped: events that were accepted or offered but never handled: refused because
            the queue was full, evicted to make room for a higher-priority event, given up by a
            waiting publish after its timeout, offered after `stop()` (waiting publishers turned
            away by `stop()` included), or still queued or being handled when `stop()` ran out of
            time. A waiting publish counts nothing while it waits.
        handler_errors: handler calls that raised.
        average_processing_time: mean milliseconds from a worker taking an event off the queue
            to all of its handlers having returned.
        queue_size: events waiting in the queue now (not counting those being handled).
        active_handlers: handler calls running at this instant.
        subscriber_count: handlers currently subscribed.
        events_by_type: events accepted, per event type value.
        max_queue_depth: highest queue depth seen in the current interval.
        queue_depth_history: queue depth sampled every `queue_sample_interval` seconds, oldest
            first, at most `queue_history_size` samples.
        queue_utilization_percent: `queue_size / queue_capacity * 100`.
        queue_backlog_duration_ms: time the current backlog needs at the measured drain rate;
            0 when the queue is empty, `inf` when events wait and none were processed in the
            drain-rate window (the queue is not draining).
        peak_queue_depth: highest queue depth seen since the bus was created.
        queue_overflow_events: events lost to a full queue: rejected plus evicted. Each such
            event is also counted in `events_dropped`.
        events_rejected: events refused because the queue was full and nothing could be evicted,
            and waiting publishes that timed out.
        events_evicted: lower-priority queued events removed to make room.
        drain_rate_per_second: events processed per second over the drain-rate window.
        queue_capacity: the queue's maximum size.
        worker_count: number of worker tasks.
        uptime_seconds: seconds since `start()` (0 before the first start).
        publishers_waiting: `publish(wait=True)` calls waiting for room now (backpressure).
        publish_waits: `publish(wait=True)` calls that found the queue full and had to wait,
            since the bus was created (however they ended).
    """

    events_published: int = 0
    events_processed: int = 0
    events_dropped: int = 0
    handler_errors: int = 0
    average_processing_time: float = 0.0
    queue_size: int = 0
    active_handlers: int = 0
    subscriber_count: int = 0
    events_by_type: Mapping[str, int] | None = None
    max_queue_depth: int = 0
    queue_depth_history: tuple[int, ...] = ()
    queue_utilization_percent: float = 0.0
    queue_backlog_duration_ms: float = 0.0
    peak_queue_depth: int = 0
    queue_overflow_events: int = 0
    events_rejected: int = 0
    events_evicted: int = 0
    drain_rate_per_second: float = 0.0
    queue_capacity: int = 0
    worker_count: int = 0
    uptime_seconds: float = 0.0
    publishers_waiting: int = 0
    publish_waits: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly copy (tuples become lists, mappings become dicts)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["events_by_type"] = {str(k): v for k, v in (self.events_by_type or {}).items()}
        out["queue_depth_history"] = list(self.queue_depth_history)
        return out
