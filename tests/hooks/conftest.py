"""Fixtures: a hook socket in a private runtime folder per test, and a watcher answering on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hooks._rig import Handler, Place
from yesman.hooks import HookServer


@pytest.fixture
def place(tmp_path: Path) -> Place:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    return Place(runtime, str(tmp_path / "tmux-socket"))


@pytest.fixture
async def watcher(place: Place) -> AsyncIterator[tuple[HookServer, Handler]]:
    handler = Handler()
    async with HookServer(place.socket, handler, describe="test watcher") as server:
        yield server, handler
