"""The hook channel: agents ask yesman before they show a permission dialog.

Three parts, each in its own module:

* the hook (``yesman hook``, `run_hook`): what the agent runs; it passes the agent's input to
  the watcher of its tmux server over a Unix socket and prints the answer, or decides by itself
  when no watcher runs (configurable), and fails open on any error;
* the watcher's end: `HookServer` listens on the socket (`socket_for_server`) and hands each
  request to a `HookHandler` (the monitor's coordinator decides, records and answers);
* installing: `install_hook`, `uninstall_hook`, `hook_status` merge yesman's entry into an
  agent's settings file and take it out again, leaving everything else as it was.

The wire protocol is described in ``yesman.hooks._wire``, the socket's location in
``yesman.hooks._paths``. Agent-specific shapes (each agent's JSON, its settings files) live in
the agent's folder (``yesman.agents.claude``, ``yesman.agents.codex``) behind
:class:`~yesman.agents.AgentHook`.

Names are loaded on first use: the hook imports this package on its start-up path, which must
stay at the standard library's cost.
"""

from __future__ import annotations

import importlib

# Not `from typing import TYPE_CHECKING`: typing costs ~6 ms to import, and `yesman hook`
# (run before every permission dialog) passes through here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from yesman.hooks._client import main as run_hook
    from yesman.hooks._errors import (
        HookError,
        HookInstallError,
        HookSocketBusyError,
        HookSocketError,
    )
    from yesman.hooks._install import (
        HookLocation,
        InstallOutcome,
        hook_command,
        hook_pending_step,
        hook_status,
        install_hook,
        uninstall_hook,
    )
    from yesman.hooks._paths import hook_folder, socket_for_server, socket_from_env
    from yesman.hooks._ping import ping_watcher
    from yesman.hooks._server import HookAnswer, HookCall, HookHandler, HookServer

_LAZY = {
    "HookAnswer": ("yesman.hooks._server", "HookAnswer"),
    "HookCall": ("yesman.hooks._server", "HookCall"),
    "HookError": ("yesman.hooks._errors", "HookError"),
    "HookHandler": ("yesman.hooks._server", "HookHandler"),
    "HookInstallError": ("yesman.hooks._errors", "HookInstallError"),
    "HookLocation": ("yesman.hooks._install", "HookLocation"),
    "HookServer": ("yesman.hooks._server", "HookServer"),
    "HookSocketBusyError": ("yesman.hooks._errors", "HookSocketBusyError"),
    "HookSocketError": ("yesman.hooks._errors", "HookSocketError"),
    "InstallOutcome": ("yesman.hooks._install", "InstallOutcome"),
    "hook_command": ("yesman.hooks._install", "hook_command"),
    "hook_folder": ("yesman.hooks._paths", "hook_folder"),
    "hook_pending_step": ("yesman.hooks._install", "hook_pending_step"),
    "hook_status": ("yesman.hooks._install", "hook_status"),
    "install_hook": ("yesman.hooks._install", "install_hook"),
    "ping_watcher": ("yesman.hooks._ping", "ping_watcher"),
    "run_hook": ("yesman.hooks._client", "main"),
    "socket_for_server": ("yesman.hooks._paths", "socket_for_server"),
    "socket_from_env": ("yesman.hooks._paths", "socket_from_env"),
    "uninstall_hook": ("yesman.hooks._install", "uninstall_hook"),
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'yesman.hooks' has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value
    return value


__all__ = [
    "HookAnswer",
    "HookCall",
    "HookError",
    "HookHandler",
    "HookInstallError",
    "HookLocation",
    "HookServer",
    "HookSocketBusyError",
    "HookSocketError",
    "InstallOutcome",
    "hook_command",
    "hook_folder",
    "hook_pending_step",
    "hook_status",
    "install_hook",
    "ping_watcher",
    "run_hook",
    "socket_for_server",
    "socket_from_env",
    "uninstall_hook",
]
