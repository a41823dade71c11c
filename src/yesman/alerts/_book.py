"""`AlertBook`: conditions in, alert lifecycle out (pending -> firing -> resolved).

The rules, as in Prometheus and Alertmanager:

* a condition that appears makes a *pending* alert, identified by its fingerprint (rule name and
  labels). Once it has held for the rule's ``for`` it *fires*; a pending alert whose condition
  clears first is dropped without a word.
* a firing alert is notified once, then again every ``repeat_interval`` while it fires, unless it
  was acknowledged (an acknowledgement stops the repeats, nothing else).
* when its condition clears it *resolves*, and the sinks that were told it fired are told it
  resolved.
* a silence that matches an alert suppresses every notification about it, firing or resolved;
  the alert still fires, is stored and listed, marked silenced. If the silence ends while it
  still fires, the firing notification goes out then.

The book is synchronous and owns no task: the manager calls `evaluate()` from its loop and acts
on the returned transitions (store, then dispatch).
"""

from __future__ import annotations

import dataclasses
import enum
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from yesman.alerts._config import RuleConfig
from yesman.alerts._errors import AlertNotFoundError
from yesman.alerts._evaluator import Condition
from yesman.alerts._model import Alert, AlertState, NotificationStatus, Silence, fingerprint

__all__ = ["AlertBook", "Change", "Transition"]


class Change(enum.Enum):
    PENDING = "pending"  # a new pending alert (nothing to notify)
    FIRING = "firing"  # fired now, or first notifiable after a silence ended
    REPEAT = "repeat"  # still firing, repeat interval passed
    RESOLVED = "resolved"  # was firing, condition cleared
    DROPPED = "dropped"  # was pending, condition cleared before `for`
    UPDATED = "updated"  # acknowledged or silenced: state kept, record changed


@dataclass(frozen=True, slots=True)
class Transition:
    """What happened to one alert; ``notify`` says whether sinks must hear about it."""

    change: Change
    alert: Alert
    notify: NotificationStatus | None = None


