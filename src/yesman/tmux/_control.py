"""`ControlClient`: one push-driven connection to a tmux server.

Shape (one per server)::

    ControlClient ── TaskGroup ─┬─ Supervisor (_supervise): connect, notice loss, reconnect with
                                │  backoff
                                ├─ SessionConnections (_sessions): a Connection per session
                                │  (tmux -C attach -t $N) reading pushes; commands go over them
                                ├─ debouncer (_changes): %output marks → PaneChanged, fanned out
                                │  to streams
                                └─ TopologyRefresher (_refresh): list-panes -a on structural
                                   notifications → diff → SessionAdded/Closed/Renamed,
                                   PaneAdded/Closed
    OutputMuting (_muting): the panes whose output we asked tmux to hold

This module is the facade: lifecycle, statistics, subscriptions, commands (capture, send-keys)
and the handler every connection delivers to (`on_output` runs once per `%output` line, so it
touches only plain attributes). The helpers are made anew for every run; the counters they bump
(`Counters`) belong to the client and carry over a restart.

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
import enum
import logging

from yesman._lifecycle import Runner, Service
from yesman.tmux._changes import ChangeDebouncer
from yesman.tmux._commands import check_key, check_pane_id, command_line
from yesman.tmux._config import ControlConfig, ControlStats, Counters
from yesman.tmux._connection import Connection
from yesman.tmux._errors import ClientClosedError, PaneNotFoundError, TmuxCommandError
from yesman.tmux._muting import OutputMuting
from yesman.tmux._notifications import Notification, OutputPaused, PaneChanged
from yesman.tmux._panes import PANE_FORMAT, PaneInfo, parse_pane_lines
from yesman.tmux._refresh import TopologyRefresher
from yesman.tmux._server import TmuxServer
from yesman.tmux._sessions import SessionConnections
from yesman.tmux._streams import ChangeStream, NotificationStream
from yesman.tmux._supervise import Supervisor

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
        self._notification_streams: set[NotificationStream] = set()
        self._change_streams: set[ChangeStream] = set()
        self._runner = Runner(f"tmux-control {self.server.describe()}")
        self._state = _State.NEW
        self._counts = Counters()
        self._outputs = 0
        self._changes = 0
        self._paused = 0
        self._new_run()

    def _new_run(self) -> None:
        """Fresh per-run state: events and locks bind to the loop they are used on, and a
        restarted client learns the server's topology anew."""
        self._debouncer = ChangeDebouncer(self._emit_change, self.config.debounce)
        self._muted: set[str] = set()  # a (re)started client hears every pane until told otherwise
        self._topology_wanted = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self._sessions = SessionConnections(
            self.server,
            self,
            self.config,
            self._counts,
            muted=self._muted,
            on_pause=self._on_pause,
            on_ended=self._topology_wanted.set,
        )
        self._muting = OutputMuting(self._muted, self._sessions, self._debouncer)
        self._refresher = TopologyRefresher(
            self.list_panes,
            self._sessions,
            debouncer=self._debouncer,
            muting=self._muting,
            change_streams=self._change_streams,
            publish=self._publish,
            wanted=self._topology_wanted,
            interval=self.config.topology_interval,
            running=self._running,
        )
        self._supervisor = Supervisor(
            self.server,
            self._sessions,
            self._refresher,
            publish=self._publish,
            config=self.config,
            counts=self._counts,
            running=self._running,
        )

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
        if self._supervisor.first_error is not None and self._require_server:
            error = self._supervisor.first_error
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
            self._sessions.bind(tg)
            tasks = [
                tg.create_task(self._debouncer.run(), name="tmux-debounce"),
                tg.create_task(self._supervisor.run(), name="tmux-supervise"),
                tg.create_task(self._refresher.run(), name="tmux-topology"),
            ]
            await self._supervisor.first_attempt_done.wait()
            ready.set()
            await self._stop_requested.wait()
            for task in tasks:
                task.cancel()
            await self._sessions.detach_all()
        self._sessions.bind(None)
        self._sessions.connected.clear()

    def _running(self) -> bool:
        return self._state is _State.RUNNING

    def statistics(self) -> ControlStats:
        """Counters and sizes right now, as an immutable snapshot."""
        counts = self._counts
        return ControlStats(
            connected=self._sessions.connected.is_set(),
            connections=self._sessions.attached_count(),
            panes=len(self._refresher.topology.panes),
            outputs=self._outputs,
            changes=self._changes,
            commands=counts.commands,
            command_errors=counts.command_errors,
            command_timeouts=counts.command_timeouts,
            reconnects=counts.reconnects,
            paused=self._paused,
        )

    @property
    def connected(self) -> bool:
        return self._sessions.connected.is_set()

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the client has a live connection (TimeoutError after `timeout`)."""
        async with asyncio.timeout(timeout):
            await self._sessions.connected.wait()

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
        if pane_id is not None and pane_id not in self._refresher.topology.panes:
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
        return await self._sessions.command(line, limit)

    async def _pane_command(self, pane_id: str, *argv: str) -> list[str]:
        try:
            return await self.command(*argv)
        except TmuxCommandError as exc:
            if "can't find pane" in exc.message or "can't find window" in exc.message:
                raise PaneNotFoundError(pane_id, exc.command, exc.message) from exc
            raise

    async def list_panes(self) -> list[PaneInfo]:
        """Every pane of every session on the server, fresh from tmux."""
        lines = await self.command("list-panes", "-a", "-F", PANE_FORMAT)
        seen: dict[str, PaneInfo] = {}
        for pane in parse_pane_lines(lines):
            seen.setdefault(pane.pane_id, pane)  # a linked window lists its panes once per session
        return list(seen.values())

    def panes(self) -> dict[str, PaneInfo]:
        """The panes as of the last topology refresh (no round trip)."""
        return dict(self._refresher.topology.panes)

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
        await self._muting.mute(pane_id)

    async def unmute_output(self, pane_id: str) -> None:
        """Receive a muted pane's `%output` again. One `PaneChanged` follows at once, since
        what it drew while muted was not seen. Unmuting a pane that is not muted does nothing.
        """
        self._check_open()
        check_pane_id(pane_id)
        await self._muting.unmute(pane_id)

    def muted_panes(self) -> frozenset[str]:
        """The panes whose output is muted now (forgotten when they close or on restart)."""
        return frozenset(self._muted)

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
