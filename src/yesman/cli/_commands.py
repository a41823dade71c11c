"""Every command of the `yesman` CLI, registered on `app` by importing its module."""

from __future__ import annotations

from yesman.cli import _audit, _demo, _explain, _history, _watch  # noqa: F401 (registration)
from yesman.cli._app import app

__all__ = ["app"]
