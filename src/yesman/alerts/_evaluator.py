"""What every rule kind's evaluator is: events in, current conditions out.

An evaluator turns the bus's typed events into *conditions*: "for these labels, this has been
true since T". It knows nothing of pending, firing, notifications or silences; the alert book
(`yesman.alerts._book`) turns conditions into alerts. `observe()` runs inside a bus handler, so
it only updates a dict and returns; `conditions(now)` is called by the manager's evaluation
loop. Both run on the event loop's thread only.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

from yesman.alerts._config import RuleConfig
from yesman.bus import Event, EventType, PaneEvent

__all__ = ["Condition", "Evaluator", "PaneConditions", "pane_details", "pane_labels"]


def _none() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One rule's condition, true for ``labels`` since ``since`` (epoch seconds)."""

    labels: Mapping[str, str]
    since: float
    summary: str
    value: float | None = None
    details: Mapping[str, str] = field(default_factory=_none)


class Evaluator:
    """Base of the rule kinds' evaluators: subscribe to `events`, answer `conditions()`."""

    events: ClassVar[frozenset[EventType]] = frozenset()

    def __init__(self, rule: RuleConfig) -> None:
        self.rule = rule

    def observe(self, event: Event) -> bool:
        """Take in one event; True when the conditions may have changed."""
        raise NotImplementedError

    def conditions(self, now: float) -> list[Condition]:
        """The conditions true at `now`."""
        raise NotImplementedError

    def next_change(self, now: float) -> float | None:
        """When the conditions will change with no new event (a window sliding), if ever."""
        return None

    def wants(self, payload: PaneEvent) -> bool:
        """Does this rule cover the pane's session (the rule's ``sessions`` globs)?"""
        sessions = self.rule.sessions
        return sessions is None or any(fnmatch.fnmatchcase(payload.session, s) for s in sessions)


def pane_labels(payload: PaneEvent, **more: str | None) -> dict[str, str]:
    """``session``, ``pane`` and ``agent`` of a pane event, plus the non-empty ``more``."""
    labels = {"session": payload.session, "pane": payload.pane_id}
    if payload.agent:
        labels["agent"] = payload.agent
    labels.update({k: v for k, v in more.items() if v})
    return labels


def pane_details(payload: PaneEvent, details: Mapping[str, str] | None = None) -> dict[str, str]:
    """`details` plus the pane's ``agent_version`` when known. A detail, not a label: an agent
    updated under a firing alert is still the same alert."""
    out = dict(details or {})
    if payload.agent_version:
        out["agent_version"] = payload.agent_version
    return out


class PaneConditions:
    """At most one condition per pane, with the time it started; values are the elapsed time."""

    __slots__ = ("_by_pane",)

    def __init__(self) -> None:
        self._by_pane: dict[str, Condition] = {}

    def get(self, pane_id: str) -> Condition | None:
        return self._by_pane.get(pane_id)

    def start(self, pane_id: str, condition: Condition) -> bool:
        """Set the pane's condition, keeping the old start when the labels are the same."""
        old = self._by_pane.get(pane_id)
        if old is not None and old.labels == condition.labels:
            condition = replace(condition, since=old.since)
        self._by_pane[pane_id] = condition
        return old != condition

    def end(self, pane_id: str) -> bool:
        return self._by_pane.pop(pane_id, None) is not None

    def elapsed(self, now: float) -> list[Condition]:
        return [replace(c, value=round(max(0.0, now - c.since), 3)) for c in self._by_pane.values()]

    def __bool__(self) -> bool:
        return bool(self._by_pane)
