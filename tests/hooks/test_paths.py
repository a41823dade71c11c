"""Where the hook socket lives: one per tmux server, in a folder only its user can write."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from yesman.hooks._paths import (
    folder_problem,
    hook_folder,
    socket_for_server,
    socket_from_env,
    tmux_socket_from_env,
)
from yesman.tmux import ServerLock, TmuxServer


def test_the_folder_is_in_the_runtime_dir_when_there_is_one(tmp_path: Path) -> None:
    assert hook_folder({"XDG_RUNTIME_DIR": str(tmp_path)}) == str(tmp_path / "yesman")
    assert hook_folder({}) == f"/tmp/yesman-{os.getuid()}"
    # A relative or missing runtime dir is not used.
    assert hook_folder({"XDG_RUNTIME_DIR": "relative"}) == f"/tmp/yesman-{os.getuid()}"
    assert hook_folder({"XDG_RUNTIME_DIR": str(tmp_path / "gone")}).startswith("/tmp/yesman-")


def test_one_socket_per_tmux_server_named_like_its_lock(tmp_path: Path) -> None:
    a = socket_for_server("/tmp/tmux-1000/default", tmp_path)
    b = socket_for_server("/tmp/tmux-1000/work", tmp_path)
    assert a != b
    assert Path(a).parent == tmp_path
    assert Path(a).name.startswith("hook-")
    # The same key ServerLock uses: the resolved socket path (a symlink is the same server).
    (tmp_path / "real").touch()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert socket_for_server(tmp_path / "link", tmp_path) == socket_for_server(
        tmp_path / "real", tmp_path
    )
    key = ServerLock(TmuxServer(socket_path=tmp_path / "link"), folder=tmp_path).key
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    assert Path(socket_for_server(tmp_path / "link", tmp_path)).name == f"hook-{digest}.sock"


@pytest.mark.parametrize(
    ("tmux", "socket"),
    [
        pytest.param("/tmp/tmux-0/default,1234,0", "/tmp/tmux-0/default", id="plain"),
        pytest.param("/tmp/we,ird/s,ock,99,3", "/tmp/we,ird/s,ock", id="commas-in-path"),
        pytest.param("", None, id="outside-tmux"),
        pytest.param("garbage", None, id="garbage"),
        pytest.param(",1,0", None, id="no-path"),
    ],
)
def test_the_server_is_read_from_tmux_variable(tmux: str, socket: str | None) -> None:
    assert tmux_socket_from_env({"TMUX": tmux}) == socket
    found = socket_from_env({"TMUX": tmux, "XDG_RUNTIME_DIR": "/nonexistent"})
    assert found == (None if socket is None else socket_for_server(socket, hook_folder({})))


def test_only_a_private_folder_of_ours_carries_the_socket(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    assert folder_problem(private) is None
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert "writable by other users" in (folder_problem(shared) or "")
    (tmp_path / "file").touch()
    assert "not a folder" in (folder_problem(tmp_path / "file") or "")
    (tmp_path / "link").symlink_to(private)
    assert "not a folder" in (folder_problem(tmp_path / "link") or ""), "a symlink is refused"
    with pytest.raises(FileNotFoundError):
        folder_problem(tmp_path / "missing")
