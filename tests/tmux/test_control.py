"""ControlClient against a real tmux server: commands, notifications, faults."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import TypeVar

import pytest

from yesman.testing import PrivateTmuxServer, eventually_async
from yesman.tmux import (
    ClientClosedError,
    ControlClient,
    ControlConfig,
    InvalidKeyError,
    InvalidTargetError,
    Notification,
    OutputPaused,
    PaneAdded,
    PaneChanged,
    PaneClosed,
    PaneCommandChanged,
    PaneDied,
    PaneNotFoundError,
    ServerConnected,
    ServerDisconnected,
    SessionAdded,
    SessionClosed,
    SessionRenamed,
    TmuxCommandError,
    TmuxDisconnectedError,
    TmuxServerNotRunningError,
    TmuxTimeoutError,
)

pytestmark = pytest.mark.tmux

N = TypeVar("N")
FAST = ControlConfig(reconnect_initial=0.05, reconnect_max=0.2, command_timeout=3.0)


async def next_of(stream: AsyncIterator[Notification], kind: type[N], timeout: float = 5.0) -> N:
    """The next notification of `kind`, skipping others."""
    async with asyncio.timeout(timeout):
        async for item in stream:
            if isinstance(item, kind):
                return item
    raise AssertionError(f"stream ended before a {kind.__name__}")


async def test_capture_shows_the_screen_as_drawn(tmux_server: PrivateTmuxServer) -> None:
    long_line = "w" * 70
    script = f"print('hello'); print({long_line!r}); print('%end 1 2 1'); input()"
    pane = tmux_server.new_session("cap", [sys.executable, "-c", script], width=40, height=10)
    async with ControlClient(tmux_server.server) as client:
        screen = await eventually_async(
            lambda: _containing(client.capture_pane(pane), "%end 1 2 1")
        )
        rows = screen.split("\n")
        assert len(rows) == 10  # the whole visible screen, one string per row
        assert rows[0] == "hello"
        assert rows[1:3] == ["w" * 40, "w" * 30]  # wrapped as drawn, not joined
        assert rows[3] == "%end 1 2 1"  # a fake block end in the pane ends nothing
        assert "\x1b[" not in screen


async def _containing(capture: object, text: str) -> str:
    value = await capture  # type: ignore[misc]
    assert isinstance(value, str)
    return value if text in value else ""


async def test_capture_with_colours_and_scrollback(tmux_server: PrivateTmuxServer) -> None:
    script = "print('\\x1b[31mred\\x1b[0m'); [print('n', i) for i in range(30)]; input()"
    pane = tmux_server.new_session("sb", [sys.executable, "-c", script], height=10)
    async with ControlClient(tmux_server.server) as client:
        await eventually_async(lambda: _containing(client.capture_pane(pane), "n 29"))
        history = await client.capture_pane(pane, start=-100)
        assert history.startswith("red\nn 0")
        coloured = await client.capture_pane(pane, ansi=True, start=-100)
        assert "\x1b[31mred" in coloured


_RAW_READER = """
import os, sys, time, tty
tty.setraw(0)
print("ready", end="\\r\\n", flush=True)
data = b""
while not data.endswith(b"!"):
    data += os.read(0, 100)
