"""The bodies of the pages and of the fragments the page script reloads on live events.

A fragment (``/fragments/agents``, ``/fragments/held``, ``/fragments/components``) is the same
HTML the page was first served with, so the script swaps it in when an event says something
changed: one place renders, and a page works without the script too (just not live).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from yesman.baseline import Comparison, ComponentComparison
from yesman.dashboard._html import Html, attrs, e, query, table, when
from yesman.store import DecisionRecord, StoredBaseline

__all__ = [
    "agents_fragment",
    "audit_body",
    "baselines_body",
    "compare_body",
    "components_fragment",
    "held_fragment",
    "performance_body",
]

_NO_WATCHER = (
    '<p class="empty">No watcher runs in this dashboard: it shows the history only. '
    "Start <code>yesman watch --http PORT</code> to see agents and held dialogs live.</p>"
)
_CHARTS = (
    ("latency-p95", "Component latency p95 (ms)"),
    ("latency-p50", "Component latency p50 (ms)"),
    ("cpu", "CPU (% of one core)"),
    ("memory", "Memory (MB)"),
    ("io", "I/O per slice (bytes)"),
    ("bus", "Event bus: depth, utilisation %, overflow"),
    ("lag", "Event-loop lag (ms)"),
    ("answers", "Answer latency (ms)"),
)
_RANGES = (("15m", "15 min"), ("1h", "1 hour"), ("6h", "6 hours"), ("24h", "24 hours"),
           ("7d", "7 days"), ("30d", "30 days"))  # fmt: skip


def _ms(value: float | None) -> Html:
    return "" if value is None else f"{value:,.1f} ms"


def _dialog_summary(dialog: Mapping[str, Any] | None) -> Html:
    if not dialog:
        return ""
    what = dialog.get("tool") or dialog.get("kind") or ""
    subject = dialog.get("target") or dialog.get("question") or ""
    short = subject if len(subject) <= 100 else subject[:99] + "…"
    return f'<span class="tool">{e(what)}</span> <code{attrs({"title": subject})}>{e(short)}</code>'


def _since(timestamp: float | None) -> Html:
    if timestamp is None:
        return ""
    return f'<span class="since"{attrs({"data-since": f"{timestamp:.3f}"})}></span>'


def _agent(name: str, version: str | None) -> Html:
    """``name@version`` (the name alone while the version is not known; ``-`` for no name)."""
    if not name:
        return "-"
    return e(name) + (f"@{e(version)}" if version else "")


def agents_fragment(rows: Sequence[Mapping[str, Any]], *, live: bool) -> Html:
    if not live:
        return _NO_WATCHER
    if not rows:
        return '<p class="empty">No agent pane is watched yet.</p>'
    cells = []
    for r in rows:
        state = f'<span class="state {e(r["state"])}">{e(r["state"])}</span>'
        if r["held_id"]:
            state += ' <a class="badge held" href="/held">held</a>'
        for alert in r["alerts"]:
            href = f"/alerts/{alert['id']}" if alert["id"] is not None else "/alerts"
            badge = {"class": f"badge alert {alert['severity']}", "href": href,
                     "title": alert["summary"]}  # fmt: skip
            state += f" <a{attrs(badge)}>alert: {e(alert['rule'])}</a>"
        agent = e(r["agent"]) + (f" {e(r['agent_version'])}" if r["agent_version"] else "")
        cells.append(
            [
                e(r["session"]),
                e(r["pane_id"]),
                agent,
                state,
                _dialog_summary(r["dialog"]),
                _since(r["held_since"]),
                e(r["last_action"] or ""),
                e(r["last_rule"] or ""),
                _ms(r["last_latency_ms"]),
                f"{r['answered']} / {r['held']} / {r['denied']}",
            ]
        )
    headers = ("session", "pane", "agent", "state", "dialog on screen", "waiting for a human",
               "last decision", "rule", "answer latency", "answered / held / denied")  # fmt: skip
    return table(headers, cells, css="agents")


def _held_card(h: Mapping[str, Any]) -> Html:
    prompt = h["prompt"]
    options = "".join(
        f"<li{' class=highlighted' if o['number'] == prompt.get('highlighted') else ''}>"
        f"{e(o['number'])}. {e(o['text'])}</li>"
        for o in prompt["options"]
    )
    choose = ""
    if prompt["kind"] != "tool_permission":
        choose = "".join(
            f'<button class="option"{attrs({"data-action": "answer", "data-option": o["number"]})}>'
            f"{e(o['number'])}. {e(o['text'])}</button>"
            for o in prompt["options"]
        )
    card = {
        "class": "held-card" + (" alert" if h["alert"] else ""),
        "data-id": h["id"],
        "data-pane": h["pane_id"],
        "data-fingerprint": h["fingerprint"],
    }
    target = f'<pre class="target">{e(prompt["target"])}</pre>' if prompt.get("target") else ""
    question = f'<p class="question">{e(prompt["question"])}</p>' if prompt.get("question") else ""
    warning = f'<p class="warning">{e(prompt["warning"])}</p>' if prompt.get("warning") else ""
    return f"""<article{attrs(card)}>
