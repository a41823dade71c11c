"""Evaluators of the rule kinds about yesman itself, from its periodic reports.

The tracker's `PerformanceReport` and the bus's `BusReport` arrive as ``PERFORMANCE_METRICS``
events once per report interval (60 s by default), so these conditions change at most that
often; ``for`` counts from the first report that crossed the threshold.

    component-latency  p95 of the interval's latencies (its mergeable sketch, ~1 % accurate) of
                       each component that ran at least ``min_operations`` times in the interval
    memory-leak        ``suspected_leak`` of a component's figures
    bottleneck         ``PERFORMANCE_ALERT`` started / resolved, per component
    loop-lag           the interval's p99 event-loop lag
    queue-utilisation  the bus queue's peak depth in the interval over its capacity
    queue-overflow     events lost to a full queue since the previous bus report
    tmux-disconnected  a ``SYSTEM_ERROR`` from tmux starts it; any sign of a working connection
                       (a pane's status change or a new pane after it) or a successful probe of
                       the server (`mark_connected`, called by the manager) ends it
"""

from __future__ import annotations

from collections.abc import Callable

from yesman.alerts._config import RuleConfig
from yesman.alerts._evaluator import Condition, Evaluator
from yesman.alerts._kinds import RuleKind
from yesman.bus import BusReport, Event, EventType, SessionCreated, StatusChanged, SystemFault
from yesman.metrics import ComponentInterval, ComponentMetrics, PerformanceAlert, PerformanceReport

__all__ = ["SYSTEM_EVALUATORS", "TmuxDisconnected"]


class _Keyed(Evaluator):
    """Conditions keyed by a name (a component, the bus), each kept with its first start."""

    events = frozenset({EventType.PERFORMANCE_METRICS})

    def __init__(self, rule: RuleConfig) -> None:
        super().__init__(rule)
        self.active: dict[str, Condition] = {}

    def set(self, key: str, condition: Condition | None) -> bool:
        old = self.active.get(key)
        if condition is None:
            return self.active.pop(key, None) is not None
        if old is not None:
            condition = Condition(
                labels=condition.labels,
                since=old.since,
                summary=condition.summary,
                value=condition.value,
                details=condition.details,
            )
        self.active[key] = condition
        return True

    def conditions(self, now: float) -> list[Condition]:
        return list(self.active.values())

    def covers(self, component: str) -> bool:
        wanted = self.rule.components
        return wanted is None or component in wanted


class ComponentLatency(_Keyed):
    def observe(self, event: Event) -> bool:
        report = event.payload
        if not isinstance(report, PerformanceReport):
            return False
        changed = False
        names = set(report.intervals) | set(report.components) | set(self.active)
        for name in sorted(n for n in names if self.covers(n)):
            p95, count = _interval_p95(report.intervals.get(name), report.components.get(name))
            over = count >= self.rule.min_operations and p95 > self.rule.threshold
            condition = None
            if over:
                condition = Condition(
                    labels={"component": name},
                    since=event.timestamp,
                    summary=f"{name} p95 latency {p95:.0f} ms over {self.rule.threshold:g} ms",
                    value=round(p95, 2),
                    details={"operations": str(count), "threshold_ms": f"{self.rule.threshold:g}"},
                )
            changed |= self.set(name, condition)
        return changed


def _interval_p95(
    interval: ComponentInterval | None, metrics: ComponentMetrics | None
) -> tuple[float, int]:
    """p95 ms and operation count of the interval (else of the tracker's recent window)."""
    if interval is not None:
        if interval.count == 0:
            return 0.0, 0
        return interval.sketch.to_sketch().quantile(0.95), interval.count
    if metrics is not None:
        return metrics.p95_ms, metrics.sample_count
    return 0.0, 0


class MemoryLeak(_Keyed):
    def observe(self, event: Event) -> bool:
        report = event.payload
        if not isinstance(report, PerformanceReport):
            return False
        changed = False
        for name, metrics in report.components.items():
            if not self.covers(name):
                continue
            condition = None
            if metrics.suspected_leak:
                condition = Condition(
                    labels={"component": name},
                    since=event.timestamp,
                    summary=f"{name} suspected of leaking memory "
                    f"({metrics.retained_memory_mb:.1f} MB retained)",
                    value=round(metrics.retained_memory_mb, 3),
                )
            changed |= self.set(name, condition)
        return changed


