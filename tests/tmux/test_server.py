"""Addressing tmux servers the way tmux does."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from yesman.testing import PrivateTmuxServer
from yesman.tmux import (
    ControlClient,
    TmuxNotASocketError,
    TmuxNotInstalledError,
    TmuxServer,
    TmuxServerNotRunningError,
)


def test_flags_for_each_way_of_naming_a_server() -> None:
    assert TmuxServer(socket_name="work").argv("ls") == ["tmux", "-L", "work", "ls"]
    assert TmuxServer(socket_path=Path("/tmp/s")).argv("ls") == ["tmux", "-S", "/tmp/s", "ls"]
    assert TmuxServer().argv("ls") == ["tmux", "ls"]
    assert TmuxServer.from_flags(socket_path="/x/y").socket_path == Path("/x/y")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"socket_name": "a", "socket_path": Path("/b")}, "not both"),
        ({"socket_name": ""}, "non-empty"),
        ({"socket_name": "a/b"}, "without '/'"),
    ],
    ids=["both", "empty-name", "slash-in-name"],
)
def test_bad_addresses_are_refused_with_a_reason(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TmuxServer(**kwargs)  # type: ignore[arg-type]


def test_default_socket_follows_tmux_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("TMUX_TMPDIR", str(tmp_path))
    uid = os.getuid()
    assert TmuxServer().resolved_socket_path() == tmp_path / f"tmux-{uid}" / "default"
    assert TmuxServer(socket_name="w").resolved_socket_path() == tmp_path / f"tmux-{uid}" / "w"
    # tmux falls back to /tmp when $TMUX_TMPDIR is not a directory, and so do we
    monkeypatch.setenv("TMUX_TMPDIR", str(tmp_path / "missing"))
    assert TmuxServer().resolved_socket_path() == Path(f"/tmp/tmux-{uid}/default")
    monkeypatch.delenv("TMUX_TMPDIR")
    assert TmuxServer().resolved_socket_path() == Path(f"/tmp/tmux-{uid}/default")


def test_inside_tmux_the_default_server_is_the_enclosing_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/inner,4242,3")
    assert TmuxServer().resolved_socket_path() == Path("/tmp/tmux-1000/inner")
    # an explicit socket wins, and $TMUX is kept away from the child so nesting checks stay quiet
    assert "TMUX" not in TmuxServer(socket_name="x").environment()
    assert "TMUX" in TmuxServer().environment()


async def test_missing_binary_is_named() -> None:
    with pytest.raises(TmuxNotInstalledError, match="no-such-tmux"):
        await TmuxServer(binary="no-such-tmux").run("ls")
    with pytest.raises(TmuxNotInstalledError, match="install tmux"):
        async with ControlClient(TmuxServer(binary="/nonexistent/tmux")):
            pass


@pytest.mark.tmux
async def test_run_reaches_a_named_server(tmux_server: PrivateTmuxServer) -> None:
    tmux_server.new_session("named")
    code, out, _err = await tmux_server.server.run("list-sessions", "-F", "#{session_name}")
    assert (code, out.strip()) == (0, "named")


@pytest.mark.tmux
async def test_control_client_by_socket_path(tmux_server: PrivateTmuxServer) -> None:
    pane = tmux_server.new_session("bypath")
    by_path = TmuxServer(socket_path=tmux_server.socket_path)
    async with ControlClient(by_path) as client:
        assert [p.pane_id for p in await client.list_panes()] == [pane]


def _make_file(path: Path) -> None:
    path.write_text("my notes, not a socket\n")


@pytest.mark.parametrize(
    ("make", "what"),
    [(_make_file, "a regular file of 23 bytes"), (Path.mkdir, "a directory")],
    ids=["file", "directory"],
)
async def test_a_path_that_is_not_a_socket_is_named_without_destructive_advice(
    tmp_path: Path, make: Callable[[Path], object], what: str
) -> None:
    path = tmp_path / "not-a-socket"
    make(path)
    server = TmuxServer(socket_path=path)
    with pytest.raises(TmuxNotASocketError) as info:
        async with ControlClient(server):
            pass
    message = str(info.value)
    assert f"{path} (given for tmux server -S {path}) is not a socket: it is {what}" in message
    assert "new-session" not in message  # `tmux -S FILE new-session` would replace the file
    assert isinstance(info.value, TmuxServerNotRunningError)  # callers catching that still do
    if path.is_file():
        assert path.read_text() == "my notes, not a socket\n"


async def test_a_missing_socket_still_gets_the_start_command(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with pytest.raises(TmuxServerNotRunningError) as info:
        async with ControlClient(TmuxServer(socket_path=path)):
            pass
    assert not isinstance(info.value, TmuxNotASocketError)
    assert f"tmux -S {path} new-session -d" in str(info.value)
