"""`ControlClient`: one push-driven connection to a tmux server.

Shape (one per server)::

    ControlClient ── TaskGroup ─┬─ supervisor: connect, notice loss, reconnect with backoff
                                ├─ Connection per session (tmux -C attach -t $N), reading pushes
                                ├─ debouncer: %output marks → PaneChanged, fanned out to streams
                                └─ topology: list-panes -a on structural notifications → diff →
                                   SessionAdded/Closed/Renamed, PaneAdded/Closed

tmux sends `%output` to a control client only for panes of its attached session, hence one
attached `tmux -C` process per session; all of them are this one client. Commands go over any
live connection (targets are always unique ids, so the attached session does not matter).

What the user can see of us: each session counts as attached (`tmux ls` says so, and a bare
`tmux attach` no longer prefers it as "unattached"). Our clients attach with `ignore-size`, so
window sizes never follow them, and with `pause-after` so that if we stop reading, tmux pauses
our copy of a pane's output instead of buffering it for minutes (we then resume it and report
the pane changed). Pane deaths, respawns and foreground-command changes, which have no
notification, arrive through a format subscription (`refresh-client -B`) that tmux re-checks once
a second. Panes muted with `mute_output()` are paused for our clients only (`refresh-client -A`).

Lifecycle (`yesman._lifecycle`): `start()`/`stop()`/`aclose()`, idempotent and restartable; the
shared `Runner` owns the task group, so `stop()` may be called from any task.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from dataclasses import dataclass

from yesman._lifecycle import Runner, Service
from yesman.tmux._changes import ChangeDebouncer, DebounceConfig
from yesman.tmux._commands import check_key, check_pane_id, command_line
from yesman.tmux._connection import Connection
from yesman.tmux._errors import (
    ClientClosedError,
    PaneNotFoundError,
    TmuxCommandError,
    TmuxDisconnectedError,
    TmuxNotInstalledError,
    TmuxServerNotRunningError,
    TmuxTimeoutError,
)
from yesman.tmux._notifications import (
    Notification,
    OutputPaused,
    PaneAdded,
    PaneChanged,
    PaneClosed,
    PaneDied,
    ServerConnected,
    ServerDisconnected,
    SessionAdded,
)
from yesman.tmux._panes import PANE_FORMAT, PaneInfo, parse_pane_lines
from yesman.tmux._server import TmuxServer
from yesman.tmux._streams import ChangeStream, NotificationStream
from yesman.tmux._topology import Topology, diff_topology

__all__ = ["ControlClient", "ControlConfig", "ControlStats"]

logger = logging.getLogger(__name__)

# notifications that can change which sessions/windows/panes exist or what they are called
_STRUCTURAL = frozenset(
    {
        "%sessions-changed",
        "%session-renamed",
        "%window-add",
        "%window-close",
        "%unlinked-window-add",
        "%unlinked-window-close",
        "%layout-change",
        "%session-changed",
        "%subscription-changed",
    }
)
# pushed by tmux (checked once a second) when a pane dies (remain-on-exit), is respawned or runs
# another foreground command, which no notification reports; output-muted panes included
_PANE_SUBSCRIPTION = ("yesman-panes", "%*:#{pane_dead}:#{pane_pid}:#{pane_current_command}")


@dataclass(frozen=True, slots=True)
class ControlConfig:
    """Tuning for a `ControlClient`; the defaults suit a watcher."""

    command_timeout: float = 5.0
    debounce: DebounceConfig = DebounceConfig()  # noqa: RUF009 - frozen value
    reconnect_initial: float = 0.1  # first retry delay, doubled per failure ...
    reconnect_max: float = 5.0  # ... up to this
    # tmux pauses a pane's output for this client once it is this many seconds behind, instead
    # of buffering without bound (or disconnecting the client after 5 minutes)
    pause_after: int | None = 5
    # safety net: re-list panes this often even without a structural notification (a pane
    # respawned in place, a remain-on-exit pane dying, produce none)
    topology_interval: float = 30.0
    notification_queue: int = 10_000  # per subscriber; oldest dropped (and logged) beyond it


@dataclass(frozen=True, slots=True)
class ControlStats:
    """A snapshot of a client's counters since it was opened."""

    connected: bool
    connections: int  # live tmux -C processes (one per session)
    panes: int
    outputs: int  # %output notifications read
    changes: int  # PaneChanged released after debouncing
    commands: int
    command_errors: int  # %error replies
    command_timeouts: int
    reconnects: int
    paused: int  # %pause received (the client fell behind)


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


