"""The Alerts page: alert cards with their buttons, recent alerts, silences, sink counters.

``alerts_fragment`` is what ``/fragments/alerts`` serves and the page script swaps in when an
alert changes; the form for a new silence stays outside it, so a live update never wipes what
someone is typing. Buttons carry what the script sends in ``data-`` attributes (no inline
script: the content security policy forbids it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from yesman.alerts import Alert, AlertState, Silence, SinkStats, format_duration
from yesman.dashboard._alert_views import PANE_LABELS
from yesman.dashboard._alerting import AlertSnapshot
from yesman.dashboard._html import Html, attrs, e, table, when

__all__ = ["SILENCE_CHOICES", "alert_detail", "alerts_body", "alerts_fragment"]

SILENCE_CHOICES: Final = (("1h", 3600), ("4h", 4 * 3600), ("24h", 24 * 3600))
"""The silence buttons on each alert: label and seconds."""

_FROM_DATABASE = (
    '<p class="note">Alerts from the database: no alert rules run in this process. An '
    "acknowledgement or silence made here is written to the database, and a watcher running "
    "on it with <code>--alerts</code> acts on it within a second. Pending alerts and delivery "
    "counters live in that watcher; its own dashboard (<code>yesman watch --http</code>) shows "
    "them.</p>"
)


def _labels(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    first = [(k, labels[k]) for k in PANE_LABELS if labels.get(k)]
    return first + sorted((k, v) for k, v in labels.items() if k not in PANE_LABELS and v)


def _label_chips(labels: Mapping[str, str]) -> Html:
    return " ".join(
        f'<span class="label"><span class="key">{e(k)}</span>={e(v)}</span>'
        for k, v in _labels(labels)
    )


def _severity(alert: Alert) -> Html:
    return f'<span class="severity {e(alert.severity.value)}">{e(alert.severity.value)}</span>'


def _flags(alert: Alert) -> Html:
    flags = ""
    if alert.acknowledged is not None:
        who = f"acknowledged by {alert.acknowledged_by} at {when(alert.acknowledged)}"
        flags += f' <span class="flag acked"{attrs({"title": who})}>acknowledged</span>'
    if alert.silenced:
        flags += ' <span class="flag silenced">silenced</span>'
    return flags


def _clock(timestamp: float) -> Html:
    return f"<span{attrs({'data-since': f'{timestamp:.3f}'})}></span>"


def _card(alert: Alert) -> Html:
    ref = str(alert.id) if alert.id is not None else alert.fingerprint
    firing = alert.state is AlertState.FIRING
    card = {
        "class": f"alert-card {alert.severity.value} {alert.state.value}",
        "id": f"alert-{ref}",
        "data-ref": ref,
        "data-rule": alert.rule,
        "data-fingerprint": alert.fingerprint,
        "data-state": alert.state.value,
    }
    since = alert.fired if firing and alert.fired is not None else alert.started
    title = f'<a href="/alerts/{e(alert.id)}">#{e(alert.id)}</a> ' if alert.id is not None else ""
    waited = f"{alert.state.value} for {_clock(since)}"
    started = f"since {when(since)}"
    if firing and alert.fired is not None and alert.fired > alert.started:
        started += f" (condition since {when(alert.started)})"
    sent = f" · {alert.notifications} notification(s)" if firing else ""
    ack = ""
    if alert.acknowledged is None:
        ack = '<button class="ack" data-alert-action="ack">Acknowledge</button>'
    silence = "".join(
        f"<button{attrs({'data-alert-action': 'silence', 'data-seconds': seconds})}>"
        f"{e(label)}</button>"
        for label, seconds in SILENCE_CHOICES
    )
    matchers = "".join(
        f'<label class="matcher"><input type="checkbox"'
        f"{attrs({'data-key': k, 'data-value': v, 'data-keep': f'{alert.fingerprint}:{k}'})}>"
        f" {e(k)}={e(v)}</label>"
        for k, v in _labels(alert.labels)
    )
    only = f'<span class="matchers">only where {matchers}</span>' if matchers else ""
    return f"""<article{attrs(card)}>
