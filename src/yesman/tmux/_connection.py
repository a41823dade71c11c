"""One control-mode process: `tmux -C attach-session -t $N`, its reader and its command replies.

tmux only sends `%output` to a control client for panes in the session it is attached to, so the
`ControlClient` keeps one of these per session; each reads its own pipe and feeds the same
handler.

Protocol notes (tmux 3.3a, checked against the real binary):

* every command line gets exactly one reply block, in order: `%begin T N F` ... `%end T N F` or
  `%error T N F`, with the same T N F. F is 1 for commands this client typed and 0 for the
  `attach-session` on its own command line, whose block therefore signals "attached".
* block lines are raw text; only an `%end`/`%error` with the begin's exact T N F closes it, so a
  pane showing "%end 1 2 1" cannot end a capture early.
* `%output %P data` (or `%extended-output %P age ... : data` with pause-after) is the flood; only
  the pane id is read, the payload is never decoded.
* `%exit [reason]` or EOF ends the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from typing import Protocol

from yesman.tmux._commands import command_line
from yesman.tmux._errors import TmuxDisconnectedError, TmuxNotInstalledError
from yesman.tmux._server import TmuxServer

__all__ = ["Connection", "ConnectionHandler", "Reply"]

logger = logging.getLogger(__name__)

_READ_SIZE = 1 << 16


class ConnectionHandler(Protocol):
    """Where a connection delivers what it reads (all called on the event loop, must not block)."""

    def on_output(self, pane_id: str) -> None: ...

    def on_notification(self, connection: Connection, name: str, args: list[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class Reply:
    """One command's reply block."""

    ok: bool
    lines: list[str]


@dataclass(slots=True)
class _Pending:
    line: str
    future: asyncio.Future[Reply]


