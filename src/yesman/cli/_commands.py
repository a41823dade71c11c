"""Every command of the `yesman` CLI, registered on `app` by importing its module."""

from __future__ import annotations

from yesman.cli import (  # noqa: F401 (registration)
    _alerts,
    _audit,
    _baseline,
    _compare,
    _dashboard,
    _demo,
    _explain,
    _gates,
    _history,
    _hooks,
    _suggest,
    _watch,
)
from yesman.cli._app import app

__all__ = ["app"]
