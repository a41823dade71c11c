"""Where a watcher listens for hooks: one Unix socket per tmux server, in a private folder.

The socket lives beside yesman's server locks: ``$XDG_RUNTIME_DIR/yesman/`` (per user, on a
tmpfs, emptied at logout) when that names an absolute folder, else ``/tmp/yesman-UID/``. The
folder must be a directory owned by the user and writable by nobody else; the watcher creates it
0700 and refuses one that is not private, and the hook refuses to talk through one, so no other
user can listen in place of the watcher or reach it.

One socket per **tmux server**, named after the server's resolved socket path (the key
``ServerLock`` uses): ``hook-<20 hex digits of its SHA-256>.sock``. A hook finds it from
``$TMUX``, which tmux sets in every pane (``<socket path>,<server pid>,<session>``). Per server
rather than per user, because a pane id (``$TMUX_PANE``, ``%3``) only means something on its own
server, and at most one watcher answers on a server (its ``ServerLock``): two watchers of two
servers never compete for one socket, and an agent outside tmux has no watcher to ask.

The hook imports this on its start-up path, so it uses ``os.path`` strings rather than pathlib
(whose import pulls in urllib and ipaddress, ~3 ms) and hashes with the interpreter's built-in
SHA-256 rather than hashlib's OpenSSL binding (~2 ms).
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # not typing's: ~6 ms on the hook's start-up path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from hashlib import sha256
else:  # the built-in SHA-256 module: _sha256 up to Python 3.11, _sha2 since 3.12
    try:
        from _sha256 import sha256
    except ImportError:
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

__all__ = [
    "folder_problem",
    "hook_folder",
    "server_key",
    "socket_for_server",
    "socket_from_env",
    "tmux_socket_from_env",
]


def hook_folder(environ: Mapping[str, str] | None = None) -> str:
    """``$XDG_RUNTIME_DIR/yesman`` when that names an absolute folder, else
    ``/tmp/yesman-UID`` (not created here)."""
    env = os.environ if environ is None else environ
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return os.path.join(runtime, "yesman")
    return f"/tmp/yesman-{os.getuid()}"


def folder_problem(folder: str | os.PathLike[str]) -> str | None:
    """Why ``folder`` must not carry a hook socket (None: it is a private folder of ours).

    Raises FileNotFoundError when it does not exist.
    """
    folder = os.fspath(folder)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if info.st_uid != os.getuid():
        return f"{folder} belongs to uid {info.st_uid}, not to uid {os.getuid()}"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{folder} is writable by other users"
    return None


def server_key(tmux_socket: str | os.PathLike[str]) -> str:
    """What identifies a tmux server: its socket file's resolved path (as ``ServerLock``)."""
    return os.path.realpath(os.fspath(tmux_socket))


def socket_for_server(
    tmux_socket: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None
) -> str:
    """The hook socket of the tmux server whose socket file is ``tmux_socket``."""
    digest = sha256(server_key(tmux_socket).encode("utf-8", "surrogateescape")).hexdigest()
    base = hook_folder() if folder is None else os.fspath(folder)
    return os.path.join(base, f"hook-{digest[:20]}.sock")


def tmux_socket_from_env(environ: Mapping[str, str]) -> str | None:
    """The tmux server's socket path from ``$TMUX`` (None outside tmux)."""
    # "<socket path>,<server pid>,<session index>"; the path itself may hold commas.
    parts = environ.get("TMUX", "").rsplit(",", 2)
    if len(parts) != 3 or not parts[0]:
        return None
    return parts[0]


def socket_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The hook socket for the tmux server named by ``$TMUX``, None outside tmux."""
    env = os.environ if environ is None else environ
    tmux = tmux_socket_from_env(env)
    return None if tmux is None else socket_for_server(tmux, hook_folder(env))
