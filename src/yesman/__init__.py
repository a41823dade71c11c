"""yesman: watch coding agents in tmux, answer their dialogs by policy, measure every step.

Layers, lowest first; a module imports only from layers below it (checked in CI by
import-linter, see ``[tool.importlinter]`` in pyproject.toml):

    bus        events and their typed payloads, the event bus          (nothing of ours)
    tmux       control-mode client, panes, process trees                (nothing of ours)
    store      the SQLite audit trail                                   (nothing of ours)
    agents     Agent descriptions and their registry; screen text ->    (nothing of ours)
               AgentScreen; one subpackage per agent
    metrics    component tracking, loop health, bottlenecks, reports   (bus)
    policy     AgentScreen -> Decision                                  (agents)
    testing    private tmux servers for tests (public, like libtmux's)  (tmux)
    history    metric and dialog history in the store, read API        (metrics, store)
    hooks      the hook channel: `yesman hook`, its socket server,     (policy, agents, store)
               installing hooks in agents' settings
    monitor    AsyncClaudeMonitor, MonitorSupervisor; names no agent    (all of the above)
    _simagent  the simulated Claude Code `yesman demo` runs (private)   (monitor, testing)
    baseline   baselines, comparison, optimisation suggestions         (history, metrics)
    workload   the standard demo workload baselines and gates run      (baseline, _simagent)
    gates      the quality gates of `yesman gates`                      (everything below)
    export     Prometheus text format and OTLP, from snapshots          (monitor, bus, metrics)
    dashboard  the web dashboard: pages, JSON API, live events           (everything below)
    alerts     alert rules over the watcher's events, sinks, silences  (monitor, history, store,
                                                                         bus, metrics, tmux)
    cli        the `yesman` command                                     (everything)

Everything may use ``_errors`` (the root ``YesmanError``) and ``_lifecycle`` (start/stop rules).
"""

from __future__ import annotations

import importlib

# Not `from typing import TYPE_CHECKING`: typing costs ~6 ms to import, and `yesman hook`
# (run before every permission dialog) passes through here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from yesman.agents.claude import parse_screen
    from yesman.bus import (
        AsyncEventBus,
        Event,
        EventMetrics,
        EventPriority,
        EventType,
        get_event_bus,
    )
    from yesman.metrics import ComponentTracker, PerformanceReporter
    from yesman.monitor import AsyncClaudeMonitor, MonitorSettings, MonitorSupervisor
    from yesman.policy import Policy
    from yesman.store import AuditStore
    from yesman.tmux import TmuxServer

# Imported on first use (PEP 562): `import yesman.bus` must not pay ~0.5 s for tmux, psutil,
# SQLite and the rest.
_LAZY = {
    "parse_screen": "yesman.agents.claude",
    "AsyncEventBus": "yesman.bus",
    "Event": "yesman.bus",
    "EventMetrics": "yesman.bus",
    "EventPriority": "yesman.bus",
    "EventType": "yesman.bus",
    "get_event_bus": "yesman.bus",
    "ComponentTracker": "yesman.metrics",
    "PerformanceReporter": "yesman.metrics",
    "AsyncClaudeMonitor": "yesman.monitor",
    "MonitorSettings": "yesman.monitor",
    "MonitorSupervisor": "yesman.monitor",
    "Policy": "yesman.policy",
    "AuditStore": "yesman.store",
    "TmuxServer": "yesman.tmux",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 (80 ms; only when asked)

        return version("yesman")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'yesman' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AsyncClaudeMonitor",
    "AsyncEventBus",
    "AuditStore",
    "ComponentTracker",
    "Event",
    "EventMetrics",
    "EventPriority",
    "EventType",
    "MonitorSettings",
    "MonitorSupervisor",
    "PerformanceReporter",
    "Policy",
    "TmuxServer",
    "__version__",
    "get_event_bus",
    "parse_screen",
]
