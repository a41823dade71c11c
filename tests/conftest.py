"""Shared fixtures: a private tmux server per test, killed at teardown."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest

from yesman.testing import PrivateTmuxServer


@pytest.fixture
def tmux_server() -> Iterator[PrivateTmuxServer]:
    """A tmux server on `-L yesman-test-<random>` with no sessions yet; killed afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    server = PrivateTmuxServer()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def run_tmux(tmux_server: PrivateTmuxServer) -> Callable[..., str]:
    """`run_tmux(*args)` runs one tmux command against the private server; its stdout."""
    return tmux_server.run
