"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against a real
watcher on the simulated Claude Code. Screenshots go to test-artifacts/dashboard/."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from .conftest import REPORT_INTERVAL, Live, artefacts

pytestmark = pytest.mark.tmux

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        raise AssertionError(
            f"no Chromium at {CHROMIUM}: `apt-get install chromium chromium-driver` "
            "(.ci/run installs it)"
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(browser: Browser, live: Live, path: str) -> Page:
    """Log in the way a person does: the printed URL, with the token, once."""
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_default_timeout(20_000)
    await page.goto(live.server.url.rstrip("/") + path + f"?token={live.server.token}")
    assert "token=" not in page.url  # traded for the cookie, gone from the address bar
    page.on("close", lambda _: None)
    setattr(page, "yesman_errors", errors)  # noqa: B010 (checked by the tests)
    return page


async def test_held_dialog_appears_live_and_deny_reaches_the_agent(
    live: Live, browser: Browser
) -> None:
    page = await open_page(browser, live, "/held")
    await page.locator("#conn.on").wait_for()  # the event stream is open
    await page.evaluate("window.yesmanSameDocument = true")
    pane, agent = await live.start_agent("dangerous")

    card = page.locator(f'.held-card[data-pane="{pane}"]')
    await card.wait_for()
    # Pushed into the open page, not found by reloading it.
    assert await page.evaluate("window.yesmanSameDocument") is True
    assert "rm -rf /" in await card.locator("pre.target").inner_text()
    assert "guard:dangerous-command" in await card.inner_text()
    assert await page.locator("#held-count").inner_text() == "1"
    await page.screenshot(path=artefacts("dashboard") / "held.png", full_page=True)

    await card.locator("button.deny").click()
    notice = page.locator("#notice.ok")
    await notice.wait_for()
    assert "typed 2 (deny)" in await notice.inner_text()
    await agent.wait_for("answered")
    assert [a["label"] for a in agent.events("answered")] == ["No"]
    await card.wait_for(state="detached")  # the dialog left the screen, and the page
    await page.screenshot(path=artefacts("dashboard") / "held-denied.png", full_page=True)
    assert getattr(page, "yesman_errors") == []  # noqa: B009


async def test_charts_and_agents_render_with_data(live: Live, browser: Browser) -> None:
    pane, agent = await live.start_agent("bash", "write", "dangerous")
    await agent.wait_for("answered", count=2)
    await asyncio.sleep(REPORT_INTERVAL * 4)  # several reports in the history

    agents = await open_page(browser, live, "/")
    row = agents.locator("table.agents tbody tr")
    await row.filter(has_text="held").wait_for()
    assert pane in await row.inner_text()
    await agents.screenshot(path=artefacts("dashboard") / "agents.png", full_page=True)

    page = await open_page(browser, live, "/performance")
    await page.locator("#charts[data-loaded]").wait_for()
    for chart in ("latency-p95", "latency-p50", "cpu", "memory", "io", "bus", "lag", "answers"):
        plot = page.locator(f"#chart-{chart}")
        assert await plot.locator("canvas").count() == 1, chart
        points = int(await plot.get_attribute("data-points") or 0)
        if chart != "io":  # the simulated agent's steps read and write no files
            assert points > 0, chart
    assert "content_capture" in await page.locator("#components").inner_text()
    await page.screenshot(path=artefacts("dashboard") / "performance.png", full_page=True)

    # Range selection: a button re-reads the history over that range, and says so in the URL.
    before = await page.locator("#charts").get_attribute("data-loaded")
    await page.locator('#range button[data-range="15m"]').click()
    await expect(page.locator("#charts")).not_to_have_attribute("data-loaded", before or "")
    assert page.url.endswith("?since=15m")
    assert getattr(page, "yesman_errors") == []  # noqa: B009


async def test_a_firing_alert_appears_live_and_is_acknowledged(
    live_alerts: Live, browser: Browser
) -> None:
    page = await open_page(browser, live_alerts, "/alerts")
    await page.locator("#conn.on").wait_for()
    await page.evaluate("window.yesmanSameDocument = true")
    assert "No alert is firing or pending." in await page.locator("#alerts").inner_text()
    pane, _ = await live_alerts.start_agent("dangerous")

    card = page.locator('.alert-card[data-state="firing"]')
    await card.wait_for()  # pending first, then firing: both pushed, no reload
    assert await page.evaluate("window.yesmanSameDocument") is True
    text = await card.inner_text()
    assert "dialog-held" in text
    assert f"pane={pane}" in text
    assert "rm -rf /" in text
    await expect(page.locator("#alert-count")).to_have_text("1")
    await page.screenshot(path=artefacts("dashboard") / "alerts.png", full_page=True)

    await card.locator("button.ack").click()
    await expect(page.locator("#notice.ok")).to_contain_text("acknowledged")
    await expect(card.locator(".flag.acked")).to_be_visible()
    (alert,) = live_alerts.manager.active()
    assert alert.acknowledged_by == "dashboard from 127.0.0.1"

    # Silence the rule for this session only: the label box ticked, then 1h.
    await card.locator('input[data-key="session"]').check()
    await card.locator('button[data-seconds="3600"]').click()
    await expect(page.locator("#notice.ok")).to_contain_text("where session=agent0")
    row = page.locator("table.silences tbody tr")
    await expect(row).to_contain_text("dialog-held")
    (silence,) = live_alerts.manager.silences()
    assert dict(silence.matchers) == {"session": "agent0"}
    await page.screenshot(path=artefacts("dashboard") / "alerts-acknowledged.png", full_page=True)
    assert getattr(page, "yesman_errors") == []  # noqa: B009
