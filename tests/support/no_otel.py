"""Running Python as on a machine without yesman's ``otel`` extra, whether or not this one has it.

An import hook in the child process refuses every ``opentelemetry`` module.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Final

__all__ = ["WITHOUT_OTEL", "run_without_otel"]

WITHOUT_OTEL: Final = textwrap.dedent(
    """
    import sys

    class NoOpenTelemetry:
        def find_spec(self, name, path=None, target=None):
            if name == "opentelemetry" or name.startswith("opentelemetry."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoOpenTelemetry())
    """
)
"""Python source that makes the rest of a script run as if the extra were not installed."""


def run_without_otel(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `script` (dedented) with `args` in a child Python that cannot import OpenTelemetry."""
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_OTEL + textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
