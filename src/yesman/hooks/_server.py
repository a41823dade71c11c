"""`HookServer`: the watcher's end of the hook channel, a Unix socket serving ``_wire`` requests.

    async with HookServer(socket_for_server(tmux_socket), handler, describe="yesman watch ..."):
        ...   # each `yesman hook` on that tmux server is handed to `handler`

Safety:

* The socket lives in a private folder (``_paths``: created 0700, refused if anyone else could
  write to it) and is itself made 0600. Each connection's peer credentials are checked
  (``SO_PEERCRED``): a process of another user is hung up on without an answer.
* One listener per socket: a ``flock`` on ``<socket>.lock`` is held while serving, so a second
  watcher of the same tmux server (a dry run beside a real one) gets `HookSocketBusyError`
  instead of stealing the socket; a socket file left by a watcher that died is replaced.
* Requests are bounded: the header must arrive within ``read_timeout`` seconds, at most 64 KiB,
  the payload at most 8 MiB. A malformed request is answered ``refused``.

Each connection is a task in the server's task group; stopping stops accepting, lets requests in
flight finish (they take milliseconds), then removes the socket file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
import struct
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from yesman._lifecycle import Runner, Service
from yesman.hooks import _wire
from yesman.hooks._errors import HookSocketBusyError, HookSocketError
from yesman.hooks._paths import folder_problem

__all__ = ["HookAnswer", "HookCall", "HookHandler", "HookServer"]

log = logging.getLogger(__name__)

_CRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


@dataclass(frozen=True, slots=True)
class HookCall:
    """One request from a hook: which agent, its forwarded environment and its raw input.

    ``received`` is monotonic, ``received_wall`` wall-clock (both when the request was read),
    ``sent_wall`` the hook's own clock when it sent it. ``peer_pid`` is the hook process (0 when
    the platform does not say).
    """

    agent: str
    env: Mapping[str, str]
    payload: bytes
    received: float
    received_wall: float
    sent_wall: float
    peer_pid: int = 0

    @property
    def pane(self) -> str:
        """The tmux pane the agent runs in (``%3``), "" when the hook did not say."""
        return self.env.get("TMUX_PANE", "")


@dataclass(frozen=True, slots=True)
class HookAnswer:
    """What to send back: a ``_wire`` status, the text the hook prints, and why."""

    status: str = "decided"
    stdout: str = ""
    detail: str = ""
    token: object = field(default=None, compare=False)  # the handler's, given back on delivery


class HookHandler(Protocol):
    """Decides hook requests for a `HookServer`.

    ``decide`` returns the answer (it must not raise for a bad request: answer ``refused``).
    ``delivered`` is told, once the answer was written (``ok``) or could not be (the hook had
    gone: its dialog stays for the human), at monotonic time ``at``.
    """

    async def decide(self, call: HookCall) -> HookAnswer: ...

    async def delivered(
        self, call: HookCall, answer: HookAnswer, *, ok: bool, at: float
    ) -> None: ...


class HookServer(Service):
    """Listens at ``path`` for hooks and hands each request to ``handler`` (module docstring).

    Lifecycle as in ``yesman._lifecycle``: `start()` returns once listening (or raises
    `HookSocketError`/`HookSocketBusyError`), `stop()` is idempotent, restartable, ``async with``.
    """

    def __init__(
        self,
        path: Path,
        handler: HookHandler,
        *,
        describe: str = "",
        read_timeout: float = 5.0,
    ) -> None:
        self.path = path
        self._handler = handler
        self._describe = describe or f"yesman pid {os.getpid()}"
        self._read_timeout = read_timeout
        self._runner = Runner(f"yesman.hooks.{path.name}")
        self._stopping = asyncio.Event()
        self.served = 0
        self.refused = 0

    @property
    def listening(self) -> bool:
        return self._runner.running

    async def start(self) -> None:
        if self._runner.running:
            return
        self._stopping = asyncio.Event()
        await self._runner.start(self._run)

    async def stop(self) -> None:
        await self._runner.stop(self._stopping.set, timeout=self._read_timeout + 1.0)

    # -- the socket

    async def _run(self, ready: asyncio.Event) -> None:
        with self._listening() as listener:
            async with asyncio.TaskGroup() as tg:
                accepter = tg.create_task(self._accept(listener, tg), name="yesman.hooks.accept")
                ready.set()
                await self._stopping.wait()
                accepter.cancel()

    @contextlib.contextmanager
    def _listening(self) -> Iterator[socket.socket]:
        folder = self.path.parent
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        problem = folder_problem(folder)
        if problem is not None:
            raise HookSocketError(
                f"{problem}; the hook socket needs a private folder: remove it or set "
                "XDG_RUNTIME_DIR to a folder only you can write",
                self.path,
            )
        lock_path = self.path.with_name(self.path.name + ".lock")
        lock = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(lock, 4096, 0).decode("utf-8", "replace").strip()
                raise HookSocketBusyError(
                    f"{holder or 'another process'} already answers hooks at {self.path}; "
                    "this one serves no hooks (stop the other to answer them here)",
                    self.path,
                ) from None
            # Who holds it, for the message above (emptied again when released).
            os.ftruncate(lock, 0)
            os.pwrite(lock, self._describe.encode("utf-8", "replace"), 0)
            # We hold the lock, so a socket file there was left by a watcher that died.
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                listener.bind(os.fspath(self.path))
                os.chmod(self.path, 0o600)
                listener.listen(64)
                listener.setblocking(False)
            except OSError as exc:
                listener.close()
                raise HookSocketError(
                    f"cannot listen for hooks at {self.path}: {exc}", self.path
                ) from exc
            inode = os.stat(self.path).st_ino
            try:
                yield listener
            finally:
                listener.close()
                with contextlib.suppress(OSError):
                    if os.stat(self.path).st_ino == inode:
                        self.path.unlink()
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(lock, 0)
            os.close(lock)  # releases the flock; the file stays (see ServerLock for why)

    async def _accept(self, listener: socket.socket, tg: asyncio.TaskGroup) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError as exc:  # out of file descriptors and the like: keep serving
                log.warning("hook socket %s: accept failed: %s", self.path, exc)
                await asyncio.sleep(0.1)
                continue
            tg.create_task(self._connection(conn), name="yesman.hooks.request")

    async def _connection(self, conn: socket.socket) -> None:
        try:
            pid = _peer(conn)
        except PermissionError as exc:
            log.warning("hook socket %s: %s; hung up", self.path, exc)
            conn.close()
            return
        try:
            reader, writer = await asyncio.open_unix_connection(sock=conn, limit=_wire.MAX_HEADER)
        except OSError:
            conn.close()
            return
        try:
            await self._serve(reader, writer, pid)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pid: int
    ) -> None:
        try:
            async with asyncio.timeout(self._read_timeout):
                header = _wire.parse_header(await reader.readuntil(b"\n"))
                payload = await reader.readexactly(header["length"])
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            self.refused += 1
            return  # the hook went away or never finished: nobody to answer
        except _wire.WireError as exc:
            self.refused += 1
            await _send(writer, _wire.encode_reply("refused", detail=str(exc)))
            return
        if header["op"] == "ping":
            await _send(writer, _wire.encode_reply("pong", detail=self._describe))
            return
        call = HookCall(
            agent=header["agent"],
            env=header["env"],
            payload=payload,
            received=time.monotonic(),
            received_wall=time.time(),
            sent_wall=float(header["sent"]),
            peer_pid=pid,
        )
        try:
            answer = await self._handler.decide(call)
        except Exception:
            log.exception("hook socket %s: deciding a request failed", self.path)
            answer = HookAnswer("refused", detail="the watcher failed to decide; see its log")
        self.served += 1
        ok = await _send(
            writer, _wire.encode_reply(answer.status, stdout=answer.stdout, detail=answer.detail)
        )
        writer.close()  # the hook reads to the end: close before any bookkeeping
        try:
            await self._handler.delivered(call, answer, ok=ok, at=time.monotonic())
        except Exception:
            log.exception("hook socket %s: after answering a request", self.path)


async def _send(writer: asyncio.StreamWriter, data: bytes) -> bool:
    try:
        writer.write(data)
        await writer.drain()
    except OSError:
        return False
    return True


def _peer(conn: socket.socket) -> int:
    """The peer's pid; PermissionError when it runs as another user."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return 0  # no peer credentials here: the private folder is the protection
    pid, uid, _ = _CRED.unpack(conn.getsockopt(socket.SOL_SOCKET, option, _CRED.size))
    if uid != os.getuid():
        raise PermissionError(f"a process of uid {uid} (pid {pid}) connected")
    return int(pid)
