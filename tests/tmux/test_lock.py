"""ServerLock: one process per tmux server (or pane), held until exit, kill -9 included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from yesman.tmux import ServerLock, ServerLockedError, TmuxError, TmuxServer
from yesman.tmux._lock import lock_folder


def _lock(tmp_path: Path, server: TmuxServer, **kwargs: str) -> ServerLock:
    return ServerLock(server, folder=tmp_path, **kwargs)


async def test_a_second_holder_is_refused_with_who_and_what_to_do(tmp_path: Path) -> None:
    server = TmuxServer(socket_name="work")
    first, second = _lock(tmp_path, server), _lock(tmp_path, server)
    async with first:
        assert first.held
        with pytest.raises(ServerLockedError) as info:
            await second.start()
        message = str(info.value)
        assert f"pid {os.getpid()}" in message
        assert "pytest" in message or sys.executable in message  # the holder's command line
        assert str(server.resolved_socket_path()) in message
        assert "stop that one first" in message
        assert "read-only" in message
        assert isinstance(info.value, TmuxError)
        assert not second.held
    await second.start()  # free again once released
    await second.stop()
    await second.stop()  # idempotent
    await second.start()  # and restartable
    await second.aclose()


async def test_socket_name_and_socket_path_are_the_same_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX_TMPDIR", str(tmp_path))
    by_name = TmuxServer(socket_name="shared")
    by_path = TmuxServer(socket_path=tmp_path / f"tmux-{os.getuid()}" / "shared")
    async with _lock(tmp_path, by_name):
        with pytest.raises(ServerLockedError):
            await _lock(tmp_path, by_path).start()
        async with _lock(tmp_path, TmuxServer(socket_name="other")):
            pass  # another server is another lock


async def test_pane_locks_are_separate_from_the_server_lock(tmp_path: Path) -> None:
    server = TmuxServer(socket_name="work")
    async with _lock(tmp_path, server), _lock(tmp_path, server, pane_id="%3"):
        with pytest.raises(ServerLockedError, match="pane %3 of the tmux server"):
            await _lock(tmp_path, server, pane_id="%3").start()
        async with _lock(tmp_path, server, pane_id="%4"):
            pass


_HOLDER = """
import asyncio, sys, time
from pathlib import Path
from yesman.tmux import ServerLock, TmuxServer

async def main():
    lock = ServerLock(TmuxServer(socket_name="killed"), folder=Path(sys.argv[1]))
    await lock.start()
    print("locked", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_kill_9_of_the_holder_frees_the_lock(tmp_path: Path) -> None:
    lock = _lock(tmp_path, TmuxServer(socket_name="killed"))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path), "--marker"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ServerLockedError) as info:
            lock.acquire_nowait()
        assert f"pid {holder.pid} " in str(info.value)
        assert "--marker" in str(info.value)  # its command line, from the lock file
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=10) == -signal.SIGKILL
        lock.acquire_nowait()  # the kernel dropped the dead holder's flock
        assert lock.held
        holding = lock.holder()
        assert holding is not None
        assert holding.pid == os.getpid()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
        lock.release_nowait()


def test_the_folder_is_private(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir()
    folder = lock_folder({"XDG_RUNTIME_DIR": str(runtime)})
    assert folder == runtime / "yesman"
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)
    with pytest.raises(TmuxError, match="writable by nobody else"):
        lock_folder({"XDG_RUNTIME_DIR": str(runtime)})
