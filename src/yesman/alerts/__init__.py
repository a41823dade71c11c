"""yesman.alerts: rules over the watcher's events, deduplicated alerts, delivered where people look.

    config = load_alert_config("alerts.toml")          # AlertConfigError names file and line
    async with AlertManager(config, bus, store=store, tmux=server) as alerts:
        alerts.active()          # pending and firing `Alert` records (frozen)
        alerts.recent()          # resolved ones, newest first
        await alerts.ack(12)     # no more repeats of alert 12
        await alerts.silence("dialog-held", 3600)

From another process (the CLI, a dashboard serving the history alone): `read_alerts`,
`ack_alert`, `add_silence`, `expire_silence` against the database; a running watcher reads
acknowledgements and silences back within a second.

Modules, lowest first: ``_model`` (the records), ``_durations``, ``_lines`` and ``_kinds`` (rule
kinds and their defaults), ``_config`` (what a rules file sets) and ``_parse`` (reading one),
``_evaluator`` with ``_agent_rules`` and ``_system_rules`` (events -> conditions), ``_book``
(conditions -> pending / firing / resolved), ``_sink`` and ``_webhook`` with ``_formats``
(delivery), ``_dispatch`` (per-sink queues, retries), ``_rows`` and ``_db`` (the tables of
migration 6), ``_recorder`` (the manager's side of them), ``_manager`` (the whole, on the bus).

Layering: uses `yesman.bus`, `yesman.metrics` (report payloads), `yesman.store` and
`yesman.tmux`; only the CLI (and the dashboard) import it.
"""

from yesman.alerts._config import (
    AlertConfig,
    Defaults,
    RuleConfig,
    SinkConfig,
    SinkType,
    WebhookFormat,
    default_rules_path,
    default_rules_text,
)
from yesman.alerts._db import (
    AlertDB,
    AlertListing,
    ack_alert,
    add_silence,
    expire_silence,
    parse_ref,
    read_alerts,
    read_deliveries,
)
from yesman.alerts._dispatch import DeliveryRecord, SinkStats
from yesman.alerts._durations import format_duration, parse_duration
from yesman.alerts._errors import AlertConfigError, AlertError, AlertNotFoundError, DeliveryError
from yesman.alerts._kinds import RuleKind
from yesman.alerts._manager import AlertManager
from yesman.alerts._model import (
    Alert,
    AlertState,
    Notification,
    NotificationStatus,
    Severity,
    Silence,
    fingerprint,
)
from yesman.alerts._parse import load_alert_config, parse_alert_config
from yesman.alerts._sink import Sink, build_sinks

__all__ = [
    "Alert",
    "AlertConfig",
    "AlertConfigError",
    "AlertDB",
    "AlertError",
    "AlertListing",
    "AlertManager",
    "AlertNotFoundError",
    "AlertState",
    "Defaults",
    "DeliveryError",
    "DeliveryRecord",
    "Notification",
    "NotificationStatus",
    "RuleConfig",
    "RuleKind",
    "Severity",
    "Silence",
    "Sink",
    "SinkConfig",
    "SinkStats",
    "SinkType",
    "WebhookFormat",
    "ack_alert",
    "add_silence",
    "build_sinks",
    "default_rules_path",
    "default_rules_text",
    "expire_silence",
    "fingerprint",
    "format_duration",
    "load_alert_config",
    "parse_alert_config",
    "parse_duration",
    "parse_ref",
    "read_alerts",
    "read_deliveries",
]
