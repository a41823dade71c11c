"""Watching panes: `AsyncClaudeMonitor` for one pane, `MonitorSupervisor` for a whole server.

Layering: monitor uses agents (screen parsing), policy (decisions), tmux (panes), metrics
(component tracking), bus (events) and store (audit records); nothing below imports it.
"""

from yesman.monitor._automation import AutomationAnalyzer, AutomationContext, ContextKind
from yesman.monitor._monitor import COMPONENTS, AsyncClaudeMonitor, DecisionSink, MonitorSettings
from yesman.monitor._process import (
    ClaudeProcessController,
    ProcessMatcher,
    RestartPolicy,
    is_claude_code,
)
from yesman.monitor._session import PaneBackend, SessionManager
from yesman.monitor._status import PaneStatus, StatusChange, StatusManager
from yesman.monitor._supervisor import MonitorSupervisor, WatchedPane

__all__ = [
    "COMPONENTS",
    "AsyncClaudeMonitor",
    "AutomationAnalyzer",
    "AutomationContext",
    "ClaudeProcessController",
    "ContextKind",
    "DecisionSink",
    "MonitorSettings",
    "MonitorSupervisor",
    "PaneBackend",
    "PaneStatus",
    "ProcessMatcher",
    "RestartPolicy",
    "SessionManager",
    "StatusChange",
    "StatusManager",
    "WatchedPane",
    "is_claude_code",
]
