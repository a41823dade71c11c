"""yesman.tmux: a push-driven asyncio client for tmux servers.

`ControlClient` keeps control-mode connections (`tmux -C`) to one server, turns `%output` into
debounced `PaneChanged` values, reports sessions and panes appearing, closing, dying and being
renamed, reconnects with backoff when the server dies, and runs commands (capture, send-keys)
over the same pipes, and can mute the output of panes that are not agents (`mute_output`).
`process_tree()` tells what runs inside a pane. `ServerLock` makes sure only one process answers
on a server. Panes are named by their unique id (`%3`), never by `session:window.pane` indices.

    async with ControlClient(TmuxServer(socket_name="work")) as tmux:
        for pane in await tmux.list_panes():
            ...
        async for change in tmux.changes():      # debounced: one per burst of output
            screen = await tmux.capture_pane(change.pane_id)
            await tmux.send_keys(change.pane_id, "1")
"""

from yesman.tmux._changes import DebounceConfig
from yesman.tmux._commands import check_key, check_pane_id, quote
from yesman.tmux._config import ControlConfig, ControlStats
from yesman.tmux._control import ControlClient
from yesman.tmux._errors import (
    ClientClosedError,
    InvalidKeyError,
    InvalidTargetError,
    PaneNotFoundError,
    ServerLockedError,
    TmuxCommandError,
    TmuxDisconnectedError,
    TmuxError,
    TmuxNotASocketError,
    TmuxNotInstalledError,
    TmuxServerNotRunningError,
    TmuxTimeoutError,
)
from yesman.tmux._lock import LockHolder, ServerLock
from yesman.tmux._notifications import (
    Notification,
    OutputPaused,
    PaneAdded,
    PaneChanged,
    PaneClosed,
    PaneCommandChanged,
    PaneDied,
    ServerConnected,
    ServerDisconnected,
    SessionAdded,
    SessionClosed,
    SessionRenamed,
)
from yesman.tmux._panes import PaneInfo
from yesman.tmux._process import ProcessInfo, find_in_tree, process_tree, process_trees
from yesman.tmux._server import TmuxServer
from yesman.tmux._streams import ChangeStream, NotificationStream

__all__ = [
    "ChangeStream",
    "ClientClosedError",
    "ControlClient",
    "ControlConfig",
    "ControlStats",
    "DebounceConfig",
    "InvalidKeyError",
    "InvalidTargetError",
    "LockHolder",
    "Notification",
    "NotificationStream",
    "OutputPaused",
    "PaneAdded",
    "PaneChanged",
    "PaneClosed",
    "PaneCommandChanged",
    "PaneDied",
    "PaneInfo",
    "PaneNotFoundError",
    "ProcessInfo",
    "ServerConnected",
    "ServerDisconnected",
    "ServerLock",
    "ServerLockedError",
    "SessionAdded",
    "SessionClosed",
    "SessionRenamed",
    "TmuxCommandError",
    "TmuxDisconnectedError",
    "TmuxError",
    "TmuxNotASocketError",
    "TmuxNotInstalledError",
    "TmuxServer",
    "TmuxServerNotRunningError",
    "TmuxTimeoutError",
    "check_key",
    "check_pane_id",
    "find_in_tree",
    "process_tree",
    "process_trees",
    "quote",
]
