"""Keeping a `ControlClient` connected: connect, notice loss, reconnect with backoff.

The first attempt decides whether `start()` succeeds (`first_error`, `first_attempt_done`).
After that the loop waits for every connection to end, then tells two cases apart by trying to
reattach at once: if that works, only our clients were dropped (detached by someone, or too far
behind) and nothing is announced; if not, the server went away, so `ServerDisconnected` is
published, every pane and session is reported closed, and retries follow, the delay doubling from
`reconnect_initial` up to `reconnect_max`. A reconnect publishes `ServerConnected` with the
attempts and downtime, and refreshes the topology (which reports what appeared meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from yesman.tmux._config import ControlConfig, Counters
from yesman.tmux._errors import TmuxNotInstalledError, TmuxServerNotRunningError, TmuxTimeoutError
from yesman.tmux._notifications import Notification, ServerConnected, ServerDisconnected
from yesman.tmux._refresh import TopologyRefresher
from yesman.tmux._server import TmuxServer
from yesman.tmux._sessions import SessionConnections

__all__ = ["Supervisor"]

logger = logging.getLogger(__name__)


class Supervisor:
    """One run's connect/reconnect loop (`run`, in the client's TaskGroup)."""

    def __init__(
        self,
        server: TmuxServer,
        sessions: SessionConnections,
        refresher: TopologyRefresher,
        *,
        publish: Callable[[Notification], None],
        config: ControlConfig,
        counts: Counters,
        running: Callable[[], bool],
    ) -> None:
        self.server = server
        self._sessions = sessions
        self._refresher = refresher
        self._publish = publish
        self._config = config
        self._counts = counts
        self._running = running
        self.first_attempt_done = asyncio.Event()
        self.first_error: BaseException | None = None

    async def _list_session_ids(self) -> list[str]:
        code, out, err = await self.server.run(
            "list-sessions", "-F", "#{session_id}", timeout=self._config.command_timeout
        )
        if code != 0:
            raise self.server.not_running(err)
        return [line for line in out.splitlines() if line.startswith("$")]

    async def _connect_once(self) -> bool:
        """Attach to every session; True if at least one connection is live."""
        session_ids = await self._list_session_ids()
        if not session_ids:
            return False
        started = [self._sessions.start(sid) for sid in session_ids]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._config.command_timeout):
                await asyncio.gather(*(c.attached.wait() for c in started))
        return any(c.attached.is_set() and not c.closed for c in started)

    async def _try_connect(self) -> tuple[bool, BaseException | None]:
        try:
            return await self._connect_once(), None
        except (TmuxServerNotRunningError, TmuxTimeoutError, TmuxNotInstalledError) as exc:
            return False, exc

    async def run(self) -> None:
        sessions = self._sessions
        attempt = 0
        lost_at: float | None = None
        delay = self._config.reconnect_initial
        first = True
        while True:
            ok, error = await self._try_connect()
            if not ok:
                sessions.close_each()
                if first:
                    self.first_error = error or self.server.not_running()
                    self.first_attempt_done.set()
                    first = False
                attempt += 1
                logger.debug("tmux %s not reachable (attempt %d: %s), retry in %.2fs",
                             self.server.describe(), attempt, error, delay)  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._config.reconnect_max)
                continue
            sessions.all_gone.clear()  # a connection that failed to attach may have set it
            downtime = 0.0 if lost_at is None else time.monotonic() - lost_at
            if lost_at is not None:
                self._counts.reconnects += 1
                logger.warning("reconnected to tmux server %s after %d attempts (%.1fs down)",
                               self.server.describe(), attempt, downtime)  # fmt: skip
            sessions.connected.set()
            self._publish(ServerConnected(self.server.describe(), attempt, downtime))
            await self._refresher.refresh(initial=lost_at is None)
            if first:
                self.first_attempt_done.set()
                first = False
            attempt, delay = 0, self._config.reconnect_initial
            while True:
                await sessions.all_gone.wait()
                if not self._running():
                    return  # closing, not lost
                # our clients went away: the server died, or only they were dropped (detached
                # by someone, or too far behind); in the second case reattach without fuss
                ok, _error = await self._try_connect()
                if not ok:
                    break
                sessions.all_gone.clear()
                logger.warning("control clients on %s were dropped (%s); reattached",
                               self.server.describe(), sessions.last_exit_reason)  # fmt: skip
                await self._refresher.refresh(initial=False)
            # the server is gone: everything on it is gone too
            sessions.connected.clear()
            lost_at = time.monotonic()
            reason = f"tmux server went away ({sessions.last_exit_reason})"
            logger.warning("lost tmux server %s: %s; reconnecting", self.server.describe(), reason)
            self._publish(ServerDisconnected(self.server.describe(), reason))
            self._refresher.apply([])