print("got", data.hex(), end="\\r\\n", flush=True)
time.sleep(60)
"""


async def test_keys_reach_the_program(tmux_server: PrivateTmuxServer) -> None:
    pane = tmux_server.new_session("keys", [sys.executable, "-c", _RAW_READER])
    async with ControlClient(tmux_server.server) as client:
        await eventually_async(lambda: _containing(client.capture_pane(pane), "ready"))
        await client.send_keys(pane, "1", "Escape", "y", "Enter")
        await client.send_literal(pane, "it's $HOME; -t %0!")
        screen = await eventually_async(lambda: _containing(client.capture_pane(pane), "got"))
        got = screen.split("\n")[1].removeprefix("got ")
        assert bytes.fromhex(got) == b"1\x1by\rit's $HOME; -t %0!"


async def test_refusals_are_clear(tmux_server: PrivateTmuxServer) -> None:
    pane = tmux_server.new_session("ref")
    async with ControlClient(tmux_server.server) as client:
        with pytest.raises(InvalidKeyError):
            await client.send_keys(pane, "rm -rf /")
        with pytest.raises(InvalidTargetError):
            await client.send_keys("ref:0.0", "1")
        with pytest.raises(ValueError, match="at least one key"):
            await client.send_keys(pane)
        with pytest.raises(PaneNotFoundError, match="does not exist"):
            await client.capture_pane("%999")
        with pytest.raises(TmuxCommandError, match="unknown command"):
            await client.command("no-such-command")
        # the connection is still fine after refusals
        assert await client.command("display-message", "-p", "ok") == ["ok"]
        stats = client.statistics()
        assert stats.connected
        assert (stats.connections, stats.panes) == (1, 1)
        assert stats.command_errors == 2  # the missing pane and the unknown command
        assert stats.commands >= 3


async def test_notifications_for_structure_changes(tmux_server: PrivateTmuxServer) -> None:
    first = tmux_server.new_session("alpha")
    async with ControlClient(tmux_server.server) as client:
        stream = client.notifications()
        window_pane = tmux_server.new_window("alpha")
        added = await next_of(stream, PaneAdded)
        assert added.pane.pane_id == window_pane

        split = tmux_server.split(first)
        assert (await next_of(stream, PaneAdded)).pane.pane_id == split
        tmux_server.run("kill-pane", "-t", split)
        assert (await next_of(stream, PaneClosed)).pane.pane_id == split

        tmux_server.run("rename-session", "-t", "alpha", "beta")
        renamed = await next_of(stream, SessionRenamed)
        assert (renamed.old_name, renamed.new_name) == ("alpha", "beta")

        other = tmux_server.new_session("gamma")
        assert (await next_of(stream, SessionAdded)).name == "gamma"
        # output in a second session is seen too (it has its own control connection)
        changes = client.changes(other)
        await client.send_literal(other, "hi\n")
        async with asyncio.timeout(3):
            assert (await anext(changes)).pane_id == other

        tmux_server.run("kill-session", "-t", "gamma")
        assert (await next_of(stream, PaneClosed)).pane.pane_id == other
        assert (await next_of(stream, SessionClosed)).name == "gamma"
        async with asyncio.timeout(3):  # the pane's change stream ended with it
            _rest = [change async for change in changes]
        assert client.connected


async def test_server_killed_and_restarted(tmux_server: PrivateTmuxServer) -> None:
    old = tmux_server.new_session("before")
    async with ControlClient(tmux_server.server, FAST) as client:
        stream = client.notifications()
        changes = client.changes(old)
        tmux_server.kill()
        lost = await next_of(stream, ServerDisconnected)
        assert "went away" in lost.reason
        assert (await next_of(stream, PaneClosed)).pane.pane_id == old
        assert not client.connected
        with pytest.raises(TmuxDisconnectedError, match="reconnect"):
            await client.list_panes()
        async with asyncio.timeout(3):
            assert [c async for c in changes if c.pane_id != old] == []

        await asyncio.sleep(0.3)  # let a few retries fail first
        new = tmux_server.new_session("after")
        back = await next_of(stream, ServerConnected)
        assert back.attempt >= 1
        assert back.downtime > 0.2
        assert (await next_of(stream, PaneAdded)).pane.session_name == "after"
        assert [p.pane_id for p in await client.list_panes()] == [new]
        assert client.statistics().reconnects == 1


async def test_commands_in_flight_fail_when_the_server_dies(
    tmux_server: PrivateTmuxServer,
) -> None:
    pane = tmux_server.new_session("inflight")
    async with ControlClient(tmux_server.server, FAST) as client:
        server_pid = tmux_server.server_pid()
        os.kill(server_pid, signal.SIGSTOP)  # the command will sit unanswered ...
        try:
            capture = asyncio.ensure_future(client.capture_pane(pane))
            await asyncio.sleep(0.2)
            assert not capture.done()
        finally:
            os.kill(server_pid, signal.SIGKILL)  # ... until the server is gone
            os.kill(server_pid, signal.SIGCONT)
        with pytest.raises(TmuxDisconnectedError, match="lost the control connection"):
            async with asyncio.timeout(2):
                await capture


async def test_commands_time_out_against_a_stopped_server(
    tmux_server: PrivateTmuxServer,
) -> None:
    tmux_server.new_session("stopped")
    async with ControlClient(tmux_server.server) as client:
        server_pid = tmux_server.server_pid()
        os.kill(server_pid, signal.SIGSTOP)
        try:
            with pytest.raises(TmuxTimeoutError, match="did not answer"):
                await client.command("display-message", "-p", "late", timeout=0.3)
        finally:
            os.kill(server_pid, signal.SIGCONT)
        # the late reply is dropped, later replies still match their commands
        assert await client.command("display-message", "-p", "next") == ["next"]


async def test_a_client_that_stops_reading_blocks_nobody(
    tmux_server: PrivateTmuxServer,
) -> None:
    script = "import sys\ninput()\nfor i in range(20000): print('flood', i)\ninput()\n"
    pane = tmux_server.new_session("flood", [sys.executable, "-c", script])
    # another control client that never reads its pipe
    stuck = await asyncio.create_subprocess_exec(
        *tmux_server.argv("-C", "attach", "-t", "flood"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with ControlClient(tmux_server.server) as client:
            changes = client.changes(pane)
            await client.send_keys(pane, "Enter")
            await eventually_async(
                lambda: _containing(client.capture_pane(pane), "flood 19999"), timeout=20
            )
            async with asyncio.timeout(2):
                assert (await anext(changes)).pane_id == pane
            assert await client.command("display-message", "-p", "alive") == ["alive"]
            assert stuck.returncode is None  # tmux neither blocked on it nor on us
    finally:
        stuck.kill()
        await stuck.communicate()


async def test_lifecycle(tmux_server: PrivateTmuxServer) -> None:
    with pytest.raises(TmuxServerNotRunningError, match="new-session"):
        async with ControlClient(tmux_server.server):
            pass
    async with ControlClient(tmux_server.server, FAST, require_server=False) as client:
        assert not client.connected
        tmux_server.new_session("late")
        await client.wait_connected(timeout=5)
        notes = client.notifications()
        await client.aclose()
        await client.aclose()  # idempotent
        assert [n async for n in notes] == []
        with pytest.raises(ClientClosedError, match="not running"):
            await client.list_panes()
    # every control process is gone: only the pane's own process is left under the server
    assert tmux_server.run("list-clients") == ""


async def test_a_stopped_client_starts_again(tmux_server: PrivateTmuxServer) -> None:
    pane = tmux_server.new_session("again")
    client = ControlClient(tmux_server.server, FAST)
    with pytest.raises(ClientClosedError, match="not started yet"):
        client.notifications()
    await client.start()
    await client.start()  # idempotent while running
    assert [p.pane_id for p in await client.list_panes()] == [pane]
    commands = client.statistics().commands
    await client.stop()
    await client.stop()
    assert tmux_server.run("list-clients") == ""
    with pytest.raises(ClientClosedError):
        await client.capture_pane(pane)

    async with client:  # the same object, connected afresh
        notes = client.notifications()
        assert client.connected
        assert [p.pane_id for p in await client.list_panes()] == [pane]
        second = tmux_server.new_window("again")
        added = await next_of(notes, PaneAdded)
        assert added.pane.pane_id == second
        assert tmux_server.run("list-clients", "-F", "#{client_control_mode}") == "1"
    assert client.statistics().commands > commands  # counters carry over the restart
    assert tmux_server.run("list-clients") == ""
    await client.start()  # and a third run through the plain verbs
    assert len(await client.list_panes()) == 2
    await client.aclose()


async def test_a_reader_that_falls_behind_recovers(tmux_server: PrivateTmuxServer) -> None:
    script = (
        "import sys, time\ninput()\nfor i in range(20000): print('p' * 60, i)\ntime.sleep(60)\n"
    )
    pane = tmux_server.new_session("behind", [sys.executable, "-c", script])
    # tmux 3.3a can go quiet for ~5 s before it sends %pause to a client that fell behind
    config = ControlConfig(pause_after=1, command_timeout=15)
    async with ControlClient(tmux_server.server, config) as client:
        stream = client.notifications()
        await client.send_keys(pane, "Enter")
        # the whole event loop stops reading the control pipe while the pane floods it; tmux
        # buffers or pauses the pane for us (%pause), it never drops the client
        time.sleep(2.5)  # noqa: ASYNC251 - blocking the loop is the point
        await eventually_async(
            lambda: _containing(client.capture_pane(pane), "p 19999"), timeout=30
        )
        changes = client.changes(pane)
        while changes.get_nowait() is not None:
            pass
        await client.send_literal(pane, "after\n")
        async with asyncio.timeout(3):
            assert (await anext(changes)).pane_id == pane
        assert client.connected
        seen = []
        while (item := stream.get_nowait()) is not None:
            seen.append(item)
        assert not [n for n in seen if isinstance(n, ServerDisconnected)]
        assert all(n.pane_id == pane for n in seen if isinstance(n, OutputPaused))


async def test_dead_and_respawned_panes_are_reported(tmux_server: PrivateTmuxServer) -> None:
    tmux_server.new_session("keep")
    tmux_server.run("set-option", "-g", "remain-on-exit", "on")
    async with ControlClient(tmux_server.server) as client:
        stream = client.notifications()
        short = tmux_server.split(tmux_server.run("display-message", "-p", "#{pane_id}"),
                                  ["sleep", "0.2"])  # fmt: skip
        added = await next_of(stream, PaneAdded)
        died = await next_of(stream, PaneDied, timeout=5)  # tmux checks once a second
        assert died.pane.pane_id == short == added.pane.pane_id
        assert died.pane.dead

        tmux_server.run("respawn-pane", "-t", short, "cat")
        closed = await next_of(stream, PaneClosed, timeout=5)
        reborn = await next_of(stream, PaneAdded, timeout=5)
        assert closed.pane.pane_pid == added.pane.pane_pid
        assert reborn.pane.pane_id == short
        assert reborn.pane.pane_pid != added.pane.pane_pid
        assert not reborn.pane.dead


async def test_session_closed_with_detach_on_destroy_off(tmux_server: PrivateTmuxServer) -> None:
    keep = tmux_server.new_session("keep")
    doomed = tmux_server.new_session("doomed")
    tmux_server.run("set-option", "-g", "detach-on-destroy", "off")
    async with ControlClient(tmux_server.server) as client:
        stream = client.notifications()
        tmux_server.run("kill-session", "-t", "doomed")
        assert (await next_of(stream, PaneClosed)).pane.pane_id == doomed
        assert (await next_of(stream, SessionClosed)).name == "doomed"
        # the control process that tmux moved to "keep" is let go; one per session remains
        await eventually_async(lambda: _clients(tmux_server))
        changes = client.changes(keep)
        await client.send_literal(keep, "still watched\n")
        async with asyncio.timeout(3):
            assert (await anext(changes)).pane_id == keep


async def _clients(tmux_server: PrivateTmuxServer) -> bool:
    return tmux_server.run("list-clients", "-F", "#{session_name}").split("\n") == ["keep"]


async def test_dropped_control_clients_reattach_quietly(
    tmux_server: PrivateTmuxServer, caplog: pytest.LogCaptureFixture
) -> None:
    pane = tmux_server.new_session("solo")
    async with ControlClient(tmux_server.server, FAST) as client:
        stream = client.notifications()
        tmux_server.run("detach-client", "-s", "solo")  # someone detaches every client
        await eventually_async(lambda: _attached_clients(tmux_server, 1))
        changes = client.changes(pane)
        await client.send_literal(pane, "still here\n")
        async with asyncio.timeout(3):
            assert (await anext(changes)).pane_id == pane
        assert "were dropped" in caplog.text
        # the server never went away, so nothing closed and no reconnect was announced
        assert stream.get_nowait() is None
        assert client.statistics().reconnects == 0


async def _attached_clients(tmux_server: PrivateTmuxServer, count: int) -> bool:
    return len(tmux_server.run("list-clients").splitlines()) == count


async def test_reconnect_backs_off_exponentially_up_to_a_cap(
    tmux_server: PrivateTmuxServer, caplog: pytest.LogCaptureFixture
) -> None:
    tmux_server.new_session("gone")
    caplog.set_level(logging.DEBUG, logger="yesman.tmux")
    async with ControlClient(tmux_server.server, FAST) as client:
        stream = client.notifications()
        tmux_server.kill()
        await next_of(stream, ServerDisconnected)
        await asyncio.sleep(1.0)
        delays = [
            float(r.getMessage().rsplit("retry in ", 1)[1].removesuffix("s"))
            for r in caplog.records
            if "not reachable" in r.getMessage()
        ]
        assert delays[:4] == [0.05, 0.1, 0.2, 0.2]  # doubled each time, capped at 0.2
        assert not client.connected


# -- muting the output of panes that are not agents

_TICKER = "import itertools, time\nfor i in itertools.count():\n    print('tick', i, flush=True)\n    time.sleep(0.02)\n"  # noqa: E501


async def _quiet_for(changes: AsyncIterator[PaneChanged], seconds: float) -> bool:
    """True if no change arrived within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await anext(changes)
    except TimeoutError:
        return True
    return False


