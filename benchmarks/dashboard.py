"""How fast a held dialog reaches an open dashboard page, in a real browser.

Run: uv run python benchmarks/dashboard.py [--dialogs N]

A real watcher (MonitorSupervisor, bus, audit store, history writer; default settings, so the
input guard of the agent's version is waited out before deciding) watches the simulated Claude
Code on a private tmux server and serves the dashboard; Debian's Chromium (Playwright) has the
Held page open. The agent draws N dialogs (default 30), cycling through six different ones (the
same dialog right after an answer would be held back by the watcher's re-answer guard, which is
not what is measured here); a policy with no rules holds each, the page shows it, and the
benchmark denies it through the API so the next one comes.

Per dialog, all on the wall clock of this machine:

* drawn: the simulated agent logs ``dialog_shown`` once the dialog's last byte reached its
  terminal;
* published (the reference, measured in the same run): the watcher's ``PROMPT_HELD`` event is
  created (its ``timestamp``): how long the watcher itself took, input guard included;
* on the page: a MutationObserver in the page notes when the dialog's card was inserted
  (``performance.timeOrigin + performance.now()``).

Printed: p50 / p95 / max of drawn -> on the page (target p95 <= 300 ms), of the reference
drawn -> published, and of the dashboard's own share, published -> on the page.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.dashboard import DashboardServer, parse_bind
from yesman.history import HistoryWriter
from yesman.monitor import MonitorSupervisor
from yesman.policy import Policy
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

CHROMIUM = "/usr/bin/chromium"
SCENARIOS = ("bash", "write", "edit", "webfetch", "long", "dangerous")

# Records when each held card enters the page; runs before the page's own scripts.
OBSERVER = """
window.yesmanSeen = {};
new MutationObserver(() => {
  for (const card of document.querySelectorAll('.held-card[data-id]')) {
    if (!(card.dataset.id in window.yesmanSeen)) {
      window.yesmanSeen[card.dataset.id] = performance.timeOrigin + performance.now();
    }
  }
}).observe(document, {childList: true, subtree: true});
"""


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ordered[-1]:7.1f} ms   (n={len(ordered)})"
    )


async def run(dialogs: int) -> int:
    with tempfile.TemporaryDirectory() as tmp, PrivateTmuxServer(width=120, height=40) as tmux:
        root = Path(tmp)
        db = root / "audit.db"
        tmux.new_session("shell")
        published: dict[str, float] = {}

        def on_held(event: Event) -> None:
            if event.correlation_id is not None:
                published[event.correlation_id] = event.timestamp

        async with (
            AuditStore.open(db) as audit,
            AsyncEventBus() as bus,
            HistoryWriter(audit, bus),
        ):
            bus.subscribe(EventType.PROMPT_HELD, on_held)
            supervisor = MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                audit=audit,
                agents=[SIMULATED_CLAUDE],
                policy=Policy([], source="<hold everything>"),
            )
            async with (
                supervisor,
                DashboardServer(parse_bind("0"), db=db, watcher=supervisor, bus=bus) as dash,
                async_playwright() as playwright,
                httpx.AsyncClient(
                    base_url=dash.url, headers={"Authorization": f"Bearer {dash.token}"}
                ) as api,
            ):
                browser = await playwright.chromium.launch(executable_path=CHROMIUM)
                page = await browser.new_page()
                await page.add_init_script(OBSERVER)
                await page.goto(f"{dash.url}held?token={dash.token}")
                await page.locator("#conn.on").wait_for()
                scenarios = [SCENARIOS[i % len(SCENARIOS)] for i in range(dialogs)]
                _, agent = start_simulated_agent(
                    tmux, root / "project", *scenarios, session="agent"
                )
                pairs: list[tuple[str, int]] = []  # (held id, dialog number)
                for n in range(1, dialogs + 1):
                    deadline = time.monotonic() + 30
                    while True:
                        held = (await api.get("/api/held")).json()["held"]
                        seen: dict[str, float] = await page.evaluate("window.yesmanSeen")
                        if held and held[0]["id"] in seen:
                            break
                        if time.monotonic() > deadline:
                            print(f"dialog {n} never reached the page", file=sys.stderr)
                            return 1
                        await asyncio.sleep(0.02)
                    pairs.append((held[0]["id"], n))
                    denied = await api.post(
                        f"/api/held/{held[0]['id']}/deny",
                        json={"fingerprint": held[0]["fingerprint"]},
                        timeout=30,
                    )
                    denied.raise_for_status()
                    await agent.wait_for("answered", count=n)
                seen = await page.evaluate("window.yesmanSeen")
                await browser.close()
            shown = {e["dialog"]: e["t"] for e in agent.events("dialog_shown")}
    total, reference, own = [], [], []
    for held_id, n in pairs:
        drawn = shown[n]
        total.append(seen[held_id] - drawn * 1000.0)
        reference.append((published[held_id] - drawn) * 1000.0)
        own.append(seen[held_id] - published[held_id] * 1000.0)
    report(total, reference, own)
    return 0


def report(total: list[float], reference: list[float], own: list[float]) -> None:
    print("Held dialog: drawn in the pane -> shown on an open dashboard page (Chromium)")
    print(f"  drawn -> on the page        {quantiles(total)}   target p95 <= 300 ms")
    print(f"  drawn -> event published    {quantiles(reference)}   (reference: the watcher)")
    print(f"  published -> on the page    {quantiles(own)}   (the dashboard's share)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialogs", type=int, default=30)
    args: Any = parser.parse_args(argv)
    return asyncio.run(run(args.dialogs))


if __name__ == "__main__":
    sys.exit(main())
