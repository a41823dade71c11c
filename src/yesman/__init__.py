"""yesman: watch coding agents in tmux, answer their dialogs by policy, measure every step.

Layers, lowest first; a module imports only from layers below it:

    bus        events, priorities, the event bus (imports nothing of ours)
    metrics    component tracking, loop health, bottlenecks, reports   (bus)
    agents     screen text -> AgentScreen; one subpackage per agent     (nothing of ours)
    policy     AgentScreen -> Decision                                  (agents)
    tmux       control-mode client, panes, process trees                (nothing of ours)
    store      the SQLite audit trail                                   (nothing of ours)
    monitor    AsyncClaudeMonitor, MonitorSupervisor                    (all of the above)
    testing    simulated agent, API stand-in, private tmux servers      (monitor, tmux)
    cli        the `yesman` command                                     (everything)
"""

from importlib.metadata import version as _version

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

__version__ = _version("yesman")

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