async def test_a_muted_pane_reports_no_changes_but_keeps_running(
    tmux_server: PrivateTmuxServer,
) -> None:
    noisy = tmux_server.new_session("mute", [sys.executable, "-c", _TICKER])
    other = tmux_server.split(noisy, [sys.executable, "-c", _TICKER])
    async with ControlClient(tmux_server.server, FAST) as client:
        noisy_changes, other_changes = client.changes(noisy), client.changes(other)
        async with asyncio.timeout(3):
            await anext(noisy_changes)
        await client.mute_output(noisy)
        assert client.muted_panes() == {noisy}
        await asyncio.sleep(0.3)  # let output already in the pipe drain
        noisy_changes.get_nowait()  # drop what was released before the mute
        before = client.statistics().outputs
        assert await _quiet_for(noisy_changes, 1.0)
        async with asyncio.timeout(3):
            assert (await anext(other_changes)).pane_id == other  # the others still report
        first = await client.capture_pane(noisy)
        await asyncio.sleep(0.3)
        assert await client.capture_pane(noisy) != first  # its program was not stalled
        assert client.statistics().outputs > before

        await client.unmute_output(noisy)
        assert client.muted_panes() == frozenset()
        async with asyncio.timeout(3):
            assert (await anext(noisy_changes)).pane_id == noisy