class Connection:
    """One `tmux -C` process attached to one session."""

    def __init__(
        self,
        server: TmuxServer,
        session_id: str,
        handler: ConnectionHandler,
        *,
        pause_after: int | None = None,
        subscriptions: Sequence[tuple[str, str]] = (),
        muted: Set[str] = frozenset(),
    ) -> None:
        self.server = server
        self.session_id = session_id
        self._handler = handler
        self._pause_after = pause_after
        self._subscriptions = tuple(subscriptions)
        self._muted = muted  # the owner's live set: panes whose output we asked tmux to hold
        self._proc: asyncio.subprocess.Process | None = None
        self._pending: deque[_Pending] = deque()
        self.attached = asyncio.Event()
        self.attach_error: str | None = None
        self.closed = False
        self.closing = False
        self.exit_reason = ""
        # panes tmux paused for this client; resumed by `_resume_paused`
        self._paused: set[str] = set()
        self._paused_event = asyncio.Event()
        self._on_pause: Callable[[str], None] | None = None
        # block state: the begin's "T N F" guard and the lines so far
        self._block_guard: bytes | None = None
        self._block_lines: list[bytes] = []
        self._pane_ids: dict[bytes, str] = {}

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def set_pause_callback(self, callback: Callable[[str], None]) -> None:
        self._on_pause = callback

    async def run(self) -> None:
        """Start the process and read until it ends. Never raises for tmux-side failures."""
        flags = "ignore-size" + (
            f",pause-after={self._pause_after}" if self._pause_after is not None else ""
        )
        argv = self.server.argv("-C", "attach-session", "-f", flags, "-t", self.session_id)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=self.server.environment(),
            )
        except FileNotFoundError:
            # the supervisor reports this through its own bootstrap command; here it just ends
            self._finish(str(TmuxNotInstalledError(self.server.binary)))
            return
        if self.closing:  # close() came while the process was starting
            self.close()
        try:
            async with asyncio.TaskGroup() as tg:
                reader = tg.create_task(self._read())
                helpers = [
                    tg.create_task(self._resume_paused()),
                    tg.create_task(self._subscribe()),
                ]
                await reader
                for helper in helpers:
                    helper.cancel()
        finally:
            self._finish(self.exit_reason or "tmux control client ended")
            await self._reap()

    async def _read(self) -> None:
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        stdout = proc.stdout
        rest = b""
        while True:
            chunk = await stdout.read(_READ_SIZE)
            if not chunk:
                if not self.exit_reason:
                    self.exit_reason = "connection closed (tmux server gone?)"
                return
            lines = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
            rest = lines.pop()
            for line in lines:
                if self._feed(line):
                    # %exit: fail waiting commands now; keep reading to EOF so the pipe closes
                    self._finish(self.exit_reason)

    def _feed(self, line: bytes) -> bool:
        """Handle one line; True once the connection has ended (%exit)."""
        guard = self._block_guard
        if guard is not None:
            if line.startswith((b"%end ", b"%error ")) and line.split(b" ", 1)[1] == guard:
                self._finish_block(ok=line.startswith(b"%end "))
            else:
                self._block_lines.append(line)
            return False
        if line.startswith(b"%output "):
            self._output(line, 8)
        elif line.startswith(b"%extended-output "):
            self._output(line, 17)
        elif line.startswith(b"%begin "):
            self._block_guard = line[7:]
            self._block_lines = []
        elif line.startswith(b"%"):
            text = line.decode("utf-8", "replace")
            name, _, rest = text.partition(" ")
            args = rest.split(" ") if rest else []
            if name == "%exit":
                self.exit_reason = f"tmux said %exit {rest}".strip()
                return True
            if name == "%pause" and args:
                self._paused.add(args[0])
                self._paused_event.set()
            self._handler.on_notification(self, name, args)
        elif line:
            logger.debug("ignoring stray control-mode line %r", line[:80])
        return False

    def _output(self, line: bytes, start: int) -> None:
        end = line.find(b" ", start)
        raw = line[start:end] if end > 0 else line[start:]
        pane_id = self._pane_ids.get(raw)
        if pane_id is None:
            pane_id = raw.decode("ascii", "replace")
            if len(self._pane_ids) < 4096:  # bounded: pane ids are reused rarely but never freed
                self._pane_ids[raw] = pane_id
        self._handler.on_output(pane_id)

    def _finish_block(self, *, ok: bool) -> None:
        guard = self._block_guard
        assert guard is not None
        lines = self._block_lines
        self._block_guard = None
        self._block_lines = []
        if guard.endswith(b" 0"):
            # the reply to attach-session from our own argv, not to a typed command
            if not self.attached.is_set():
                if ok:
                    self.attached.set()
                else:
                    self.attach_error = b" ".join(lines).decode("utf-8", "replace")
            return
        if not self._pending:
            logger.warning("tmux sent a reply nobody asked for on session %s", self.session_id)
            return
        pending = self._pending.popleft()
        if not pending.future.done():  # a command that timed out keeps its slot, answer dropped
            decoded = [raw.decode("utf-8", "replace") for raw in lines]
            pending.future.set_result(Reply(ok, decoded))

    async def _subscribe(self) -> None:
        """Ask tmux to push format changes (checked by tmux once a second) for our session, and
        to hold the output of muted panes (this client's flags start empty)."""
        await self.attached.wait()
        for pane_id in list(self._muted):
            try:
                await self.command(command_line("refresh-client", "-A", f"{pane_id}:pause"), 5.0)
            except (TmuxDisconnectedError, TimeoutError) as exc:
                logger.debug("could not mute pane %s: %s", pane_id, exc)
                return
        for name, spec in self._subscriptions:
            try:
                reply = await self.command(
                    command_line("refresh-client", "-B", f"{name}:{spec}"), 5.0
                )
            except (TmuxDisconnectedError, TimeoutError) as exc:
                logger.debug("subscription %s not set up: %s", name, exc)
                return
            if not reply.ok:
                logger.warning("tmux refused subscription %s: %s", name, " ".join(reply.lines))

    async def _resume_paused(self) -> None:
        while True:
            await self._paused_event.wait()
            self._paused_event.clear()
            panes, self._paused = self._paused, set()
            for pane_id in panes:
                if pane_id in self._muted:
                    continue  # we asked for this pause; it stays until unmuted
                if self._on_pause is not None:
                    self._on_pause(pane_id)
                try:
                    await self.command(
                        command_line("refresh-client", "-A", f"{pane_id}:continue"), 5.0
                    )
                except (TmuxDisconnectedError, TimeoutError) as exc:
                    logger.warning("could not resume paused pane %s: %s", pane_id, exc)
                    return

    async def command(self, line: str, timeout: float) -> Reply:
        """Send one command line; its reply, or TmuxDisconnectedError / TimeoutError."""
        proc = self._proc
        if self.closed or proc is None or proc.stdin is None:
            raise TmuxDisconnectedError(self.server.describe(), self.exit_reason or "not connected")
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(line, future))
        try:
            proc.stdin.write(line.encode("utf-8") + b"\n")
            async with asyncio.timeout(timeout):
                await proc.stdin.drain()
                return await future
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise TmuxDisconnectedError(self.server.describe(), "control pipe closed") from exc
        finally:
            future.cancel()  # no-op once answered; marks a timed-out slot as abandoned

    def _finish(self, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        if not self.exit_reason:
            self.exit_reason = reason
        error = TmuxDisconnectedError(self.server.describe(), self.exit_reason)
        while self._pending:
            pending = self._pending.popleft()
            if not pending.future.done():
                pending.future.set_exception(error)

    async def _reap(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        if proc.returncode is None:
            try:
                async with asyncio.timeout(1.0):
                    await proc.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        # read to EOF (if the reader was cancelled) so the transport closes now, not in a finalizer
        if proc.stdout is not None and not proc.stdout.at_eof():
            with contextlib.suppress(TimeoutError, OSError):
                async with asyncio.timeout(1.0):
                    while await proc.stdout.read(_READ_SIZE):
                        pass
        if proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.wait_closed()

    def close(self) -> None:
        """Ask tmux to detach this client: EOF on its stdin (the reader then sees EOF)."""
        self.closing = True
        proc = self._proc
        if proc is not None and proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
