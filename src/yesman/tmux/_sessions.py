"""The per-session control connections of one `ControlClient`, and the commands sent over them.

tmux sends `%output` to a control client only for panes of its attached session, so the client
keeps one attached `Connection` (`tmux -C attach -t $N`) per session, all feeding the same
handler. `SessionConnections` starts one per session in the client's task group, lets go of
sessions that closed, and says when the last one ended (`all_gone`). A command goes over any
live connection (targets are unique ids, so the attached session does not matter); per-client
settings such as `refresh-client -A` go to each. Noticing loss and reconnecting is
`yesman.tmux._supervise`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Set

from yesman.tmux._config import ControlConfig, Counters
from yesman.tmux._connection import Connection, ConnectionHandler
from yesman.tmux._errors import TmuxCommandError, TmuxDisconnectedError, TmuxTimeoutError
from yesman.tmux._server import TmuxServer

__all__ = ["SessionConnections"]

logger = logging.getLogger(__name__)

# pushed by tmux (checked once a second) when a pane dies (remain-on-exit), is respawned or runs
# another foreground command, which no notification reports; output-muted panes included
_PANE_SUBSCRIPTION = ("yesman-panes", "%*:#{pane_dead}:#{pane_pid}:#{pane_current_command}")


class SessionConnections:
    """One run's connections, keyed by session id. Connections start only while a task group
    is bound (`bind`); `connected` is set by the supervisor while the server answers."""

    def __init__(
        self,
        server: TmuxServer,
        handler: ConnectionHandler,
        config: ControlConfig,
        counts: Counters,
        *,
        muted: Set[str],
        on_pause: Callable[[str], None],
        on_ended: Callable[[], None],
    ) -> None:
        self.server = server
        self._handler = handler
        self._config = config
        self._counts = counts
        self._muted = muted  # the client's live set, re-applied by each connection on attach
        self._on_pause = on_pause
        self._on_ended = on_ended  # one connection ended while others live on
        self.connections: dict[str, Connection] = {}
        self._tasks: dict[Connection, asyncio.Task[None]] = {}
        self._tg: asyncio.TaskGroup | None = None
        self.connected = asyncio.Event()
        self.all_gone = asyncio.Event()
        self.last_exit_reason = ""

    def bind(self, tg: asyncio.TaskGroup | None) -> None:
        """Start connections in `tg` from now on (None: start none)."""
        self._tg = tg

    def attached_count(self) -> int:
        return sum(1 for c in self.connections.values() if c.attached.is_set())

    def start(self, session_id: str) -> Connection:
        """Attach to a session, unless a live connection to it exists already."""
        assert self._tg is not None
        existing = self.connections.get(session_id)
        if existing is not None and not (existing.closing or existing.closed):
            return existing
        connection = Connection(
            self.server,
            session_id,
            self._handler,
            pause_after=self._config.pause_after,
            subscriptions=[_PANE_SUBSCRIPTION],
            muted=self._muted,
        )
        connection.set_pause_callback(self._on_pause)
        self.connections[session_id] = connection
        self.all_gone.clear()
        self._tasks[connection] = self._tg.create_task(
            self._run(connection), name=f"tmux-conn-{session_id}"
        )
        return connection

    async def _run(self, connection: Connection) -> None:
        try:
            await connection.run()
        finally:
            self._tasks.pop(connection, None)
            if self.connections.get(connection.session_id) is connection:
                del self.connections[connection.session_id]
            self.last_exit_reason = connection.exit_reason
            logger.debug("control connection for %s ended: %s", connection.session_id,
                         connection.exit_reason)  # fmt: skip
            if not self.connections:
                self.all_gone.set()
            else:
                self._on_ended()

    def follow(self, session_ids: Collection[str]) -> None:
        """Attach to sessions not attached yet and let go of those no longer listed (nothing
        while no task group is bound)."""
        if self._tg is None:
            return
        for sid in session_ids:
            if sid not in self.connections:
                self.start(sid)
        for sid, connection in list(self.connections.items()):
            if sid not in session_ids and connection.attached.is_set():
                connection.close()

    def close_each(self) -> None:
        """Ask every connection to detach (they end on their own)."""
        for connection in list(self.connections.values()):
            connection.close()

    async def detach_all(self) -> None:
        """Detach every connection and wait for them to end (at most a second)."""
        self.close_each()
        # EOF on stdin detaches a control client; one that does not go (its server stopped) is
        # cancelled, which kills its process
        pending = list(self._tasks.values())
        if pending:
            _done, stuck = await asyncio.wait(pending, timeout=1.0)
            for task in stuck:
                task.cancel()

    # commands --------------------------------------------------------------------------------

    def _live(self, connection: Connection) -> bool:
        return connection.attached.is_set() and not (connection.closed or connection.closing)

    async def command(self, line: str, timeout: float) -> list[str]:
        """Run a command line over any live connection; its output lines."""
        for connection in self.connections.values():
            if self._live(connection):
                return await self._run_counted(connection, line, timeout)
        raise TmuxDisconnectedError(self.server.describe(), "not connected; reconnecting")

    async def command_each(self, line: str) -> None:
        """Run a per-client command on every attached connection. A connection that is going
        away is skipped: its replacement applies the muted set when it attaches."""
        for connection in list(self.connections.values()):
            if not self._live(connection):
                continue
            try:
                await self._run_counted(connection, line, self._config.command_timeout)
            except TmuxDisconnectedError:
                continue

    async def _run_counted(self, connection: Connection, line: str, timeout: float) -> list[str]:
        self._counts.commands += 1
        try:
            reply = await connection.command(line, timeout)
        except TimeoutError as exc:
            self._counts.command_timeouts += 1
            raise TmuxTimeoutError(line, timeout, self.server.describe()) from exc
        if not reply.ok:
            self._counts.command_errors += 1
            raise TmuxCommandError(line, " ".join(reply.lines).strip())
        return reply.lines