class ControlClient(Service):
    """A push-driven client for one tmux server. Use as ``async with ControlClient(server):``,
    or `start()` / `stop()` (restartable, see `yesman._lifecycle`).

    With ``require_server=True`` (default) starting fails with TmuxServerNotRunningError when
    nothing answers; with False it starts at once and connects whenever the server appears.
    """

    def __init__(
        self,
        server: TmuxServer | None = None,
        config: ControlConfig | None = None,
        *,
        require_server: bool = True,
    ) -> None:
        self.server = server or TmuxServer()
        self.config = config or ControlConfig()
        self._require_server = require_server
        self._connections: dict[str, Connection] = {}
        self._notification_streams: set[NotificationStream] = set()
        self._change_streams: set[ChangeStream] = set()
        self._runner = Runner(f"tmux-control {self.server.describe()}")
        self._state = _State.NEW
        self._tg: asyncio.TaskGroup | None = None
        self._connection_tasks: dict[Connection, asyncio.Task[None]] = {}
        self._muted: set[str] = set()
        self._new_run()
        self._reconnects = 0
        self._last_exit_reason = ""
        self._outputs = 0
        self._changes = 0
        self._commands = 0
        self._command_errors = 0
        self._command_timeouts = 0
        self._paused = 0

    def _new_run(self) -> None:
        """Fresh per-run state: events and locks bind to the loop they are used on, and a
        restarted client learns the server's topology anew."""
        self._topology = Topology()
        self._refresh_lock = asyncio.Lock()
        self._debouncer = ChangeDebouncer(self._emit_change, self.config.debounce)
        self._topology_wanted = asyncio.Event()
        self._connected = asyncio.Event()
        self._all_gone = asyncio.Event()
        self._first_attempt_done = asyncio.Event()
        self._first_error: BaseException | None = None
        self._stop_requested = asyncio.Event()
        self._muted.clear()  # a (re)started client hears every pane until told otherwise

    # lifecycle (see yesman._lifecycle) ------------------------------------------------------

    async def start(self) -> None:
        """Connect (with ``require_server`` True, fail with TmuxServerNotRunningError when
        nothing answers). Does nothing while running; after `stop()` it connects afresh.
        Counters (`statistics()`) carry over a restart."""
        if self._runner.running:
            return
        self._new_run()
        self._state = _State.RUNNING
        try:
            await self._runner.start(self._main)
        except BaseException:
            self._state = _State.STOPPED
            raise
        if self._first_error is not None and self._require_server:
            error = self._first_error
            await self.stop()
            raise error

    async def stop(self) -> None:
        """Detach every control process, stop all tasks and end every subscriber's stream.
        Idempotent; a background failure is re-raised here."""
        if self._state is _State.RUNNING:
            self._state = _State.STOPPED
        for stream in list(self._notification_streams):
            stream._end()
        for cstream in list(self._change_streams):
            cstream._end()
        await self._runner.stop(self._stop_requested.set)

    async def _main(self, ready: asyncio.Event) -> None:
        """The body the runner owns: every task of one run lives in this TaskGroup."""
        async with asyncio.TaskGroup() as tg:
            self._tg = tg
            tasks = [
                tg.create_task(self._debouncer.run(), name="tmux-debounce"),
                tg.create_task(self._supervise(), name="tmux-supervise"),
                tg.create_task(self._topology_loop(), name="tmux-topology"),
            ]
            await self._first_attempt_done.wait()
            ready.set()
            await self._stop_requested.wait()
            for task in tasks:
                task.cancel()
            for connection in list(self._connections.values()):
                connection.close()
            # EOF on stdin detaches a control client; one that does not go (its server
            # stopped) is cancelled, which kills its process
            pending = list(self._connection_tasks.values())
            if pending:
                _done, stuck = await asyncio.wait(pending, timeout=1.0)
                for task in stuck:
                    task.cancel()
        self._tg = None
        self._connected.clear()

    def statistics(self) -> ControlStats:
        """Counters and sizes right now, as an immutable snapshot."""
        return ControlStats(
            connected=self._connected.is_set(),
            connections=sum(1 for c in self._connections.values() if c.attached.is_set()),
            panes=len(self._topology.panes),
            outputs=self._outputs,
            changes=self._changes,
            commands=self._commands,
            command_errors=self._command_errors,
            command_timeouts=self._command_timeouts,
            reconnects=self._reconnects,
            paused=self._paused,
        )

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the client has a live connection (TimeoutError after `timeout`)."""
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    # subscriptions ---------------------------------------------------------------------

    def notifications(self) -> NotificationStream:
        """Subscribe to structural notifications (connect/disconnect, sessions, panes)."""
        self._check_open()
        stream = NotificationStream(
            self.config.notification_queue, self._notification_streams.discard
        )
        self._notification_streams.add(stream)
        return stream

    def changes(self, pane_id: str | None = None) -> ChangeStream:
        """Subscribe to debounced `PaneChanged` for every pane, or for one pane (the stream then
        ends when that pane closes)."""
        self._check_open()
        if pane_id is not None:
            check_pane_id(pane_id)
        stream = ChangeStream(pane_id, self._change_streams.discard)
        self._change_streams.add(stream)
        if pane_id is not None and pane_id not in self._topology.panes:
            self._topology_wanted.set()  # unknown (new, or gone): the next refresh settles it
        return stream

    def _publish(self, item: Notification) -> None:
        for stream in self._notification_streams:
            stream._put(item)

    def _emit_change(self, change: PaneChanged) -> None:
        self._changes += 1
        for stream in self._change_streams:
            stream._put(change)

    # commands ----------------------------------------------------------------------------

    async def command(self, *argv: str, timeout: float | None = None) -> list[str]:
        """Run one tmux command (argv, quoted for you); its output lines. Raises
        TmuxCommandError on %error, TmuxTimeoutError, TmuxDisconnectedError."""
        self._check_open()
        line = command_line(*argv)
        limit = self.config.command_timeout if timeout is None else timeout
        connection = self._command_connection()
        try:
            self._commands += 1
            reply = await connection.command(line, limit)
        except TimeoutError as exc:
            self._command_timeouts += 1
            raise TmuxTimeoutError(line, limit, self.server.describe()) from exc
        if not reply.ok:
            self._command_errors += 1
            raise TmuxCommandError(line, " ".join(reply.lines).strip())
        return reply.lines

    async def _pane_command(self, pane_id: str, *argv: str) -> list[str]:
        try:
            return await self.command(*argv)
        except TmuxCommandError as exc:
            if "can't find pane" in exc.message or "can't find window" in exc.message:
                raise PaneNotFoundError(pane_id, exc.command, exc.message) from exc
            raise

    def _command_connection(self) -> Connection:
        for connection in self._connections.values():
            if connection.attached.is_set() and not (connection.closed or connection.closing):
                return connection
        raise TmuxDisconnectedError(self.server.describe(), "not connected; reconnecting")

    async def list_panes(self) -> list[PaneInfo]:
        """Every pane of every session on the server, fresh from tmux."""
        lines = await self.command("list-panes", "-a", "-F", PANE_FORMAT)
        seen: dict[str, PaneInfo] = {}
        for pane in parse_pane_lines(lines):
            seen.setdefault(pane.pane_id, pane)  # a linked window lists its panes once per session
        return list(seen.values())

    def panes(self) -> dict[str, PaneInfo]:
        """The panes as of the last topology refresh (no round trip)."""
        return dict(self._topology.panes)

    async def capture_pane(
        self, pane_id: str, *, ansi: bool = False, start: int | None = None, end: int | None = None
    ) -> str:
        """The pane's screen as text, one line per screen row, wrapped lines kept as drawn (no
        -J). `ansi` keeps colours and attributes (-e); `start`/`end` select rows as tmux's
        -S/-E do (negative = scrollback)."""
        argv = ["capture-pane", "-p", "-t", check_pane_id(pane_id)]
        if ansi:
            argv.append("-e")
        if start is not None:
            argv += ["-S", str(int(start))]
        if end is not None:
            argv += ["-E", str(int(end))]
        return "\n".join(await self._pane_command(pane_id, *argv))

    async def send_keys(self, pane_id: str, *keys: str) -> None:
        """Press keys in a pane, each a single character or a key name (`'1'`, `'Escape'`).
        All keys go in one command, so they arrive in order and nothing is interleaved.

        After TmuxTimeoutError the keys may still arrive once tmux catches up: look at the
        screen again before sending anything a second time."""
        if not keys:
            raise ValueError("send_keys needs at least one key, such as '1' or 'Escape'")
        checked = [check_key(key) for key in keys]
        await self._pane_command(pane_id, "send-keys", "-t", check_pane_id(pane_id), "--", *checked)

    async def send_literal(self, pane_id: str, text: str) -> None:
        """Type `text` into a pane exactly as given (send-keys -l); no key names interpreted."""
        if not text:
            return
        await self._pane_command(pane_id, "send-keys", "-l", "-t", check_pane_id(pane_id), "--",
                                 text)  # fmt: skip

    # output muting -------------------------------------------------------------------------

    async def mute_output(self, pane_id: str) -> None:
        """Stop receiving `%output` for a pane (for panes that are not agents: a build log, a
        `tail -f`), so its output costs this process nothing. No `PaneChanged` is reported for
        it until `unmute_output()`; structural notifications still are, including
        `PaneCommandChanged` when its foreground program changes (within ~1 s) and
        `PaneDied`/`PaneClosed`, so a watcher can re-check the pane and unmute it.

        The pane's program is not affected: tmux keeps reading it and drawing its screen
        (`capture_pane` shows it as usual). Implemented as tmux's per-client pause
        (``refresh-client -A %N:pause``, tmux 3.2+) on every control connection, re-applied
        when a connection (re)attaches. Not the ``off`` state: on tmux 3.3a turning a busy
        pane ``off`` crashed the whole tmux server in 6 of 14 trials here, and the man page
        says tmux stops reading a pane every client turned off, which would stall its program.
        tmux silently ignores an unknown pane id, and so does this.
        """
        self._check_open()
        check_pane_id(pane_id)
        self._muted.add(pane_id)
        self._debouncer.forget(pane_id)
        await self._on_each_connection("refresh-client", "-A", f"{pane_id}:pause")

    async def unmute_output(self, pane_id: str) -> None:
        """Receive a muted pane's `%output` again. One `PaneChanged` follows at once, since
        what it drew while muted was not seen. Unmuting a pane that is not muted does nothing.
        """
        self._check_open()
        check_pane_id(pane_id)
        if pane_id not in self._muted:
            return
        self._muted.discard(pane_id)
        await self._on_each_connection("refresh-client", "-A", f"{pane_id}:continue")
        self._debouncer.mark(pane_id)

    def muted_panes(self) -> frozenset[str]:
        """The panes whose output is muted now (forgotten when they close or on restart)."""
        return frozenset(self._muted)

    async def _on_each_connection(self, *argv: str) -> None:
        """Run a per-client command on every attached connection. A connection that is going
        away is skipped: its replacement applies the muted set when it attaches."""
        line = command_line(*argv)
        for connection in list(self._connections.values()):
            if not connection.attached.is_set() or connection.closed or connection.closing:
                continue
            self._commands += 1
            try:
                reply = await connection.command(line, self.config.command_timeout)
            except TmuxDisconnectedError:
                continue
            except TimeoutError as exc:
                self._command_timeouts += 1
                raise TmuxTimeoutError(line, self.config.command_timeout,
                                       self.server.describe()) from exc  # fmt: skip
            if not reply.ok:
                self._command_errors += 1
                raise TmuxCommandError(line, " ".join(reply.lines).strip())

    def _check_open(self) -> None:
        if self._state is not _State.RUNNING:
            raise ClientClosedError()

    # connection handler ------------------------------------------------------------------

    def on_output(self, pane_id: str) -> None:
        self._outputs += 1
        if pane_id in self._muted:
            return  # sent before tmux applied the mute
        self._debouncer.mark(pane_id)

    def on_notification(self, connection: Connection, name: str, args: list[str]) -> None:
        if name in _STRUCTURAL:
            if name == "%session-changed" and args and args[0] != connection.session_id:
                # detach-on-destroy off moved this client to another session: its own is gone
                logger.debug("connection for %s moved to %s", connection.session_id, args[0])
                connection.close()
            self._topology_wanted.set()

    def _on_pause(self, pane_id: str) -> None:
        self._paused += 1
        logger.info("tmux paused output of pane %s for this client; resuming", pane_id)
        self._publish(OutputPaused(pane_id))
        self._debouncer.mark(pane_id)

    # supervision -------------------------------------------------------------------------

    async def _list_session_ids(self) -> list[str]:
        code, out, err = await self.server.run(
            "list-sessions", "-F", "#{session_id}", timeout=self.config.command_timeout
        )
        if code != 0:
            raise self.server.not_running(err)
        return [line for line in out.splitlines() if line.startswith("$")]

    def _start_connection(self, session_id: str) -> Connection:
        assert self._tg is not None
        existing = self._connections.get(session_id)
        if existing is not None and not (existing.closing or existing.closed):
            return existing
        connection = Connection(
            self.server,
            session_id,
            self,
            pause_after=self.config.pause_after,
            subscriptions=[_PANE_SUBSCRIPTION],
            muted=self._muted,
        )
        connection.set_pause_callback(self._on_pause)
        self._connections[session_id] = connection
        self._all_gone.clear()
        self._connection_tasks[connection] = self._tg.create_task(
            self._run_connection(connection), name=f"tmux-conn-{session_id}"
        )
        return connection

    async def _run_connection(self, connection: Connection) -> None:
        try:
            await connection.run()
        finally:
            self._connection_tasks.pop(connection, None)
            if self._connections.get(connection.session_id) is connection:
                del self._connections[connection.session_id]
            self._last_exit_reason = connection.exit_reason
            logger.debug("control connection for %s ended: %s", connection.session_id,
                         connection.exit_reason)  # fmt: skip
            if not self._connections:
                self._all_gone.set()
            else:
                self._topology_wanted.set()

    async def _connect_once(self) -> bool:
        """Attach to every session; True if at least one connection is live."""
        session_ids = await self._list_session_ids()
        if not session_ids:
            return False
        started = [self._start_connection(sid) for sid in session_ids]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.config.command_timeout):
                await asyncio.gather(*(c.attached.wait() for c in started))
        return any(c.attached.is_set() and not c.closed for c in started)

    async def _try_connect(self) -> tuple[bool, BaseException | None]:
        try:
            return await self._connect_once(), None
        except (TmuxServerNotRunningError, TmuxTimeoutError, TmuxNotInstalledError) as exc:
            return False, exc

    async def _supervise(self) -> None:
        attempt = 0
        lost_at: float | None = None
        delay = self.config.reconnect_initial
        first = True
        while True:
            ok, error = await self._try_connect()
            if not ok:
                for connection in list(self._connections.values()):
                    connection.close()
                if first:
                    self._first_error = error or self.server.not_running()
                    self._first_attempt_done.set()
                    first = False
                attempt += 1
                logger.debug("tmux %s not reachable (attempt %d: %s), retry in %.2fs",
                             self.server.describe(), attempt, error, delay)  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.config.reconnect_max)
                continue
            self._all_gone.clear()  # a connection that failed to attach may have set it
            downtime = 0.0 if lost_at is None else time.monotonic() - lost_at
            if lost_at is not None:
                self._reconnects += 1
                logger.warning("reconnected to tmux server %s after %d attempts (%.1fs down)",
                               self.server.describe(), attempt, downtime)  # fmt: skip
            self._connected.set()
            self._publish(ServerConnected(self.server.describe(), attempt, downtime))
            await self._refresh_topology(initial=lost_at is None)
            if first:
                self._first_attempt_done.set()
                first = False
            attempt, delay = 0, self.config.reconnect_initial
            while True:
                await self._all_gone.wait()
                if self._state is not _State.RUNNING:
                    return  # closing, not lost
                # our clients went away: the server died, or only they were dropped (detached
                # by someone, or too far behind); in the second case reattach without fuss
                ok, _error = await self._try_connect()
                if not ok:
                    break
                self._all_gone.clear()
                logger.warning("control clients on %s were dropped (%s); reattached",
                               self.server.describe(), self._last_exit_reason)  # fmt: skip
                await self._refresh_topology(initial=False)
            # the server is gone: everything on it is gone too
            self._connected.clear()
            lost_at = time.monotonic()
            reason = f"tmux server went away ({self._last_exit_reason})"
            logger.warning("lost tmux server %s: %s; reconnecting", self.server.describe(), reason)
            self._publish(ServerDisconnected(self.server.describe(), reason))
            self._apply_topology([])

    async def _topology_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.topology_interval):
                    await self._topology_wanted.wait()
            await asyncio.sleep(0.005)  # fold a burst of notifications into one refresh
            self._topology_wanted.clear()
            if self._connected.is_set():
                await self._refresh_topology(initial=False)

    async def _refresh_topology(self, *, initial: bool) -> None:
        async with self._refresh_lock:  # one at a time, so an older list never wins
            try:
                panes = await self.list_panes()
            except ClientClosedError:
                return  # stop() was called while this refresh was due: nothing to refresh
            except (TmuxDisconnectedError, TmuxTimeoutError) as exc:
                logger.debug("topology refresh failed: %s", exc)
                return
            except TmuxCommandError as exc:
                logger.warning("topology refresh refused by tmux: %s", exc)
                return
            if self._connected.is_set() or initial:
                self._apply_topology(panes, initial=initial)

    def _apply_topology(self, panes: list[PaneInfo], *, initial: bool = False) -> None:
        """Publish what changed since the last look, and attach to / let go of sessions."""
        new = Topology.from_panes(panes)
        for event in diff_topology(self._topology, new):
            if isinstance(event, PaneClosed):
                self._debouncer.forget(event.pane.pane_id)
                self._muted.discard(event.pane.pane_id)  # ids are reused after a restart
                for stream in self._change_streams:
                    stream.pane_closed(event.pane.pane_id)
            elif isinstance(event, PaneAdded | PaneDied):
                self._debouncer.mark(event.pane.pane_id)  # so watchers capture its screen
            if initial and isinstance(event, PaneAdded | SessionAdded):
                continue  # what was there before we connected is not news
            self._publish(event)
        for stream in self._change_streams:
            if stream.pane_id is not None and stream.pane_id not in new.panes:
                stream.pane_closed(stream.pane_id)
        self._topology = new
        if self._state is _State.RUNNING and self._tg is not None:
            for sid in new.sessions:
                if sid not in self._connections:
                    self._start_connection(sid)
            for sid, connection in list(self._connections.items()):
                if sid not in new.sessions and connection.attached.is_set():
                    connection.close()
