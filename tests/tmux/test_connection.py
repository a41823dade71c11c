"""The control-mode line protocol, fed lines as tmux 3.3a writes them."""

from __future__ import annotations

import asyncio

import pytest

from yesman.tmux import TmuxDisconnectedError, TmuxServer
from yesman.tmux._connection import Connection, Reply, _Pending


class Recorder:
    """A ConnectionHandler that keeps what it is given."""

    def __init__(self) -> None:
        self.outputs: list[str] = []
        self.notes: list[tuple[str, list[str]]] = []

    def on_output(self, pane_id: str) -> None:
        self.outputs.append(pane_id)

    def on_notification(self, connection: Connection, name: str, args: list[str]) -> None:
        self.notes.append((name, args))


def _connection() -> tuple[Connection, Recorder]:
    recorder = Recorder()
    return Connection(TmuxServer(socket_name="unused"), "$0", recorder), recorder


def _feed(connection: Connection, text: bytes) -> list[bool]:
    return [connection._feed(line) for line in text.split(b"\n")]


async def test_attach_reply_then_notifications_and_output() -> None:
    connection, recorder = _connection()
    _feed(
        connection,
        b"%begin 1795742276 268 0\n%end 1795742276 268 0\n%session-changed $0 A\n"
        b"%output %0 \\033[?2004hroot@vm:/tmp# \n"
        b"%extended-output %12 0 : foo\n"
        b"%session-renamed $1 my session\n"
        b"%pause %3",
    )
    assert connection.attached.is_set()
    assert recorder.outputs == ["%0", "%12"]
    assert recorder.notes == [
        ("%session-changed", ["$0", "A"]),
        ("%session-renamed", ["$1", "my", "session"]),
        ("%pause", ["%3"]),
    ]
    assert connection._paused == {"%3"}


async def test_failed_attach_is_reported() -> None:
    connection, _recorder = _connection()
    _feed(connection, b"%begin 1 2 0\ncan't find session: $9\n%error 1 2 0")
    assert not connection.attached.is_set()
    assert connection.attach_error == "can't find session: $9"


async def test_replies_match_commands_in_order_and_fake_ends_are_content() -> None:
    connection, _recorder = _connection()
    loop = asyncio.get_running_loop()
    first: asyncio.Future[Reply] = loop.create_future()
    second: asyncio.Future[Reply] = loop.create_future()
    abandoned: asyncio.Future[Reply] = loop.create_future()
    abandoned.cancel()  # a command that timed out keeps its slot
    for future in (abandoned, first, second):
        connection._pending.append(_Pending("x", future))
    _feed(
        connection,
        b"%begin 5 270 1\nlate\n%end 5 270 1\n"
        b"%begin 5 271 1\nrow one\n%end 1 2 1\n%error 5 271 0\n%output %1 x\n%end 5 271 1\n"
        b"%begin 5 272 1\nparse error: unknown command: bogus\n%error 5 272 1",
    )
    assert first.result() == Reply(
        True, ["row one", "%end 1 2 1", "%error 5 271 0", "%output %1 x"]
    )
    assert second.result() == Reply(False, ["parse error: unknown command: bogus"])


async def test_exit_fails_waiting_commands() -> None:
    connection, _recorder = _connection()
    future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
    connection._pending.append(_Pending("x", future))
    assert _feed(connection, b"%exit server exited") == [True]
    connection._finish(connection.exit_reason)
    with pytest.raises(TmuxDisconnectedError, match="server exited"):
        future.result()