<header><strong>{e(h["session"])}</strong> · {e(h["pane_id"])} · {_agent(h["agent"], h["agent_version"])}
<span class="waited">waiting {_since(h["since"])}</span>{' <span class="badge alert">alert</span>' if h["alert"] else ""}</header>
<p class="what"><span class="tool">{e(prompt.get("tool") or prompt["kind"])}</span></p>
{target}{question}{warning}<ul class="options">{options}</ul>
<p class="why">held by <code>{e(h["rule"])}</code>: {e(h["reason"])}</p>
<div class="actions"><button class="answer" data-action="answer">Answer</button>
<button class="deny" data-action="deny">Deny</button>{choose}</div>
<p class="result" role="status"></p></article>"""  # noqa: E501


def held_fragment(rows: Sequence[Mapping[str, Any]], *, live: bool) -> Html:
    if not live:
        return _NO_WATCHER
    count = f'<span hidden class="held-total" data-count="{len(rows)}"></span>'
    if not rows:
        return count + '<p class="empty">No dialog is waiting for a human.</p>'
    return count + "".join(_held_card(h) for h in rows)


def components_fragment(rows: Sequence[Mapping[str, Any]]) -> Html:
    if not rows:
        return '<p class="empty">No component figures in this range of the history.</p>'
    cells = [
        [
            e(r["component"]),
            f"{r['count']:,}",
            f"{r['error_count']:,}",
            _ms(r["p50_ms"]),
            _ms(r["p95_ms"]),
            _ms(r["p99_ms"]),
            f"{r['cpu_seconds']:.3f} s",
            f"{r['retained_memory_mb']:.2f} MB",
            f"{r['bytes_sent'] + r['bytes_received']:,} B",
        ]
        for r in rows
    ]
    headers = ("component", "operations", "errors", "p50", "p95", "p99", "CPU", "memory", "I/O")
    return table(headers, cells, css="components")


def performance_body(range_key: str, components: Html) -> Html:
    buttons = "".join(
        f"<button{attrs({'data-range': k, 'class': 'on' if k == range_key else None})}>"
        f"{e(label)}</button>"
        for k, label in _RANGES
    )
    panels = "".join(
        f'<section class="chart"><h3>{e(title)}</h3>'
        f'<div class="plot" id="chart-{e(key)}"></div></section>'
        for key, title in _CHARTS
    )
    return f"""<div class="range" id="range">{buttons}
