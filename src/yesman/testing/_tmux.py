"""A private tmux server for tests and benchmarks: `-L yesman-test-<random>`, killed at the end.

The server ignores the user's ~/.tmux.conf (`-f /dev/null`) and never inherits $TMUX, so tests
behave the same inside and outside tmux. Commands are argv lists, never shell strings.

    with PrivateTmuxServer() as tmux:
        pane = tmux.new_session("work", ["python3", "-c", "..."])
        tmux.run("send-keys", "-t", pane, "1")
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

import psutil

from yesman._errors import YesmanError
from yesman.tmux import TmuxServer

__all__ = ["PrivateTmuxServer", "TmuxHelperError", "eventually", "eventually_async"]

T = TypeVar("T")


class TmuxHelperError(YesmanError, RuntimeError):
    """A tmux command run by the test helper failed; the message quotes tmux's complaint."""


class PrivateTmuxServer:
    """A tmux server on its own socket name. Sessions start only when asked (`new_session`)."""

    def __init__(
        self,
        *,
        prefix: str = "yesman-test",
        width: int = 100,
        height: int = 30,
        binary: str = "tmux",
    ) -> None:
        self.socket_name = f"{prefix}-{secrets.token_hex(4)}"
        self.server = TmuxServer(socket_name=self.socket_name, binary=binary)
        self.width = width
        self.height = height
        self._env = {k: v for k, v in os.environ.items() if k != "TMUX"}

    @property
    def socket_path(self) -> Path:
        return self.server.resolved_socket_path()

    def argv(self, *args: str) -> list[str]:
        return [self.server.binary, "-L", self.socket_name, "-f", os.devnull, *args]

    def run(self, *args: str, check: bool = True, timeout: float = 10.0) -> str:
        """Run one tmux command; its stdout without the trailing newline."""
        done = subprocess.run(
            self.argv(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self._env,
            check=False,
        )
        if check and done.returncode != 0:
            raise TmuxHelperError(
                f"tmux -L {self.socket_name} {' '.join(args)} failed ({done.returncode}): "
                f"{done.stderr.strip()}"
            )
        return done.stdout.rstrip("\n")

    async def run_async(self, *args: str, check: bool = True, timeout: float = 10.0) -> str:
        """`run` for async code: the event loop keeps going while tmux answers."""
        proc = await asyncio.create_subprocess_exec(
            *self.argv(*args),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._env,
        )
        try:
            async with asyncio.timeout(timeout):
                out, err = await proc.communicate()
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        if check and proc.returncode != 0:
            raise TmuxHelperError(
                f"tmux -L {self.socket_name} {' '.join(args)} failed ({proc.returncode}): "
                f"{err.decode(errors='replace').strip()}"
            )
        return out.decode(errors="replace").rstrip("\n")

    def new_session(
        self,
        name: str,
        command: Sequence[str] | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """Start a detached session running `command` (argv; default: `cat`); its pane id."""
        args = ["new-session", "-d", "-P", "-F", "#{pane_id}", "-s", name]
        args += ["-x", str(width or self.width), "-y", str(height or self.height)]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        return self.run(*args, *(command or ["cat"]))

    def new_window(self, session: str, command: Sequence[str] | None = None) -> str:
        """A new window in `session` running `command`; its pane id."""
        return self.run(
            "new-window", "-d", "-P", "-F", "#{pane_id}", "-t", session, *(command or ["cat"])
        )

    def split(self, pane_id: str, command: Sequence[str] | None = None) -> str:
        """Split `pane_id`; the new pane's id."""
        return self.run(
            "split-window", "-d", "-P", "-F", "#{pane_id}", "-t", pane_id, *(command or ["cat"])
        )

    def capture(self, pane_id: str, *, ansi: bool = False) -> str:
        """The visible screen as text; with `ansi`, keeping colours and styles (`-e`)."""
        return self.run("capture-pane", "-p", *(["-e"] if ansi else []), "-t", pane_id)

    async def capture_async(self, pane_id: str, *, ansi: bool = False) -> str:
        """`capture` for async code."""
        return await self.run_async("capture-pane", "-p", *(["-e"] if ansi else []), "-t", pane_id)

    def pane_pid(self, pane_id: str) -> int:
        return int(self.run("display-message", "-p", "-t", pane_id, "#{pane_pid}"))

    def is_running(self) -> bool:
        """Whether a server with at least one session answers on the socket."""
        done = subprocess.run(
            self.argv("list-sessions"), capture_output=True, env=self._env, check=False
        )
        return done.returncode == 0

    def server_pid(self) -> int:
        return int(self.run("display-message", "-p", "#{pid}"))

    def kill(self) -> None:
        """Kill the server (if running) and everything its panes started, and remove its socket
        file. Idempotent.

        tmux sends SIGHUP to each pane's process when it exits; programs that ignore SIGHUP
        (Gemini CLI's launcher does) would outlive the test, so the panes' process trees are
        noted first and whatever of them is still alive afterwards is terminated.
        """
        leftovers = self._pane_processes()
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                self.argv("kill-server"),
                capture_output=True,
                env=self._env,
                timeout=10,
                check=False,
            )
        with contextlib.suppress(OSError):
            self.socket_path.unlink()
        _end(leftovers)

    def _pane_processes(self) -> list[psutil.Process]:
        try:
            done = subprocess.run(
                self.argv("list-panes", "-a", "-F", "#{pane_pid}"),
                capture_output=True,
                text=True,
                env=self._env,
                timeout=10,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return []
        found: list[psutil.Process] = []
        for line in done.stdout.split():
            with contextlib.suppress(ValueError, psutil.Error):
                pane = psutil.Process(int(line))
                found += [pane, *pane.children(recursive=True)]
        return found

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.kill()


def _end(processes: list[psutil.Process], grace: float = 2.0) -> None:
    """Terminate the processes still alive (the same ones: psutil checks their start time),
    then kill what has not exited after ``grace`` seconds."""
    alive = [p for p in processes if p.is_running()]
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, stubborn = psutil.wait_procs(alive, timeout=grace)
    for process in stubborn:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(stubborn, timeout=grace)


def eventually(check: Callable[[], T], *, timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll `check()` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value {value!r})")
        time.sleep(interval)


async def eventually_async(
    check: Callable[[], Awaitable[T]], *, timeout: float = 5.0, interval: float = 0.02
) -> T:
    """Async twin of `eventually` for checks that await."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value {value!r})")
        await asyncio.sleep(interval)