class Bottleneck(_Keyed):
    events = frozenset({EventType.PERFORMANCE_ALERT})

    def observe(self, event: Event) -> bool:
        alert = event.payload
        if not isinstance(alert, PerformanceAlert) or not self.covers(alert.bottleneck.component):
            return False
        found = alert.bottleneck
        if alert.state != "started":
            return self.set(found.component, None)
        return self.set(
            found.component,
            Condition(
                labels={"component": found.component},
                since=event.timestamp,
                summary=found.message(),
                value=round(found.average_ms, 2),
                details={"reasons": ", ".join(found.reasons)},
            ),
        )


class LoopLag(_Keyed):
    def observe(self, event: Event) -> bool:
        report = event.payload
        if not isinstance(report, PerformanceReport):
            return False
        lag = report.loop.lag_p99_ms
        condition = None
        if report.loop.lag_samples and lag > self.rule.threshold:
            condition = Condition(
                labels={},
                since=event.timestamp,
                summary=f"event loop p99 lag {lag:.0f} ms over {self.rule.threshold:g} ms",
                value=round(lag, 2),
                details={"max_ms": f"{report.loop.lag_max_ms:.1f}"},
            )
        return self.set("loop", condition)


class QueueUtilisation(_Keyed):
    def observe(self, event: Event) -> bool:
        report = event.payload
        if not isinstance(report, BusReport):
            return False
        m = report.metrics
        peak = m.queue_utilization_percent
        if m.queue_capacity:
            peak = max(peak, m.max_queue_depth / m.queue_capacity * 100.0)
        condition = None
        if peak > self.rule.threshold:
            condition = Condition(
                labels={"component": "event_bus"},
                since=event.timestamp,
                summary=f"event bus queue {peak:.0f} % full (over {self.rule.threshold:g} %)",
                value=round(peak, 1),
                details={"capacity": str(m.queue_capacity), "peak_depth": str(m.max_queue_depth)},
            )
        return self.set("bus", condition)


class QueueOverflow(_Keyed):
    def __init__(self, rule: RuleConfig) -> None:
        super().__init__(rule)
        self._seen: int | None = None

    def observe(self, event: Event) -> bool:
        report = event.payload
        if not isinstance(report, BusReport):
            return False
        total = report.metrics.queue_overflow_events
        # The first report counts everything since the bus started; a restarted bus starts at 0.
        lost = total - self._seen if self._seen is not None and total >= self._seen else total
        self._seen = total
        condition = None
        if lost >= self.rule.threshold:
            condition = Condition(
                labels={"component": "event_bus"},
                since=event.timestamp,
                summary=f"{lost} events lost to a full event bus queue",
                value=float(lost),
                details={"dropped_total": str(report.metrics.events_dropped)},
            )
        return self.set("bus", condition)


class TmuxDisconnected(_Keyed):
    events = frozenset(
        {EventType.SYSTEM_ERROR, EventType.CLAUDE_STATUS_CHANGED, EventType.SESSION_CREATED}
    )

    def observe(self, event: Event) -> bool:
        payload = event.payload
        if isinstance(payload, SystemFault):
            if payload.source != "tmux":
                return False
            server = str(payload.details.get("server", ""))
            return self.set(
                server,
                Condition(
                    labels={"server": server} if server else {},
                    since=event.timestamp,
                    summary=f"lost the tmux server {server}: {payload.error}".replace("  ", " "),
                ),
            )
        if isinstance(payload, StatusChanged | SessionCreated):
            return self.mark_connected(lambda since: event.timestamp > since)
        return False

    def mark_connected(self, after: Callable[[float], bool] = lambda since: True) -> bool:
        """The server answers again: end the conditions that started before that."""
        ended = [key for key, c in self.active.items() if after(c.since)]
        for key in ended:
            del self.active[key]
        return bool(ended)


SYSTEM_EVALUATORS: dict[RuleKind, type[Evaluator]] = {
    RuleKind.COMPONENT_LATENCY: ComponentLatency,
    RuleKind.MEMORY_LEAK: MemoryLeak,
    RuleKind.BOTTLENECK: Bottleneck,
    RuleKind.LOOP_LAG: LoopLag,
    RuleKind.QUEUE_UTILISATION: QueueUtilisation,
    RuleKind.QUEUE_OVERFLOW: QueueOverflow,
    RuleKind.TMUX_DISCONNECTED: TmuxDisconnected,
}
