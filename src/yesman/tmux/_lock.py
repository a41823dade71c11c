"""`ServerLock`: at most one process answers on a tmux server (or, with a pane id, in a pane).

Two `yesman watch` on one server would both see a dialog and both type the answer. The lock is
an advisory `fcntl.flock` on a small file, keyed by the server's resolved socket path (the
same path tmux connects to: ``-S PATH``, or ``$TMUX_TMPDIR``/``/tmp`` ``/tmux-UID/NAME`` for
``-L NAME``), so ``-L work`` and ``-S /tmp/tmux-0/work`` are the same server.

* The kernel drops a flock when its holder exits, however it exits (``kill -9`` included), so a
  crashed watcher never leaves a stale lock behind. The file itself stays (it is only emptied on
  release): deleting lock files reopens the classic race where two processes lock two
  different inodes under the same name.
* The file holds the holder's pid, command line, process start time and the key, as JSON, so a
  second acquirer can say who holds it and what to do (`ServerLockedError`).
* Files live in ``$XDG_RUNTIME_DIR/yesman/`` (per-user, cleaned at logout), else in
  ``/tmp/yesman-UID/``, created 0700 and refused when owned by someone else or open to others.
* Acquiring never waits: `flock(LOCK_NB)` answers at once, and these are tiny local files, so
  the calls run on the event loop without blocking it.

    async with ServerLock(TmuxServer(socket_name="work")):
        ...  # only this process answers on -L work
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from yesman._lifecycle import Service
from yesman.tmux._commands import check_pane_id
from yesman.tmux._errors import ServerLockedError, TmuxError
from yesman.tmux._server import TmuxServer

__all__ = ["LockHolder", "ServerLock", "lock_folder"]


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a lock, as written in its file."""

    pid: int
    command: str  # the holder's command line, space-joined
    started: float  # the holder process's start time (epoch seconds)
    key: str  # what is locked: the socket path, plus "#%N" for a pane

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"pid {self.pid} ({self.command}), running since {when}"


def lock_folder(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_RUNTIME_DIR/yesman`` when that names an absolute folder, else ``/tmp/yesman-UID``;
    created private (0700). TmuxError if it exists but is not ours alone."""
    env = os.environ if environ is None else environ
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_absolute() and Path(runtime).is_dir():
        folder = Path(runtime) / "yesman"
    else:
        folder = Path("/tmp") / f"yesman-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700, parents=False)
    info = folder.lstat()
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        raise TmuxError(
            f"{folder} (for yesman's lock files) must be a folder owned by uid {os.getuid()} "
            f"and writable by nobody else; remove it or set XDG_RUNTIME_DIR to a private folder"
        )
    return folder


def _self_description() -> tuple[str, float]:
    try:
        proc = psutil.Process()
        return " ".join(proc.cmdline()) or sys.executable, proc.create_time()
    except psutil.Error:  # no /proc: fall back to what Python knows
        return " ".join([sys.executable, *sys.argv]), time.time()


class ServerLock(Service):
    """An exclusive, non-waiting lock on one tmux server, or on one pane of it.

    `start()` acquires it or raises `ServerLockedError` naming the holder; `stop()`/`aclose()`
    release it (idempotent); it can be acquired again after release; ``async with`` does both.
    `pane_id` narrows the lock to one pane (for a per-pane channel such as agent hooks);
    `key` replaces the derived key entirely (anything that names the resource uniquely).
    """

    def __init__(
        self,
        server: TmuxServer | None = None,
        *,
        pane_id: str | None = None,
        key: str | None = None,
        folder: Path | None = None,
    ) -> None:
        self.server = server or TmuxServer()
        if key is None:
            key = os.path.realpath(self.server.resolved_socket_path())
            if pane_id is not None:
                key += "#" + check_pane_id(pane_id)
        self.key = key
        self._folder = folder
        self._fd: int | None = None
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        """The lock file (its folder is created on first use)."""
        if self._path is None:
            folder = self._folder if self._folder is not None else lock_folder()
            digest = hashlib.sha256(self.key.encode("utf-8", "surrogateescape")).hexdigest()
            self._path = folder / f"tmux-{digest[:20]}.lock"
        return self._path

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> LockHolder | None:
        """Who the file says holds the lock (None when free or unreadable)."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return LockHolder(
                pid=int(data["pid"]),
                command=str(data["command"]),
                started=float(data["started"]),
                key=str(data["key"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    async def start(self) -> None:
        """Take the lock now or raise `ServerLockedError`; nothing if this object holds it."""
        self.acquire_nowait()

    def acquire_nowait(self) -> None:
        """`start()` for sync callers."""
        if self._fd is not None:
            return
        path = self.path
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self.holder()
            who = holder.describe() if holder is not None else "a process that is still starting"
            raise ServerLockedError(self._what(), who, str(path)) from None
        except BaseException:
            os.close(fd)
            raise
        command, started = _self_description()
        record = {"pid": os.getpid(), "command": command, "started": started, "key": self.key}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)
        except BaseException:
            os.close(fd)  # closing drops the flock too
            raise
        self._fd = fd

    async def stop(self) -> None:
        """Release the lock (idempotent)."""
        self.release_nowait()

    def release_nowait(self) -> None:
        """`stop()` for sync callers."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # empty while free; the file stays (see module docstring)
        os.close(fd)

    def _what(self) -> str:
        socket, _, pane = self.key.partition("#")
        server = f"the tmux server at {socket}"
        return f"pane {pane} of {server}" if pane else server