<header>{title}{_severity(alert)} <strong class="rule">{e(alert.rule)}</strong>
<span class="state {e(alert.state.value)}">{e(alert.state.value)}</span>{_flags(alert)}
<span class="waited">{waited}</span></header>
<p class="summary">{e(alert.summary)}</p>
<p class="labels">{_label_chips(alert.labels)}</p>
<p class="when">{started}{sent}</p>
<div class="actions">{ack}<span class="silence">Silence <code>{e(alert.rule)}</code> for
{silence}</span>{only}</div>
<p class="result" role="status"></p></article>"""


def _recent(alerts: Sequence[Alert]) -> Html:
    if not alerts:
        return '<p class="empty">No alert has ended yet.</p>'
    rows = []
    for a in alerts:
        lasted = ""
        if a.ended is not None and a.fired is not None:
            lasted = format_duration(max(0.0, a.ended - a.fired))
        link = f'<a href="/alerts/{e(a.id)}">#{e(a.id)}</a>' if a.id is not None else ""
        rows.append(
            [
                link,
                _severity(a),
                f"<code>{e(a.rule)}</code>",
                _label_chips(a.labels),
                e(a.summary),
                when(a.fired),
                when(a.ended),
                e(lasted),
                f'<span class="state {e(a.state.value)}">{e(a.state.value)}</span>{_flags(a)}',
                e(a.notifications),
            ]
        )
    headers = ("id", "severity", "rule", "labels", "summary", "fired", "ended", "lasted",
               "state", "notifications")  # fmt: skip
    return table(headers, rows, css="recent-alerts")


def _matchers(matchers: Mapping[str, str]) -> Html:
    if not matchers:
        return '<span class="muted">every alert of the rule</span>'
    return _label_chips(matchers)


def _silences(silences: Sequence[Silence]) -> Html:
    if not silences:
        return '<p class="empty">No silence is active.</p>'
    rows = [
        [
            e(s.id),
            f"<code>{e(s.rule)}</code>",
            _matchers(s.matchers),
            f"{when(s.until)} (<span{attrs({'data-until': f'{s.until:.3f}'})}></span> left)",
            e(s.created_by),
            e(s.comment),
            f'<button class="expire"{attrs({"data-silence": s.id})}>Expire</button>',
        ]
        for s in silences
    ]
    headers = ("id", "rule", "matching", "until", "by", "comment", "")
    return table(headers, rows, css="silences")


def _sinks(sinks: Sequence[SinkStats], live: bool) -> Html:
    if not live:
        return '<p class="empty">Kept by the watcher that sends the notifications.</p>'
    if not sinks:
        return '<p class="empty">No sink is configured.</p>'
    rows = [
        [
            e(s.name),
            e(s.type),
            e(s.queued),
            e(s.delivered),
            f'<span class="{"bad" if s.undelivered else ""}">{e(s.undelivered)}</span>',
            e(s.dropped),
            e(s.retries),
            when(s.last_delivered),
            e(s.last_error),
        ]
        for s in sinks
    ]
    headers = ("sink", "type", "queued", "delivered", "undelivered", "dropped", "retries",
               "last delivered", "last error")  # fmt: skip
    return table(headers, rows, css="sinks")


def alerts_fragment(snapshot: AlertSnapshot) -> Html:
    firing = sum(1 for a in snapshot.active if a.state is AlertState.FIRING)
    count = f'<span hidden class="alert-total"{attrs({"data-count": firing})}></span>'
    active = "".join(_card(a) for a in snapshot.active) or (
        '<p class="empty">No alert is firing or pending.</p>'
    )
    return (
        count
        + ("" if snapshot.live else _FROM_DATABASE)
        + f'<h2>Firing and pending</h2><div class="alert-cards">{active}</div>'
        + f"<h2>Silences</h2>{_silences(snapshot.silences)}"
        + f"<h2>Recently ended</h2>{_recent(snapshot.recent)}"
        + f"<h2>Delivery by sink</h2>{_sinks(snapshot.sinks, snapshot.live)}"
    )


def _silence_form() -> Html:
    durations = "".join(
        f"<option{attrs({'value': seconds})}>{e(label)}</option>"
        for label, seconds in SILENCE_CHOICES
    )
    return f"""<h2>New silence</h2>
<form id="silence-form" class="filters">
<label>rule <input name="rule" required placeholder="dialog-held, or * for all"></label>
<label>for <select name="seconds">{durations}</select></label>
<label>matching <input name="matchers" placeholder="session=work pane=%3"></label>
<label>comment <input name="comment" placeholder="why"></label>
<button type="submit">silence</button></form>"""


def alerts_body(fragment: Html) -> Html:
    return f'<div id="alerts" data-fragment="/fragments/alerts">{fragment}</div>{_silence_form()}'


def alert_detail(alert: Alert, deliveries: Sequence[Mapping[str, Any]]) -> Html:
    """One alert's page: what it says, every detail, and every notification of it."""
    fields = [
        ("state", e(alert.state.value) + _flags(alert)),
        ("severity", _severity(alert)),
        ("rule", f"<code>{e(alert.rule)}</code> ({e(alert.kind)})"),
        ("labels", _label_chips(alert.labels)),
        ("summary", e(alert.summary)),
        *((e(k), f"<code>{e(v)}</code>") for k, v in sorted(alert.details.items())),
        ("value", e(alert.value)),
        ("started", when(alert.started)),
        ("fired", when(alert.fired)),
        ("ended", when(alert.ended)),
        ("fingerprint", f"<code>{e(alert.fingerprint)}</code>"),
    ]
    listing = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in fields)
    keys = ("sink", "status", "outcome", "attempts", "error")
    rows = [[when(d["time"]), *(e(d[k]) for k in keys)] for d in deliveries]
    sent = (
        table(("when", "sink", "status", "outcome", "attempts", "error"), rows, css="deliveries")
        if rows
        else '<p class="empty">No notification of this alert is recorded.</p>'
    )
    card = _card(alert) if alert.active else ""
    return (
        f'<section class="alert-detail">{card}<dl class="details">{listing}</dl>'
        f"<h2>Notifications</h2>{sent}</section>"
    )
