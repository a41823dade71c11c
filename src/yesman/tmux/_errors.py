"""Errors raised by `yesman.tmux`.

Every message says what went wrong and what the user can do about it::

    TmuxError
     ├── TmuxNotInstalledError       the tmux binary is missing
     ├── TmuxServerNotRunningError   nothing answers on the socket
     │    └── TmuxNotASocketError    the socket path is a file or folder, not a socket
     ├── TmuxDisconnectedError       the control connection died (commands in flight fail with it)
     ├── TmuxCommandError            tmux answered %error (bad target, unknown command ...)
     │    └── PaneNotFoundError      the pane named does not exist (any more)
     ├── TmuxTimeoutError            no answer within the command timeout (also a TimeoutError)
     ├── ClientClosedError           the client was used while not running (before/after)
     ├── InvalidTargetError          a pane/session id that is not tmux's %N/$N form (ValueError)
     ├── InvalidKeyError             a key name send_keys will not send (ValueError)
     └── ServerLockedError           another process already answers on this tmux server
"""

from __future__ import annotations

from yesman._errors import YesmanError

__all__ = [
    "ClientClosedError",
    "InvalidKeyError",
    "InvalidTargetError",
    "PaneNotFoundError",
    "ServerLockedError",
    "TmuxCommandError",
    "TmuxDisconnectedError",
    "TmuxError",
    "TmuxNotASocketError",
    "TmuxNotInstalledError",
    "TmuxServerNotRunningError",
    "TmuxTimeoutError",
]


class TmuxError(YesmanError):
    """Base class of everything `yesman.tmux` raises on purpose."""


class TmuxNotInstalledError(TmuxError):
    """The tmux executable could not be started."""

    def __init__(self, binary: str) -> None:
        super().__init__(
            f"tmux executable {binary!r} was not found; install tmux (3.2 or newer) "
            "or pass the full path of the binary"
        )
        self.binary = binary


class TmuxServerNotRunningError(TmuxError):
    """No tmux server is listening on the socket, or it has no sessions to attach to."""

    def __init__(self, server: str, start_command: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"no tmux server with sessions at {server}{extra}; start one with `{start_command}`"
        )
        self.server = server


class TmuxNotASocketError(TmuxServerNotRunningError):
    """The server's socket path names something that is not a socket (a file, a folder).

    Deliberately without the usual "start one with ..." advice: `tmux -S PATH new-session`
    would delete a regular file at PATH and put a socket in its place.
    """

    def __init__(self, server: str, path: str, what: str) -> None:
        TmuxError.__init__(
            self,
            f"{path} (given for tmux server {server}) is not a socket: it is {what}. No tmux "
            "server can listen there; check the -S path (tmux prints the right one with "
            "`tmux display -p '#{socket_path}'` inside the session), or use -L NAME",
        )
        self.server = server
        self.path = path
        self.what = what


class TmuxDisconnectedError(TmuxError):
    """The control connection to the server went away before the answer came."""

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(
            f"lost the control connection to tmux server {server}: {reason}; "
            "the client reconnects by itself, retry the command once it has"
        )
        self.server = server
        self.reason = reason


class TmuxCommandError(TmuxError):
    """tmux refused a command (its %error reply)."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"tmux refused {command!r}: {message or 'no reason given'}")
        self.command = command
        self.message = message


class PaneNotFoundError(TmuxCommandError):
    """The pane named no longer exists (closed, or its server restarted)."""

    def __init__(self, pane_id: str, command: str, message: str) -> None:
        super().__init__(command, message)
        self.pane_id = pane_id
        self.args = (
            f"tmux pane {pane_id} does not exist (closed, or its server restarted); "
            "list the panes again to find its successor",
        )


class TmuxTimeoutError(TmuxError, TimeoutError):
    """tmux did not answer within the timeout."""

    def __init__(self, command: str, timeout: float, server: str) -> None:
        super().__init__(
            f"tmux server {server} did not answer {command!r} within {timeout:g} s; "
            "it may be stopped or overloaded (check `ps` for a stopped tmux process). The "
            "command was sent and may still run when tmux catches up: check before resending"
        )
        self.command = command
        self.timeout = timeout


class ClientClosedError(TmuxError):
    """The control client was used while it was not running."""

    def __init__(self) -> None:
        super().__init__(
            "this tmux ControlClient is not running (not started yet, or stopped); start it "
            "with `async with client:` or `await client.start()`"
        )


class InvalidTargetError(TmuxError, ValueError):
    """A target that is not one of tmux's unique ids."""

    def __init__(self, kind: str, value: object, example: str) -> None:
        super().__init__(
            f"{value!r} is not a tmux {kind} id; use the unique id tmux prints "
            f"(like {example!r}), never a session:window.pane index"
        )
        self.value = value


class ServerLockedError(TmuxError):
    """Another live process holds yesman's lock for this tmux server (or pane)."""

    def __init__(self, key: str, holder: str, lock_path: str) -> None:
        super().__init__(
            f"another yesman already answers {key}: {holder}. Two would type every answer "
            "twice; stop that one first (kill its pid), or run this one read-only (without "
            f"answering). Lock file: {lock_path}"
        )
        self.key = key
        self.holder = holder
        self.lock_path = lock_path


class InvalidKeyError(TmuxError, ValueError):
    """A key name that send_keys refuses, because tmux would type it as text."""

    def __init__(self, key: object) -> None:
        super().__init__(
            f"{key!r} is not a single character or a tmux key name (such as 'Escape', 'Enter', "
            "'C-c', 'Up'); send text with send_literal() instead"
        )
        self.key = key
