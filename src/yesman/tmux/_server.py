"""How a tmux server is addressed: `-L name`, `-S path`, or the user's default server.

`TmuxServer` is a plain value. It builds argv lists for the tmux binary (never a shell string)
and resolves the socket path the way tmux itself does, so error messages can name the file.
"""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from yesman.tmux._errors import (
    TmuxNotASocketError,
    TmuxNotInstalledError,
    TmuxServerNotRunningError,
    TmuxTimeoutError,
)

__all__ = ["TmuxServer"]


@dataclass(frozen=True, slots=True)
class TmuxServer:
    """One tmux server: `socket_name` (`-L`), `socket_path` (`-S`), or neither for the default.

    With neither, tmux's own rules apply: inside tmux the socket named by ``$TMUX``, otherwise
    ``default`` in ``$TMUX_TMPDIR`` (or ``/tmp``) ``/tmux-UID/``.
    """

    socket_name: str | None = None
    socket_path: Path | None = None
    binary: str = "tmux"

    def __post_init__(self) -> None:
        if self.socket_name is not None and self.socket_path is not None:
            raise ValueError(
                "give a tmux server either a socket name (-L) or a socket path (-S), not both"
            )
        if self.socket_name is not None and (not self.socket_name or "/" in self.socket_name):
            raise ValueError(
                f"tmux socket name {self.socket_name!r} must be a non-empty file name without "
                "'/'; use socket_path (-S) for a full path"
            )

    @classmethod
    def from_flags(
        cls, socket_name: str | None = None, socket_path: str | os.PathLike[str] | None = None
    ) -> TmuxServer:
        """The server a command line with optional `-L NAME` / `-S PATH` names."""
        return cls(
            socket_name=socket_name,
            socket_path=Path(socket_path) if socket_path is not None else None,
        )

    def flags(self) -> list[str]:
        """The global tmux flags that select this server."""
        if self.socket_path is not None:
            return ["-S", str(self.socket_path)]
        if self.socket_name is not None:
            return ["-L", self.socket_name]
        return []

    def argv(self, *args: str) -> list[str]:
        """A full argv for running tmux against this server."""
        return [self.binary, *self.flags(), *args]

    def describe(self) -> str:
        """How a user would name this server on the tmux command line."""
        flags = self.flags()
        return " ".join(flags) if flags else f"(default server, {self.resolved_socket_path()})"

    def resolved_socket_path(self) -> Path:
        """The socket file tmux would use for this server (does not check that it exists)."""
        if self.socket_path is not None:
            return self.socket_path
        if self.socket_name is None:
            inside = os.environ.get("TMUX", "")
            if inside:
                # $TMUX is "socket_path,server_pid,session_index"
                return Path(inside.split(",", 1)[0])
        # like tmux: $TMUX_TMPDIR if it names a usable directory, else /tmp
        custom = os.environ.get("TMUX_TMPDIR")
        base = Path(custom) if custom and Path(custom).is_dir() else Path("/tmp")
        return base / f"tmux-{os.getuid()}" / (self.socket_name or "default")

    def not_running(self, detail: str = "") -> TmuxServerNotRunningError:
        """The error for "nothing answers", with advice that cannot destroy anything.

        When the socket path exists but is not a socket this is `TmuxNotASocketError`, which
        names what is there instead of suggesting ``tmux -S PATH new-session`` (that would
        replace a regular file at PATH with a socket).
        """
        path = self.resolved_socket_path()
        what = _not_a_socket(path)
        if what is not None:
            return TmuxNotASocketError(self.describe(), str(path), what)
        return TmuxServerNotRunningError(
            self.describe(), " ".join(self.argv("new-session", "-d")), detail
        )

    def environment(self) -> dict[str, str]:
        """The environment for tmux child processes.

        With an explicit socket, $TMUX is dropped so that a watcher started inside tmux does not
        trip tmux's nesting checks; for the default server it is kept because it names the socket.
        """
        env = dict(os.environ)
        if self.flags():
            env.pop("TMUX", None)
        return env

    async def run(self, *args: str, timeout: float = 5.0) -> tuple[int, str, str]:
        """Run one tmux command as a subprocess: `(returncode, stdout, stderr)`.

        For bootstrapping and for tools; a connected `ControlClient` is far cheaper per command.
        """
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv(*args),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.environment(),
            )
        except FileNotFoundError as exc:
            raise TmuxNotInstalledError(self.binary) from exc
        try:
            async with asyncio.timeout(timeout):
                out, err = await proc.communicate()
        except TimeoutError as exc:
            proc.kill()
            await proc.wait()
            raise TmuxTimeoutError(" ".join(args), timeout, self.describe()) from exc
        assert proc.returncode is not None  # communicate() waited for the exit
        return (
            proc.returncode,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace").strip(),
        )


def _not_a_socket(path: Path) -> str | None:
    """What `path` is when it exists and is not a socket (None for a socket or nothing)."""
    try:
        info = path.stat()  # follows symlinks, as tmux's connect() does
    except OSError:
        return None
    if stat.S_ISSOCK(info.st_mode):
        return None
    if stat.S_ISDIR(info.st_mode):
        return "a directory"
    if stat.S_ISREG(info.st_mode):
        return f"a regular file of {info.st_size} bytes"
    if stat.S_ISFIFO(info.st_mode):
        return "a named pipe"
    return "a device or other special file"
