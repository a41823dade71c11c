"""What a monitor measures (the seed's component names) and the knobs it takes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COMPONENTS", "MonitorSettings"]

COMPONENTS = (
    "content_capture",
    "claude_status_check",
    "prompt_detection",
    "content_processing",
    "response_sending",
    "automation_analysis",
)


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    """Timing and behaviour knobs of one monitor (seconds).

    ``min_dialog_age`` None (the default) waits out the agent's own input guard for its version
    (``Agent.keys.input_guard``); a number overrides it for every agent.
    ``busy_capture_interval``: a pane that draws without pause is captured at most this often
    (the longest its changes are coalesced); raise it when captures queue behind many busy panes.
    Used by `MonitorSupervisor`.
    ``hook_wait``: in a pane whose agent sends hook requests, how long a new dialog is left to its
    hook before the screen watcher decides it (the hook may still be starting).
    """

    confirm_delay: float = 0.015
    min_dialog_age: float | None = None
    verify_timeout: float = 2.0
    verify_poll: float = 0.05
    reanswer_guard: float = 1.0
    heartbeat: float = 120.0  # a look without a change notification, as a safety net
    idle_after: float = 300.0
    dry_run: bool = False
    performance_interval: float = 60.0
    busy_capture_interval: float = 0.1
    hook_wait: float = 2.0