class AlertBook:
    """Alerts by fingerprint, and the recently resolved ones (see the module docstring)."""

    def __init__(self, rules: Sequence[RuleConfig], *, recent: int = 200) -> None:
        self._rules = {r.name: r for r in rules}
        self._active: dict[str, Alert] = {}
        self._recent: deque[Alert] = deque(maxlen=recent)
        self._silences: tuple[Silence, ...] = ()

    # -- reading

    def active(self) -> tuple[Alert, ...]:
        return tuple(self._active.values())

    def recent(self) -> tuple[Alert, ...]:
        """Resolved alerts, newest first."""
        return tuple(reversed(self._recent))

    def silences(self) -> tuple[Silence, ...]:
        return self._silences

    def find(self, ref: int | str) -> Alert:
        """The active alert with this id, or this fingerprint (or a unique prefix of one)."""
        for alert in self._active.values():
            if alert.id == ref or (
                isinstance(ref, str) and len(ref) >= 4 and alert.fingerprint.startswith(ref)
            ):
                return alert
        raise AlertNotFoundError(f"no alert {ref} is firing or pending in this watcher")

    def next_due(self) -> float | None:
        """The earliest moment a pending alert fires or a firing one repeats."""
        due: list[float] = []
        for alert in self._active.values():
            rule = self._rules[alert.rule]
            if alert.state is AlertState.PENDING:
                due.append(alert.started + rule.for_seconds)
            elif alert.last_notified is not None and alert.acknowledged is None:
                due.append(alert.last_notified + rule.repeat_interval)
        return min(due) if due else None

    # -- changing

    def set_id(self, fp: str, alert_id: int) -> Alert | None:
        alert = self._active.get(fp)
        if alert is None:
            return None
        alert = dataclasses.replace(alert, id=alert_id)
        self._active[fp] = alert
        return alert

    def set_silences(self, silences: Iterable[Silence], now: float) -> list[Transition]:
        """Replace the silences; alerts whose silenced flag changed are reported (UPDATED)."""
        self._silences = tuple(s for s in silences if s.active(now))
        changed: list[Transition] = []
        for fp, alert in list(self._active.items()):
            silenced = self._silenced(alert.rule, alert.labels, now)
            if silenced != alert.silenced:
                updated = dataclasses.replace(alert, silenced=silenced)
                self._active[fp] = updated
                changed.append(Transition(Change.UPDATED, updated))
        return changed

    def acknowledge(self, ref: int | str, by: str, at: float) -> Alert:
        alert = self.find(ref)
        if alert.acknowledged is None:
            alert = dataclasses.replace(alert, acknowledged=at, acknowledged_by=by)
            self._active[alert.fingerprint] = alert
        return alert

    def evaluate(
        self, rule: RuleConfig, conditions: Iterable[Condition], now: float
    ) -> list[Transition]:
        """Bring the alerts of `rule` up to date with its current `conditions`."""
        out: list[Transition] = []
        seen: set[str] = set()
        for condition in conditions:
            labels = {**rule.labels, **condition.labels}
            fp = fingerprint(rule.name, labels)
            seen.add(fp)
            alert = self._active.get(fp)
            if alert is None:
                alert = Alert(
                    id=None,
                    fingerprint=fp,
                    rule=rule.name,
                    kind=rule.kind.value,
                    severity=rule.severity,
                    state=AlertState.PENDING,
                    summary=condition.summary,
                    started=condition.since,
                    labels=labels,
                    details=condition.details,
                    value=condition.value,
                    silenced=self._silenced(rule.name, labels, now),
                )
                out.append(Transition(Change.PENDING, alert))
            else:
                alert = dataclasses.replace(
                    alert,
                    summary=condition.summary,
                    details=condition.details,
                    value=condition.value,
                )
            alert = self._advance(rule, alert, now, out)
            self._active[fp] = alert
        for fp, alert in list(self._active.items()):
            if alert.rule == rule.name and fp not in seen:
                out.append(self._clear(alert, now))
        return out

    def _advance(self, rule: RuleConfig, alert: Alert, now: float, out: list[Transition]) -> Alert:
        if alert.state is AlertState.PENDING:
            if now - alert.started < rule.for_seconds:
                return alert
            alert = dataclasses.replace(alert, state=AlertState.FIRING, fired=now)
            if alert.silenced:
                out.append(Transition(Change.FIRING, alert))
                return alert
        if alert.silenced:
            return alert
        if alert.last_notified is None:
            change = Change.FIRING
        elif alert.acknowledged is None and now - alert.last_notified >= rule.repeat_interval:
            change = Change.REPEAT
        else:
            return alert
        alert = dataclasses.replace(alert, last_notified=now, notifications=alert.notifications + 1)
        out.append(Transition(change, alert, NotificationStatus.FIRING))
        return alert

    def _clear(self, alert: Alert, now: float) -> Transition:
        del self._active[alert.fingerprint]
        if alert.state is AlertState.PENDING:
            return Transition(Change.DROPPED, alert)
        notify = alert.last_notified is not None and not alert.silenced
        alert = dataclasses.replace(alert, state=AlertState.RESOLVED, ended=now)
        if notify:
            alert = dataclasses.replace(alert, notifications=alert.notifications + 1)
        self._recent.append(alert)
        return Transition(Change.RESOLVED, alert, NotificationStatus.RESOLVED if notify else None)

    def stop_all(self, now: float) -> list[Alert]:
        """The watcher stops: firing alerts become STOPPED (their end unknown), pending vanish."""
        stopped = [
            dataclasses.replace(a, state=AlertState.STOPPED)
            for a in self._active.values()
            if a.state is AlertState.FIRING
        ]
        self._active.clear()
        self._recent.extend(stopped)
        return stopped

    def _silenced(self, rule: str, labels: Mapping[str, str], now: float) -> bool:
        return any(s.active(now) and s.matches(rule, labels) for s in self._silences)
