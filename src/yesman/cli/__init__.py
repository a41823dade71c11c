"""The `yesman` command: a thin layer that parses arguments and calls the library.

Each command lives in its own module and registers itself on `app` (``_commands`` imports them
all). They are imported inside `main()`, so a Ctrl-C while they load (about half a second) ends
the program with a one-line message rather than a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yesman.cli._commands import app

__all__ = ["app", "main"]

_EXIT_INTERRUPTED = 130  # what shells report for a program ended by SIGINT


def main() -> None:
    """Entry point of the `yesman` console script."""
    try:
        from yesman.cli._commands import app  # noqa: PLC0415 (see the module docstring)

        app()
    except KeyboardInterrupt:
        sys.stderr.write("yesman: interrupted\n")
        raise SystemExit(_EXIT_INTERRUPTED) from None


def __getattr__(name: str) -> Any:
    if name == "app":
        from yesman.cli._commands import app  # noqa: PLC0415

        return app
    raise AttributeError(f"module 'yesman.cli' has no attribute {name!r}")
