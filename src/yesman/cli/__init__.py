"""The `yesman` command: a thin layer that parses arguments and calls the library.

Each command lives in its own module and registers itself on `app`; importing them here is what
makes them part of the command line.
"""

from __future__ import annotations

# Importing a command module registers its command(s) on `app`.
from yesman.cli import _audit, _demo, _explain, _watch  # noqa: F401
from yesman.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `yesman` console script."""
    app()
