"""Watching panes: `AsyncClaudeMonitor` for one pane, `MonitorSupervisor` for a whole server.

Layering: monitor uses agents (what runs in a pane, how to read it), policy (decisions), tmux
(panes), metrics (component tracking), bus (events) and store (audit records); nothing below
imports it. It names no agent: each pane's `Agent` says how to recognise and read it.
"""

from yesman.monitor._answer import AnswerOutcome
from yesman.monitor._audit import DecisionSink
from yesman.monitor._automation import AutomationAnalyzer, AutomationContext, ContextKind
from yesman.monitor._human import (
    HeldDialog,
    HumanAction,
    HumanAnswerRefused,
    HumanResult,
    RefusalReason,
)
from yesman.monitor._monitor import AsyncClaudeMonitor
from yesman.monitor._process import AgentProcessController, ClaudeProcessController, RestartPolicy
from yesman.monitor._session import PaneBackend, SessionManager
from yesman.monitor._settings import COMPONENTS, MonitorSettings
from yesman.monitor._status import PaneStatus, StatusChange, StatusManager
from yesman.monitor._supervisor import MonitorSupervisor, WatchedPane
from yesman.monitor._tally import DialogKey, DialogOutcome, DialogTally, DialogTotals

__all__ = [
    "COMPONENTS",
    "AgentProcessController",
    "AnswerOutcome",
    "AsyncClaudeMonitor",
    "AutomationAnalyzer",
    "AutomationContext",
    "ClaudeProcessController",
    "ContextKind",
    "DecisionSink",
    "DialogKey",
    "DialogOutcome",
    "DialogTally",
    "DialogTotals",
    "HeldDialog",
    "HumanAction",
    "HumanAnswerRefused",
    "HumanResult",
    "MonitorSettings",
    "MonitorSupervisor",
    "PaneBackend",
    "PaneStatus",
    "RefusalReason",
    "RestartPolicy",
    "SessionManager",
    "StatusChange",
    "StatusManager",
    "WatchedPane",
]
