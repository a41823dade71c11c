"""The page frame and small HTML helpers. Everything shown is escaped: screen text is data.

No inline scripts or styles anywhere (the content security policy forbids them): behaviour is in
``static/dashboard.js``, looks in ``static/dashboard.css``, and pages pass what the script needs
in ``data-`` attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Final
from urllib.parse import urlencode

__all__ = ["NAV", "Html", "attrs", "e", "page", "table", "when"]

Html = str
"""A fragment of HTML that is already escaped."""

NAV: Final[tuple[tuple[str, str], ...]] = (
    ("/", "Agents"),
    ("/held", "Held"),
    ("/performance", "Performance"),
    ("/audit", "Audit"),
    ("/baselines", "Baselines"),
    ("/alerts", "Alerts"),
)
_COUNTS: Final = {"/held": "held-count", "/alerts": "alert-count"}
"""The navigation links that show a live count (held dialogs, firing alerts)."""


def e(value: object) -> Html:
    """Escape anything for text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


def attrs(values: Mapping[str, object]) -> Html:
    """`` name="value"`` pairs, escaped; None values are left out."""
    return "".join(f' {e(k)}="{e(v)}"' for k, v in values.items() if v is not None)


def when(timestamp: float | None) -> Html:
    """A local time for a table cell; the full date when it is not today."""
    if timestamp is None:
        return ""
    moment = dt.datetime.fromtimestamp(timestamp).astimezone()
    if moment.date() == dt.datetime.now().astimezone().date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")


def query(values: Mapping[str, object]) -> str:
    return urlencode({k: str(v) for k, v in values.items() if v not in (None, "")})


def table(headers: Iterable[str], rows: Iterable[Iterable[Html]], *, css: str = "") -> Html:
    """A table of already-escaped cells."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{e(css)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def page(title: str, active: str, body: Html, *, subtitle: str, live: bool) -> Html:
    """The whole document: head, navigation with the live-connection badge, and `body`."""
    links = "".join(
        f'<a href="{e(href)}"{" class=active" if href == active else ""}>{e(label)}'
        + (f'<span class="count" id="{_COUNTS[href]}"></span>' if href in _COUNTS else "")
        + "</a>"
        for href, label in NAV
    )
    mode = "live" if live else "history only"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · yesman</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/uPlot.min.css">
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/uPlot.iife.min.js" defer></script>
<script src="/static/dashboard.js" defer></script>
</head><body data-live="{"1" if live else "0"}">
<header><span class="brand">yesman</span><nav>{links}</nav>
<span class="conn" id="conn" title="live updates">{e(mode)}</span></header>
<p class="subtitle">{e(subtitle)}</p>
<main>{body}</main>
</body></html>"""
