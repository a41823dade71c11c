"""The `yesman` command: a thin layer that parses arguments and calls the library.

Each command lives in its own module and registers itself on `app` (``_commands`` imports them
all). They are imported inside `main()`, so a Ctrl-C while they load (about half a second) ends
the program with a one-line message rather than a traceback. `yesman hook` skips them: an agent
runs it before every permission dialog, so it loads only ``yesman.hooks._client``.
"""

from __future__ import annotations

import sys

# Not `from typing import TYPE_CHECKING`: typing costs ~6 ms to import, and `yesman hook`
# (run before every permission dialog) passes through here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from yesman.cli._commands import app

__all__ = ["app", "main"]

_EXIT_INTERRUPTED = 130  # what shells report for a program ended by SIGINT


def main() -> None:
    """Entry point of the `yesman` console script."""
    if sys.argv[1:2] == ["hook"]:
        # What an agent runs before each permission dialog: it must start in milliseconds, so
        # it takes this path past the command-line framework (see yesman.hooks._client).
        from yesman.hooks._client import main as hook  # noqa: PLC0415

        raise SystemExit(hook(sys.argv[2:]))
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
