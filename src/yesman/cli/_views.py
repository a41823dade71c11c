"""Rich views shared by `yesman watch` and `yesman demo`."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from yesman.bus import Event, PromptHeld
from yesman.metrics import ComponentMetrics
from yesman.monitor import COMPONENTS, WatchedPane

__all__ = ["HeldLog", "components_table", "panes_table", "watch_view"]

_STATE_STYLE = {
    "waiting": "bold yellow",
    "busy": "cyan",
    "idle": "green",
    "error": "bold red",
    "unknown": "dim",
}
_ACTION_STYLE = {"answer": "green", "deny": "magenta", "hold": "bold yellow", "none": "dim"}


def _clip(text: str | None, width: int) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def panes_table(watched: list[WatchedPane]) -> Table:
    table = Table(title="Watched panes", header_style="bold", expand=False)
    for name in (
        "pane",
        "session",
        "agent",
        "state",
        "last prompt",
        "decision",
        "latency",
        "a/h/d",
    ):
        table.add_column(name, no_wrap=name != "last prompt")
    if not watched:
        table.add_row("-", "-", "", Text("no agent panes yet", style="dim"), "", "", "", "")
    for w in sorted(watched, key=lambda w: w.pane.pane_id):
        status = w.status
        prompt = status.last_prompt
        what = ""
        if prompt is not None:
            subject = _clip(prompt.target or prompt.question, 48)
            what = f"{prompt.tool or prompt.kind.value}: {subject}"
        state = status.state.value if status.agent_running else "not running"
        if status.mode is not None:
            state += f" ({status.mode.value} mode)"
        agent = status.agent + (f" {status.agent_version}" if status.agent_version else "")
        table.add_row(
            w.pane.pane_id,
            w.pane.session_name,
            agent,
            Text(state, style=_STATE_STYLE.get(status.state.value, "")),
            what,
            Text(status.last_action or "", style=_ACTION_STYLE.get(status.last_action or "", "")),
            f"{status.last_latency_ms:.0f} ms" if status.last_latency_ms is not None else "",
            f"{status.answered}/{status.held}/{status.denied}",
        )
    return table


def components_table(metrics: Mapping[str, ComponentMetrics], title: str = "Components") -> Table:
    """Per-component latency and resources, in the pipeline's order."""
    table = Table(title=title, header_style="bold")
    table.add_column("component", no_wrap=True, min_width=19)
    for name in ("n", "avg ms", "p95 ms", "p99 ms", "max ms", "err", "cpu %", "mem Δ MB", "I/O KB"):
        table.add_column(name, justify="right")
    names = [c for c in COMPONENTS if c in metrics] + [c for c in metrics if c not in COMPONENTS]
    for name in names:
        m = metrics[name]
        table.add_row(
            name,
            str(m.sample_count),
            f"{m.average_ms:.2f}",
            f"{m.p95_ms:.2f}",
            f"{m.p99_ms:.2f}",
            f"{m.max_ms:.2f}",
            str(m.error_count),
            _cpu(m),
            f"{m.avg_memory_delta_mb:.3f}",
            f"{(m.bytes_sent + m.bytes_received) / 1024:.1f}",
        )
    return table


def _cpu(m: ComponentMetrics) -> str:
    # CPU is unknown for spans the tracker could not attribute (see ComponentMetrics); a 0.0
    # there would be a wrong figure, not a small one.
    if m.sample_count and m.cpu_unknown_count >= m.sample_count:
        return "?"
    return f"{m.avg_cpu_percent:.1f}"


class HeldLog:
    """The last few dialogs held for a human, fed from PROMPT_HELD events."""

    def __init__(self, size: int = 6) -> None:
        self._items: deque[tuple[float, str]] = deque(maxlen=size)

    def __call__(self, event: Event) -> None:
        held = event.payload
        if not isinstance(held, PromptHeld):
            return
        self._items.append(
            (
                event.timestamp,
                f"{held.session} {held.pane_id}: {_clip(held.prompt.subject, 60)} — {held.reason}",
            )
        )

    def render(self) -> Table:
        table = Table(title="Held for you", header_style="bold yellow", show_header=False)
        table.add_column("when", style="dim", no_wrap=True)
        table.add_column("what")
        for when, text in self._items:
            table.add_row(time.strftime("%H:%M:%S", time.localtime(when)), text)
        return table

    def __len__(self) -> int:
        return len(self._items)


def watch_view(
    watched: list[WatchedPane],
    metrics: Mapping[str, ComponentMetrics],
    held: HeldLog,
    header: str,
) -> Group:
    parts: list[Any] = [Text(header, style="bold"), panes_table(watched)]
    if len(held):
        parts.append(held.render())
    parts.append(components_table(metrics))
    return Group(*parts)
