"""`yesman demo`: placeholder replaced below."""
from __future__ import annotations

from yesman.cli._app import app


@app.command()
def demo() -> None:
    """Show yesman at work."""
