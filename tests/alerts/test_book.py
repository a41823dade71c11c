"""The alert lifecycle: pending -> firing -> resolved, repeats, acknowledgements, silences."""

from __future__ import annotations

import pytest

from yesman.alerts import (
    AlertNotFoundError,
    AlertState,
    NotificationStatus,
    Silence,
    fingerprint,
    parse_alert_config,
)
from yesman.alerts._book import AlertBook, Change, Transition
from yesman.alerts._config import RuleConfig
from yesman.alerts._evaluator import Condition

RULES = parse_alert_config(
    """
    [[rule]]
    kind = "dialog-held"
    for = "10s"
    repeat_interval = "1m"
    labels = { team = "agents" }
    """
).rules
RULE: RuleConfig = RULES[0]
T0 = 1_000_000.0


def held(pane: str = "%1", since: float = T0) -> Condition:
    return Condition(
        labels={"session": "work", "pane": pane, "tool": "Bash"},
        since=since,
        summary=f"Bash held in work {pane}",
    )


def changes(transitions: list[Transition]) -> list[tuple[Change, NotificationStatus | None]]:
    return [(t.change, t.notify) for t in transitions]


def test_pending_fires_after_for_then_stays_quiet_until_the_repeat_interval() -> None:
    book = AlertBook(RULES)
    assert changes(book.evaluate(RULE, [held()], T0)) == [(Change.PENDING, None)]
    assert book.active()[0].state is AlertState.PENDING
    assert book.next_due() == T0 + 10
    assert changes(book.evaluate(RULE, [held()], T0 + 9.9)) == []
    fired = book.evaluate(RULE, [held()], T0 + 10)
    assert changes(fired) == [(Change.FIRING, NotificationStatus.FIRING)]
    alert = fired[0].alert
    assert (alert.state, alert.fired, alert.notifications) == (AlertState.FIRING, T0 + 10, 1)
    # Rule labels join the condition's; both identify the alert.
    assert alert.labels == {"team": "agents", "session": "work", "pane": "%1", "tool": "Bash"}
    assert alert.fingerprint == fingerprint("dialog-held", alert.labels)
    for t in (T0 + 11, T0 + 40, T0 + 69.9):
        assert changes(book.evaluate(RULE, [held()], t)) == []
    assert changes(book.evaluate(RULE, [held()], T0 + 70)) == [
        (Change.REPEAT, NotificationStatus.FIRING)
    ]


def test_resolves_with_a_notification_once_the_condition_clears() -> None:
    book = AlertBook(RULES)
    book.evaluate(RULE, [held()], T0)
    book.evaluate(RULE, [held()], T0 + 10)
    (resolved,) = book.evaluate(RULE, [], T0 + 15)
    assert (resolved.change, resolved.notify) == (Change.RESOLVED, NotificationStatus.RESOLVED)
    assert (resolved.alert.state, resolved.alert.ended) == (AlertState.RESOLVED, T0 + 15)
    assert book.active() == ()
    assert book.recent() == (resolved.alert,)


def test_a_pending_alert_that_clears_before_for_is_dropped_silently() -> None:
    book = AlertBook(RULES)
    book.evaluate(RULE, [held()], T0)
    assert changes(book.evaluate(RULE, [], T0 + 5)) == [(Change.DROPPED, None)]
    assert book.recent() == ()


def test_alerts_are_per_label_set() -> None:
    book = AlertBook(RULES)
    book.evaluate(RULE, [held("%1"), held("%2", T0 + 5)], T0)
    fired = book.evaluate(RULE, [held("%1"), held("%2", T0 + 5)], T0 + 10)
    assert [t.alert.labels["pane"] for t in fired] == ["%1"]
    fired = book.evaluate(RULE, [held("%1"), held("%2", T0 + 5)], T0 + 15)
    assert [t.alert.labels["pane"] for t in fired] == ["%2"]
    assert len({a.fingerprint for a in book.active()}) == 2


def test_an_acknowledged_alert_does_not_repeat_but_still_resolves() -> None:
    book = AlertBook(RULES)
    book.evaluate(RULE, [held()], T0)
    book.evaluate(RULE, [held()], T0 + 10)
    book.set_id(book.active()[0].fingerprint, 7)
    acked = book.acknowledge(7, "alice", T0 + 20)
    assert (acked.acknowledged, acked.acknowledged_by) == (T0 + 20, "alice")
    assert changes(book.evaluate(RULE, [held()], T0 + 500)) == []
    assert changes(book.evaluate(RULE, [], T0 + 501)) == [
        (Change.RESOLVED, NotificationStatus.RESOLVED)
    ]
    with pytest.raises(AlertNotFoundError):
        book.acknowledge(7, "alice", T0 + 502)


def test_acknowledge_by_fingerprint_prefix() -> None:
    book = AlertBook(RULES)
    book.evaluate(RULE, [held()], T0)
    fp = book.active()[0].fingerprint
    assert book.acknowledge(fp[:6], "bob", T0 + 1).acknowledged_by == "bob"


def silence(rule: str = "dialog-held", until: float = T0 + 3600, **matchers: str) -> Silence:
    return Silence(id=1, rule=rule, until=until, created=T0, matchers=matchers)


def test_a_silenced_alert_fires_and_is_stored_but_sends_nothing() -> None:
    book = AlertBook(RULES)
    book.set_silences([silence()], T0)
    book.evaluate(RULE, [held()], T0)
    fired = book.evaluate(RULE, [held()], T0 + 10)
    assert changes(fired) == [(Change.FIRING, None)]
    assert fired[0].alert.silenced
    assert changes(book.evaluate(RULE, [held()], T0 + 200)) == []
    assert changes(book.evaluate(RULE, [], T0 + 201)) == [(Change.RESOLVED, None)]


def test_when_a_silence_ends_a_still_firing_alert_is_notified() -> None:
    book = AlertBook(RULES)
    book.set_silences([silence(until=T0 + 30)], T0)
    book.evaluate(RULE, [held()], T0)
    book.evaluate(RULE, [held()], T0 + 10)
    updated = book.set_silences([silence(until=T0 + 30)], T0 + 31)
    assert [(t.change, t.alert.silenced) for t in updated] == [(Change.UPDATED, False)]
    assert changes(book.evaluate(RULE, [held()], T0 + 31)) == [
        (Change.FIRING, NotificationStatus.FIRING)
    ]


@pytest.mark.parametrize(
    ("made", "silenced"),
    [
        (silence("*"), True),
        (silence("dialog-*"), True),
        (silence("agent-idle"), False),
        (silence(session="work"), True),
        (silence(session="other"), False),
        (silence(pane="%*", tool="Bash"), True),
        (silence(until=T0 - 1), False),
    ],
    ids=["all", "glob", "other-rule", "label", "other-label", "label-globs", "expired"],
)
def test_which_silences_match(made: Silence, silenced: bool) -> None:
    book = AlertBook(RULES)
    book.set_silences([made], T0)
    (pending,) = book.evaluate(RULE, [held()], T0)
    assert pending.alert.silenced is silenced


def test_stopping_marks_firing_alerts_stopped_and_forgets_pending_ones() -> None:
    book = AlertBook(RULES)
    book.evaluate(RULE, [held("%1")], T0)
    book.evaluate(RULE, [held("%1"), held("%2", T0 + 5)], T0 + 10)
    stopped = book.stop_all(T0 + 11)
    assert [(a.labels["pane"], a.state) for a in stopped] == [("%1", AlertState.STOPPED)]
    assert book.active() == ()
