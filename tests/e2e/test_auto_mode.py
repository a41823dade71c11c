"""The real Claude Code in auto mode: yesman sees its footer and says the agent answers itself."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from support.claude_api import ClaudeApiStandIn
from support.claude_code import (
    ClaudeCodeNotFoundError,
    ClaudeLaunch,
    find_claude_binary,
    prepare_home,
    start_claude,
)
from yesman.agents import PermissionMode
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.testing import PrivateTmuxServer

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]


def _binary() -> Path:
    try:
        return find_claude_binary()
    except ClaudeCodeNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Claude Code is not installed ({exc}); run: npm ci --prefix tools/claude-code")


async def _until(check: Callable[[], object], what: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_auto_mode_is_seen_and_reported_by_status(tmp_path: Path) -> None:
    binary = _binary()
    project = tmp_path / "project"
    project.mkdir()
    with PrivateTmuxServer(prefix="yesman-e2e", width=120, height=40) as tmux:
        async with ClaudeApiStandIn([]) as api:
            # A fresh install keeps auto mode available and offers to make it the default.
            home = prepare_home(tmp_path / "home", trusted=[project], auto_mode=True)
            pane = await start_claude(
                ClaudeLaunch(
                    socket=tmux.socket_name, home=home, cwd=project, base_url=api.base_url,
                    binary=binary,
                )
            )  # fmt: skip
            await _until(lambda: "Make auto mode your default" in tmux.capture(pane), "the offer")
            async with MonitorSupervisor(
                tmux.server, settings=MonitorSettings(performance_interval=0)
            ) as supervisor:
                # The offer has no digits: yesman leaves it alone; the human accepts it.
                await asyncio.sleep(0.5)
                tmux.run("send-keys", "-t", pane, "Enter")
                await _until(
                    lambda: any(w.status.mode is PermissionMode.AUTO for w in supervisor.watched()),
                    "yesman to see auto mode",
                )
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "yesman.cli", "status", "-L", tmux.socket_name, "--json",
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await proc.communicate()
    [row] = json.loads(out)
    assert (row["pane_id"], row["mode"]) == (pane, "auto")
