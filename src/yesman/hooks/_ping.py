"""Asking a watcher whether it answers hooks (for ``yesman hooks status``)."""

from __future__ import annotations

import os
import time

from yesman.hooks import _client, _wire
from yesman.hooks._paths import folder_problem

__all__ = ["ping_watcher"]


def ping_watcher(path: str | os.PathLike[str], timeout: float = 2.0) -> tuple[bool, str]:
    """(answers, what it said or why not) for the hook socket at ``path``. Blocking."""
    try:
        problem = folder_problem(os.path.dirname(path))
    except FileNotFoundError:
        return False, f"no watcher has listened here ({os.path.dirname(path)} does not exist)"
    if problem is not None:
        return False, f"{problem}; the hook refuses to use it"
    header = _wire.encode_header(op="ping", agent="", env={}, length=0, sent=time.time())
    try:
        status, _, detail = _client.exchange(path, header, timeout)
    except Exception as exc:  # _NoWatcher and _Failed say why in their message
        return False, str(exc)
    if status != "pong":
        return False, f"the watcher answered {status}: {detail}"
    return True, detail
