"""Where the audit database lives by default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["default_db_path"]


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/yesman/yesman.db``, else ``~/.local/share/yesman/yesman.db``.

    A relative ``XDG_DATA_HOME`` is ignored, as the XDG base directory spec requires.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        base = Path(xdg)
    else:
        home = env.get("HOME") or str(Path.home())
        base = Path(home) / ".local" / "share"
    return base / "yesman" / "yesman.db"