async def test_muting_survives_reattaching(tmux_server: PrivateTmuxServer) -> None:
    noisy = tmux_server.new_session("remute", [sys.executable, "-c", _TICKER])
    async with ControlClient(tmux_server.server, FAST) as client:
        await client.mute_output(noisy)
        tmux_server.run("detach-client", "-s", "remute")  # our client is dropped and reattaches
        await eventually_async(lambda: _attached_clients(tmux_server, 1))
        await asyncio.sleep(0.5)
        changes = client.changes(noisy)
        changes.get_nowait()
        before = client.statistics().outputs
        assert await _quiet_for(changes, 1.0)
        # tmux itself holds the output (the new client was muted too), not just our filter
        assert client.statistics().outputs == before
        assert client.muted_panes() == {noisy}


async def test_a_muted_pane_still_reports_a_new_foreground_command(
    tmux_server: PrivateTmuxServer,
) -> None:
    pane = tmux_server.new_session("cmd", ["sh"])
    async with ControlClient(tmux_server.server, FAST) as client:
        notes = client.notifications()
        await client.mute_output(pane)
        await client.send_literal(pane, "sleep 30\n")
        changed = await next_of(notes, PaneCommandChanged, timeout=5)
        assert changed.pane.pane_id == pane
        assert (changed.previous, changed.pane.current_command) == ("sh", "sleep")


async def test_stopping_while_a_topology_refresh_is_due_never_raises(
    tmux_server: PrivateTmuxServer,
) -> None:
    # A refresh that wakes between stop() refusing commands and the tasks being cancelled used
    # to fail the whole client with ClientClosedError (seen as `yesman status` exiting 1).
    tmux_server.new_session("plain", ["cat"])
    client = ControlClient(tmux_server.server)
    for _ in range(25):
        await client.start()
        client._topology_wanted.set()
        await asyncio.sleep(0.004)  # the loop folds bursts for 5 ms, then refreshes
        await client.stop()
