"""Take the README's dashboard screenshots (docs/dashboard-*.png) with Debian's Chromium.

    uv run python scripts/dashboard_screenshots.py [--out docs]

A real watcher on two simulated Claude Code agents (private tmux, a throw-away database): the
routine dialogs are answered, a dangerous command and a question are held; after a few seconds of
performance reports the Held, Agents and Performance pages are photographed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.bus import AsyncEventBus
from yesman.dashboard import DashboardServer, parse_bind
from yesman.history import HistoryWriter
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

CHROMIUM = "/usr/bin/chromium"


async def run(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp, PrivateTmuxServer(width=120, height=40) as tmux:
        root = Path(tmp)
        db = root / "yesman.db"
        _, api = start_simulated_agent(
            tmux, root / "api", "bash", "write", "edit", "dangerous", session="api", speed=2
        )
        _, web = start_simulated_agent(
            tmux, root / "web", "webfetch", "long", "question", session="web", speed=2
        )
        async with (
            AuditStore.open(db) as audit,
            AsyncEventBus(metrics_interval=1) as bus,
            HistoryWriter(audit, bus),
        ):
            supervisor = MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                audit=audit,
                agents=[SIMULATED_CLAUDE],
                settings=MonitorSettings(performance_interval=1),
            )
            subtitle = f"yesman watching tmux -L {tmux.socket_name} with <default policy>"
            async with (
                supervisor,
                DashboardServer(
                    parse_bind("0"), db=db, watcher=supervisor, bus=bus, subtitle=subtitle
                ) as dash,
                async_playwright() as playwright,
            ):
                await asyncio.sleep(25)  # both agents reach their held dialog; reports pile up
                browser = await playwright.chromium.launch(executable_path=CHROMIUM)
                page = await browser.new_page(viewport={"width": 1280, "height": 860})
                await page.goto(f"{dash.url}held?token={dash.token}")
                await page.locator(".held-card").nth(1).wait_for()
                await page.screenshot(path=out / "dashboard-held.png")
                await page.goto(f"{dash.url}")
                await page.screenshot(path=out / "dashboard-agents.png")
                await page.goto(f"{dash.url}performance?since=1m")
                await page.locator("#charts[data-loaded]").wait_for()
                await page.screenshot(path=out / "dashboard-performance.png", full_page=True)
                await browser.close()
        del api, web


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(out))


if __name__ == "__main__":
    main()
