"""The private tmux server helper (yesman.testing) that every tmux test stands on."""

from __future__ import annotations

import psutil
import pytest

from yesman.testing import PrivateTmuxServer, TmuxHelperError, eventually, eventually_async

pytestmark = pytest.mark.tmux


def test_private_server_lifecycle() -> None:
    with PrivateTmuxServer(width=70, height=12) as tmux:
        assert tmux.socket_name.startswith("yesman-test-")
        assert not tmux.is_running()
        pane = tmux.new_session("s", ["cat"], env={"YESMAN_PROBE": "1"})
        assert pane.startswith("%")
        assert tmux.is_running()
        assert tmux.socket_path.exists()
        assert tmux.run("display-message", "-p", "-t", pane, "#{pane_width}x#{pane_height}") == (
            "70x12"
        )
        assert tmux.pane_pid(pane) > 0
        second = tmux.split(pane, ["cat"])
        assert second != pane
        with pytest.raises(TmuxHelperError, match="can't find"):
            tmux.run("send-keys", "-t", "%999", "x")
    assert not tmux.is_running()
    assert not tmux.socket_path.exists()
    tmux.kill()  # idempotent


def test_eventually_returns_the_value_or_fails_clearly() -> None:
    values = iter([0, 0, 7])
    assert eventually(lambda: next(values), interval=0) == 7
    with pytest.raises(AssertionError, match="not met within"):
        eventually(lambda: "", timeout=0.05, interval=0.01)


async def test_async_commands_and_captures(tmux_server: PrivateTmuxServer) -> None:
    pane = await tmux_server.run_async(
        "new-session", "-d", "-P", "-F", "#{pane_id}", "-x", "40", "-y", "5",
        "sh", "-c", r"printf '\033[1mbold\033[0m plain\n'; sleep 30",
    )  # fmt: skip
    assert pane.startswith("%")

    async def shown() -> str:
        text = await tmux_server.capture_async(pane)
        return text if "bold plain" in text else ""

    text = await eventually_async(shown)
    assert not text.endswith("\n")  # like run(): the trailing newline is dropped
    styled = await tmux_server.capture_async(pane, ansi=True)
    assert "\x1b[1m" in styled
    assert "\x1b[1m" not in tmux_server.capture(pane)
    with pytest.raises(TmuxHelperError, match="can't find"):
        await tmux_server.run_async("send-keys", "-t", "%999", "x")
    assert await tmux_server.run_async("send-keys", "-t", "%999", "x", check=False) == ""


async def test_eventually_async_fails_clearly() -> None:
    async def never() -> int:
        return 0

    with pytest.raises(AssertionError, match="not met within"):
        await eventually_async(never, timeout=0.05, interval=0.01)


def test_programs_that_ignore_sighup_die_with_the_server() -> None:
    with PrivateTmuxServer() as tmux:
        pane = tmux.new_session("stubborn", ["sh", "-c", "trap '' HUP; sleep 300 & wait"])
        shell = psutil.Process(tmux.pane_pid(pane))
        sleeper = eventually(lambda: shell.children(recursive=True), timeout=5)[0]
    assert not sleeper.is_running() or sleeper.status() == psutil.STATUS_ZOMBIE
    assert not shell.is_running() or shell.status() == psutil.STATUS_ZOMBIE
