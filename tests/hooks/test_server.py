"""HookServer: a private socket, one listener per tmux server, bounded requests."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from hooks._rig import Handler, Place
from yesman.hooks import HookAnswer, HookServer, HookSocketBusyError, HookSocketError
from yesman.hooks._client import exchange
from yesman.hooks._wire import encode_header
from yesman.testing import eventually_async


def _now(check: Callable[[], object]) -> Callable[[], Awaitable[object]]:
    async def run() -> object:
        return check()

    return run


def _ask(path: Path, request: bytes, timeout: float = 5.0) -> tuple[str, str, str]:
    return exchange(path, request, timeout)


def _decide(payload: bytes = b"{}") -> bytes:
    header = encode_header(
        op="decide", agent="claude-code", env={"TMUX_PANE": "%1"}, length=len(payload), sent=1.0
    )
    return header + payload


async def test_it_listens_on_a_private_socket_and_cleans_up(place: Place) -> None:
    handler = Handler()
    server = HookServer(place.socket, handler)
    await server.start()
    await server.start()  # idempotent
    assert stat.S_IMODE(place.socket.stat().st_mode) == 0o600
    assert stat.S_IMODE(place.socket.parent.stat().st_mode) == 0o700
    reply = await asyncio.to_thread(_ask, place.socket, _decide(b'{"x": 1}'))
    assert reply == ("decided", "OUT", "why")
    assert handler.calls[0].payload == b'{"x": 1}'
    assert handler.calls[0].pane == "%1"
    assert handler.calls[0].peer_pid == os.getpid()
    await server.stop()
    await server.stop()
    assert not place.socket.exists()
    await server.start()  # restartable
    assert await asyncio.to_thread(_ask, place.socket, _decide()) == ("decided", "OUT", "why")
    await server.stop()


async def test_a_second_listener_is_refused_and_the_first_keeps_serving(place: Place) -> None:
    async with HookServer(place.socket, Handler(), describe="yesman watch (pid 1) on -L x"):
        with pytest.raises(HookSocketBusyError, match=r"yesman watch \(pid 1\) on -L x already"):
            await HookServer(place.socket, Handler()).start()
        assert (await asyncio.to_thread(_ask, place.socket, _decide()))[0] == "decided"


async def test_a_socket_left_by_a_dead_watcher_is_replaced(place: Place) -> None:
    place.socket.parent.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(place.socket))  # bound, never listening: what a killed watcher leaves
    stale.close()
    async with HookServer(place.socket, Handler()):
        assert (await asyncio.to_thread(_ask, place.socket, _decide()))[0] == "decided"


async def test_it_refuses_a_folder_others_can_write(place: Place) -> None:
    place.socket.parent.mkdir()
    place.socket.parent.chmod(0o777)
    with pytest.raises(HookSocketError, match="writable by other users"):
        await HookServer(place.socket, Handler()).start()


async def test_ping_answers_without_asking_the_handler(
    place: Place, watcher: tuple[HookServer, Handler]
) -> None:
    _, handler = watcher
    ping = encode_header(op="ping", agent="", env={}, length=0, sent=1.0)
    assert await asyncio.to_thread(_ask, place.socket, ping) == ("pong", "", "test watcher")
    assert handler.calls == []


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"GET / HTTP/1.1\r\n\r\n", id="not-the-protocol"),
        pytest.param(b'{"yesman_hook": 9}\n', id="other-version"),
    ],
)
async def test_a_malformed_request_is_refused(
    place: Place, watcher: tuple[HookServer, Handler], request_bytes: bytes
) -> None:
    server, handler = watcher
    status, stdout, _ = await asyncio.to_thread(_ask, place.socket, request_bytes)
    assert (status, stdout) == ("refused", "")
    assert handler.calls == []
    assert server.refused == 1


async def test_a_request_cut_short_gets_no_answer_and_the_server_goes_on(
    place: Place, watcher: tuple[HookServer, Handler]
) -> None:
    _, handler = watcher

    def cut() -> bytes:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(place.socket))
            s.sendall(_decide(b"0123456789")[:-4])  # promises 10 bytes, sends 6
            s.shutdown(socket.SHUT_WR)
            return s.recv(100)

    assert await asyncio.to_thread(cut) == b""
    assert handler.calls == []
    assert (await asyncio.to_thread(_ask, place.socket, _decide()))[0] == "decided"


async def test_the_hook_gets_its_answer_before_the_bookkeeping_after_it(place: Place) -> None:
    class Slow(Handler):
        async def delivered(self, call: object, answer: object, *, ok: bool, at: float) -> None:
            await asyncio.sleep(1.0)
            self.deliveries.append(ok)

    handler = Slow(answer=HookAnswer("decided", "allow!"))
    async with HookServer(place.socket, handler):
        start = time.monotonic()
        reply = await asyncio.to_thread(_ask, place.socket, _decide())
        answered_in = time.monotonic() - start
        assert reply[1] == "allow!"
        assert answered_in < 0.9, "the hook waited for the watcher's bookkeeping"
        await eventually_async(_now(lambda: handler.deliveries), timeout=5.0)
    assert handler.deliveries == [True]


async def test_stop_lets_a_request_in_flight_finish(place: Place) -> None:
    handler = Handler(delay=0.5)
    server = HookServer(place.socket, handler)
    await server.start()
    asking = asyncio.create_task(asyncio.to_thread(_ask, place.socket, _decide()))
    await eventually_async(_now(lambda: handler.calls))
    await server.stop()
    assert (await asking)[0] == "decided"