<label>from <input type="datetime-local" id="range-from"></label>
<label>to <input type="datetime-local" id="range-to"></label>
<button id="range-apply">show</button>
<span class="hint">or drag across a chart to zoom</span></div>
<p class="range-note" id="range-note"></p>
<div class="charts" id="charts">{panels}</div>
<h2>Components over the range</h2>
<div id="components" data-fragment="/fragments/components">{components}</div>"""


def audit_body(records: Sequence[DecisionRecord], values: Mapping[str, str]) -> Html:
    def field(name: str, label: str, placeholder: str = "") -> Html:
        return (
            f"<label>{e(label)} <input"
            + attrs({"name": name, "value": values.get(name, ""), "placeholder": placeholder})
            + "></label>"
        )

    form = (
        '<form class="filters" method="get" action="/audit">'
        + field("session", "session")
        + field("agent", "agent", "claude-code, codex")
        + field("action", "action", "answer, deny, hold")
        + field("rule", "rule", "human: for people")
        + field("tool", "tool", "Bash")
        + field("q", "text", "in target or reason")
        + field("since", "since", "1h, 7d or epoch s")
        + field("limit", "limit", "200")
        + '<button type="submit">filter</button></form>'
    )
    if not records:
        return form + '<p class="empty">No decision matches.</p>'
    rows = []
    for r in records:
        verified = "?" if r.verified is None else ("yes" if r.verified else "NO")
        rows.append(
            [
                when(r.time),
                e(r.session),
                e(r.pane),
                _agent(r.agent, r.agent_version),
                e(r.tool or r.prompt_kind),
                f"<code{attrs({'title': r.target})}>{e(r.target[:80])}</code>",
                f'<span class="action {e(r.action)}">{e(r.action)}'
                + (" (dry run)" if r.dry_run else "")
                + "</span>",
                e(" ".join(r.keys) or "-"),
                f"<code>{e(r.rule)}</code>",
                _ms(r.latency_ms),
                e(verified),
                e(r.reason),
            ]
        )
    headers = ("when", "session", "pane", "agent", "tool", "target", "action", "keys", "rule",
               "latency", "verified", "reason")  # fmt: skip
    return (
        form
        + f'<p class="count">{len(records)} decisions, newest first</p>'
        + table(headers, rows, css="audit")
    )


def baselines_body(baselines: Sequence[StoredBaseline]) -> Html:
    if not baselines:
        return (
            '<p class="empty">No baseline is saved in this database. '
            "<code>yesman baseline establish --name NAME</code> makes one.</p>"
        )
    rows = [
        [
            f'<input type="radio" name="a"{attrs({"value": b.name})}>',
            f'<input type="radio" name="b"{attrs({"value": b.name})}>',
            e(b.name),
            when(b.created),
            e(b.workload),
            f"<code>{e(b.environment)}</code>",
        ]
        for b in baselines
    ]
    return (
        '<form method="get" action="/baselines/compare" class="compare-form">'
        + table(("A", "B", "name", "created", "workload", "environment"), rows, css="baselines")
        + '<button type="submit">compare B against A</button></form>'
    )


def _ratio(value: float | None) -> Html:
    return "" if value is None else f"{value:.2f}×"


def _comparison_rows(items: Mapping[str, ComponentComparison]) -> list[list[Html]]:
    return [
        [
            e(name),
            f'<span class="verdict {e(c.verdict.value)}">{e(c.verdict.value)}</span>',
            _ratio(c.ratio_p50),
            _ratio(c.ratio_p95),
            "" if c.p_value is None else f"{c.p_value:.3g}",
            f"{c.n_a} / {c.n_b}",
        ]
        for name, c in items.items()
    ]


def compare_body(a: str, b: str, comparison: Comparison) -> Html:
    headers = ("figure", "verdict", "p50 B/A", "p95 B/A", "p-value", "samples A / B")
    notes = "".join(f"<li>{e(n)}</li>" for n in comparison.notes)
    verdict = "B regressed against A" if comparison.regressed else "no regression of B against A"
    link = query({"a": a, "b": b})
    return f"""<p class="summary {"bad" if comparison.regressed else "good"}">{e(verdict)}
(threshold {comparison.threshold:.0%}, alpha {comparison.alpha}).
<a href="/api/baselines/compare?{e(link)}">JSON</a></p>
<ul class="notes">{notes}</ul>
<h2>Components</h2>{table(headers, _comparison_rows(comparison.components), css="compare")}
<h2>System</h2>{table(headers, _comparison_rows(comparison.system), css="compare")}"""
