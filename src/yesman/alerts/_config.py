"""What a rules file configures: `AlertConfig` with its rules, sinks and defaults.

The values here are what `yesman.alerts._parse` reads from TOML (strictly, with file and line
in every error); the file's syntax is described there and in the shipped ``default.toml``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path

from yesman.alerts._kinds import RuleKind
from yesman.alerts._model import Severity

__all__ = [
    "AlertConfig",
    "Defaults",
    "RuleConfig",
    "SinkConfig",
    "SinkType",
    "WebhookFormat",
    "default_rules_path",
    "default_rules_text",
]


class SinkType(StrEnum):
    WEBHOOK = "webhook"
    DESKTOP = "desktop"
    TMUX = "tmux"
    COMMAND = "command"
    LOG = "log"


class WebhookFormat(StrEnum):
    JSON = "json"
    SLACK = "slack"
    NTFY = "ntfy"
    ALERTMANAGER = "alertmanager"


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkConfig:
    """One ``[[sink]]``: where notifications go and how hard to try.

    Delivery: each attempt may take ``timeout`` seconds; a failed one is retried ``retries``
    times, waiting ``backoff`` seconds, then twice that, and so on (at most a minute). At most
    ``queue`` notifications wait for a sink; beyond that the oldest is recorded as undelivered.
    """

    name: str
    type: SinkType
    url: str = ""
    format: WebhookFormat = WebhookFormat.JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    path: str = ""
    display: float = 10.0
    timeout: float = 5.0
    retries: int = 3
    backoff: float = 1.0
    queue: int = 100
    send_resolved: bool = True
    min_severity: Severity = Severity.INFO


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleConfig:
    """One ``[[rule]]``. ``for_seconds``: how long the condition must hold before it fires;
    ``threshold``/``window``/``components``/``min_operations``: the kind's settings
    (see `yesman.alerts._kinds`); ``sessions``: globs on the tmux session (agent kinds)."""

    name: str
    kind: RuleKind
    for_seconds: float
    severity: Severity
    sinks: tuple[str, ...]
    repeat_interval: float
    labels: Mapping[str, str] = field(default_factory=dict)
    sessions: tuple[str, ...] | None = None
    threshold: float = 0.0
    window: float = 0.0
    components: tuple[str, ...] | None = None
    min_operations: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Defaults:
    repeat_interval: float = 4 * 3600.0
    sinks: tuple[str, ...] = ()
    dashboard_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertConfig:
    rules: tuple[RuleConfig, ...]
    sinks: tuple[SinkConfig, ...]
    defaults: Defaults = field(default_factory=Defaults)
    source: str = "<text>"

    def sink(self, name: str) -> SinkConfig:
        return next(s for s in self.sinks if s.name == name)


def default_rules_path() -> Path:
    """Where `yesman alerts init` puts a copy: ``$XDG_CONFIG_HOME/yesman/alerts.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / "yesman" / "alerts.toml"


def default_rules_text() -> str:
    """The shipped rules file (``yesman/alerts/default.toml``), for `yesman alerts init`."""
    return resources.files("yesman.alerts").joinpath("default.toml").read_text("utf-8")
