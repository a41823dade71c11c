"""The `yesman` command: a thin layer that parses arguments and calls the library.

Each command lives in its own module and registers itself on `app`; importing them here is what
makes them part of the command line.
"""

from __future__ import annotations

from yesman.cli._app import app
from yesman.cli import _demo  # noqa: F401  (registers `yesman demo`)

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `yesman` console script."""
    app()
