"""Every metric yesman exports: its name, type, labels and help, for Prometheus and OTel alike.

Prometheus names follow its conventions: the ``yesman_`` prefix, base units in the name
(``_seconds``, ``_bytes``, ``_ratio``), ``_total`` on counters (added by the exposition: a
counter's `MetricSpec.name` has no suffix). OpenTelemetry names are dotted with the unit in the
metadata; each is chosen so that an OTel collector's Prometheus exporter, which appends the unit
and ``_total`` (UCUM ``s`` -> ``seconds``, ``By`` -> ``bytes``, ``1`` on a gauge -> ``ratio``,
``{...}`` annotations dropped), turns it back into the Prometheus name: the shipped dashboard and
alerting rules work on either path.

Every label is bounded: component names, event types, dialog kinds, outcomes, pane states and
agent names come from the code, policy rules from the policy file, tool names are capped
(`yesman.monitor.DialogTally`), agent versions are one per pane, and sessions and panes are as
many as the tmux server has. No command text, target or reason is ever a label.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

__all__ = ["CATALOG", "LATENCY_BUCKETS", "Kind", "MetricSpec", "by_name"]

LATENCY_BUCKETS: Final = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
"""Upper bounds (seconds) of the histogram buckets, +Inf implied: pipeline steps take from tens of
microseconds (parsing a screen) to seconds (typing an answer and verifying it)."""


class Kind(Enum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One exported metric family."""

    name: str  # Prometheus family name (a counter's without `_total`)
    kind: Kind
    help: str
    labels: tuple[str, ...]
    otel_name: str
    otel_unit: str

    @property
    def sample_names(self) -> tuple[str, ...]:
        """The names its samples carry in the text exposition."""
        if self.kind is Kind.COUNTER:
            return (f"{self.name}_total",)
        if self.kind is Kind.HISTOGRAM:
            return (f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count")
        return (self.name,)


_C, _G, _H = Kind.COUNTER, Kind.GAUGE, Kind.HISTOGRAM
_COMPONENT = ("component",)
_PANE = ("session", "pane", "agent")

CATALOG: Final[tuple[MetricSpec, ...]] = (
    # -- pipeline components (ComponentTracker) -------------------------------------------------
    MetricSpec(
        "yesman_component_latency_seconds", _H,
        "Time each pipeline step took, every operation since start (bucket bounds within 1 %).",
        _COMPONENT, "yesman.component.latency", "s",
    ),
    MetricSpec(
        "yesman_component_errors", _C, "Pipeline step operations that raised.",
        _COMPONENT, "yesman.component.errors", "{operation}",
    ),
    MetricSpec(
        "yesman_component_cancelled", _C, "Pipeline step operations cancelled midway.",
        _COMPONENT, "yesman.component.cancelled", "{operation}",
    ),
    MetricSpec(
        "yesman_component_cpu_seconds", _C,
        "CPU time charged to each pipeline step (its own task steps, not the whole process).",
        _COMPONENT, "yesman.component.cpu", "s",
    ),
    MetricSpec(
        "yesman_component_memory_retained_bytes", _G,
        "Resident memory the step's operations added and did not give back, summed (may be < 0).",
        _COMPONENT, "yesman.component.memory.retained", "By",
    ),
    MetricSpec(
        "yesman_component_io_bytes", _C,
        "Bytes each pipeline step moved through counted streams (tmux control connection).",
        ("component", "direction"), "yesman.component.io", "By",
    ),
    # -- the process and its event loop --------------------------------------------------------
    MetricSpec(
        "yesman_process_cpu_seconds", _C, "CPU time of the whole yesman process, all threads.",
        (), "yesman.process.cpu", "s",
    ),
    MetricSpec(
        "yesman_process_resident_memory_bytes", _G, "Resident memory of the yesman process.",
        (), "yesman.process.resident_memory", "By",
    ),
    MetricSpec(
        "yesman_event_loop_lag_seconds", _H,
        "How late a timer on the event loop fired, sampled every 0.25 s since start.",
        (), "yesman.event_loop.lag", "s",
    ),
    MetricSpec(
        "yesman_event_loop_slow_callbacks", _C,
        "Task steps that held the event loop longer than the slow-callback threshold.",
        (), "yesman.event_loop.slow_callbacks", "{step}",
    ),
    MetricSpec(
        "yesman_monitor_passes", _C, "Pipeline passes over a changed pane, all panes.",
        (), "yesman.monitor.passes", "{pass}",
    ),
    # -- the event bus --------------------------------------------------------------------------
    MetricSpec(
        "yesman_bus_events_published", _C, "Events accepted into the bus queue, per event type.",
        ("event_type",), "yesman.bus.events.published", "{event}",
    ),
    MetricSpec(
        "yesman_bus_events_processed", _C, "Events handed to every matching handler.",
        (), "yesman.bus.events.processed", "{event}",
    ),
    MetricSpec(
        "yesman_bus_events_dropped", _C,
        "Events accepted or offered but never handled (overflow, timeout, stop).",
        (), "yesman.bus.events.dropped", "{event}",
    ),
    MetricSpec(
        "yesman_bus_queue_overflows", _C,
        "Events lost to a full queue: rejected, evicted, or a waiting publish timed out.",
        (), "yesman.bus.queue.overflows", "{event}",
    ),
    MetricSpec(
        "yesman_bus_handler_errors", _C, "Event handler calls that raised.",
        (), "yesman.bus.handler.errors", "{call}",
    ),
    MetricSpec(
        "yesman_bus_queue_depth", _G, "Events waiting in the bus queue now.",
        (), "yesman.bus.queue.depth", "{event}",
    ),
    MetricSpec(
        "yesman_bus_queue_peak_depth", _G, "Highest bus queue depth since the bus was created.",
        (), "yesman.bus.queue.peak_depth", "{event}",
    ),
    MetricSpec(
        "yesman_bus_queue_capacity", _G, "Maximum size of the bus queue.",
        (), "yesman.bus.queue.capacity", "{event}",
    ),
    MetricSpec(
        "yesman_bus_queue_utilization_ratio", _G, "Bus queue depth over its capacity (0-1).",
        (), "yesman.bus.queue.utilization", "1",
    ),
    MetricSpec(
        "yesman_bus_backlog_seconds", _G,
        "Time the queued events need at the measured drain rate (+Inf when nothing drains).",
        (), "yesman.bus.backlog", "s",
    ),
    MetricSpec(
        "yesman_bus_active_handlers", _G, "Handler calls running now.",
        (), "yesman.bus.active_handlers", "{call}",
    ),
    MetricSpec(
        "yesman_bus_publishers_waiting", _G, "Publishers waiting for room in the queue now.",
        (), "yesman.bus.publishers_waiting", "{publisher}",
    ),
    MetricSpec(
        "yesman_bus_up", _G, "1 while the bus runs its workers, else 0.",
        (), "yesman.bus.up", "{bus}",
    ),
    # -- dialogs and the humans they wait for (MonitorSupervisor.dialog_totals) -----------------
    MetricSpec(
        "yesman_dialogs", _C,
        "Dialogs decided, per outcome, dialog kind, tool, policy rule and agent.",
        ("outcome", "kind", "tool", "rule", "agent"), "yesman.dialogs", "{dialog}",
    ),
    MetricSpec(
        "yesman_answers_unverified", _C,
        "Answers typed that did not take; each was handed to a human.",
        (), "yesman.answers.unverified", "{answer}",
    ),
    MetricSpec(
        "yesman_decisions_unrecorded", _C,
        "Decisions the audit database could not record (none of them was typed).",
        (), "yesman.decisions.unrecorded", "{decision}",
    ),
    MetricSpec(
        "yesman_human_wait_seconds", _C,
        "Seconds agents waited for a human on dialogs yesman left to one, ongoing waits included.",
        (), "yesman.human.wait", "s",
    ),
    MetricSpec(
        "yesman_human_waits", _C, "Waits for a human that have ended (the dialog went away).",
        (), "yesman.human.waits", "{wait}",
    ),
    # -- panes (MonitorSupervisor.watched) --------------------------------------------------------
    MetricSpec(
        "yesman_panes_watched", _G, "Panes being watched now.",
        (), "yesman.panes.watched", "{pane}",
    ),
    MetricSpec(
        "yesman_pane_state", _G,
        "1 for the state each watched pane is in now, 0 for the others.",
        (*_PANE, "state"), "yesman.pane.state", "{state}",
    ),
    MetricSpec(
        "yesman_pane_human_wait_seconds", _G,
        "How long the dialog on each pane has waited for a human (0 when none waits).",
        _PANE, "yesman.pane.human_wait", "s",
    ),
    MetricSpec(
        "yesman_agent_info", _G,
        "Always 1: the agent running in each watched pane and its version (\"\" until known).",
        ("session", "pane", "agent", "version"), "yesman.agent.info", "{info}",
    ),
)  # fmt: skip

_BY_NAME: Final = {spec.name: spec for spec in CATALOG}


def by_name(name: str) -> MetricSpec:
    return _BY_NAME[name]
