"""Errors of the hook channel; each message says what went wrong and what to do::

    YesmanError
     └── HookError
          ├── HookSocketError      the watcher cannot listen (folder not private, cannot bind)
          │    └── HookSocketBusyError   another process already listens for this tmux server
          └── HookInstallError     a settings file yesman will not edit (unreadable, not JSON,
                                   an unexpected shape where the hook goes)

The hook itself (``yesman hook``) raises none of these to the agent: it fails open.
"""

from __future__ import annotations

from pathlib import Path

from yesman._errors import YesmanError

__all__ = ["HookError", "HookInstallError", "HookSocketBusyError", "HookSocketError"]


class HookError(YesmanError):
    """Base of the hook channel's errors."""


class HookSocketError(HookError):
    """The watcher cannot listen for hooks at ``path``."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class HookSocketBusyError(HookSocketError):
    """Another process (a second watcher of the same tmux server) listens at ``path``."""


class HookInstallError(HookError):
    """A settings file that yesman will not change; nothing was written."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path
