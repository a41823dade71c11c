"""The rows of the audit database as frozen values."""

from __future__ import annotations

import json
import math
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["DecisionRecord", "EventRecord"]


def _str_tuple(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"DecisionRecord.{name} must be a sequence of strings, got {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"DecisionRecord.{name} must hold strings only, got {item!r}")
    return items


def _finite(name: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"DecisionRecord.{name} must be a finite number, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionRecord:
    """One decision yesman took about one dialog.

    Times are wall-clock seconds since the epoch (`time.time()`): `first_seen` when the dialog was
    first recognised, `answered_at` when the keys were sent (None when nothing was sent: hold,
    dry run), `time` when the record was made. `latency_ms` is first-seen to keys-sent.
    `verified` is None until someone checked whether the answer took. `options` are the dialog's
    option labels in screen order, `keys` the tmux key names sent (empty when none). `id` is None
    until the store assigns one.

    `channel` says how the decision was taken: ``"screen"`` (the dialog was read from the pane
    and answered with keys) or ``"hook"`` (the agent's permission hook asked; then `first_seen`
    is when the request arrived, `answered_at` when the answer was handed back, `keys` empty).

    `agent` is the name of the agent the dialog came from (``claude``, ``codex``, ``gemini``) and
    `agent_version` its version as yesman read it; either is ``""`` when not known (rows from
    before yesman recorded them, or a version the agent never showed).
    """

    session: str
    pane: str
    prompt_kind: str
    action: str
    first_seen: float
    tool: str = ""
    target: str = ""
    options: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    rule: str = ""
    reason: str = ""
    answered_at: float | None = None
    latency_ms: float | None = None
    verified: bool | None = None
    dry_run: bool = False
    fingerprint: str = ""
    server: str = ""
    correlation_id: str | None = None
    channel: str = "screen"
    agent: str = ""
    agent_version: str = ""
    time: float = field(default_factory=_time.time)
    id: int | None = None

    def __post_init__(self) -> None:
        # Coerce lists to tuples so callers can pass what they have; reject garbage loudly here
        # rather than as an obscure SQLite error on the writer thread.
        object.__setattr__(self, "options", _str_tuple("options", self.options))
        object.__setattr__(self, "keys", _str_tuple("keys", self.keys))
        for name in (
            "session",
            "pane",
            "prompt_kind",
            "action",
            "tool",
            "target",
            "rule",
            "channel",
            "agent",
            "agent_version",
        ):
            if not isinstance(getattr(self, name), str):
                raise TypeError(
                    f"DecisionRecord.{name} must be a string, got {getattr(self, name)!r}"
                )
        _finite("first_seen", self.first_seen, optional=False)
        _finite("time", self.time, optional=False)
        _finite("answered_at", self.answered_at, optional=True)
        _finite("latency_ms", self.latency_ms, optional=True)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for JSON output (tuples become lists)."""
        data = asdict(self)
        data["options"] = list(self.options)
        data["keys"] = list(self.keys)
        return data

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DecisionRecord:
        """Build from a `decisions` row (JSON columns decoded, 0/1 back to bools)."""
        verified = row["verified"]
        columns = row.keys()
        return cls(
            id=row["id"],
            time=row["time"],
            session=row["session"],
            pane=row["pane"],
            prompt_kind=row["prompt_kind"],
            tool=row["tool"],
            target=row["target"],
            options=tuple(json.loads(row["options"])),
            action=row["action"],
            keys=tuple(json.loads(row["keys"])),
            rule=row["rule"],
            reason=row["reason"],
            first_seen=row["first_seen"],
            answered_at=row["answered_at"],
            latency_ms=row["latency_ms"],
            verified=None if verified is None else bool(verified),
            dry_run=bool(row["dry_run"]),
            fingerprint=row["fingerprint"],
            server=row["server"],
            correlation_id=row["correlation_id"],
            # Read-only stores are not migrated: a database from before the column is all screen.
            channel=row["channel"] if "channel" in columns else "screen",
            agent=row["agent"] if "agent" in columns else "",
            agent_version=row["agent_version"] if "agent_version" in columns else "",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord:
    """A bus event as stored: `data` is what JSON could keep of the event's mapping."""

    type: str
    time: float
    source: str = ""
    priority: int = 1
    correlation_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None
