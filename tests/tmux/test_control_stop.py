"""Stopping a ControlClient right after a command never raises (found through `yesman status`).

How it happened (src/yesman/tmux/_control.py): ``stop()`` marks the client STOPPED at once, but
the background tasks are cancelled only when ``_main`` next runs. A topology refresh that wakes
in that same loop iteration (its 5 ms fold-a-burst sleep ends) calls ``list_panes()``, whose
``command()`` raises ClientClosedError; ``_refresh_topology`` catches only
Disconnected/Timeout/Command errors, so the TaskGroup fails and ``stop()`` (``async with``'s
exit) re-raises it. `yesman status` runs ``async with ControlClient(...)`` for a few
milliseconds, right after attaching (when the topology loop is in that sleep), and crashed in
about one run in eight here.

The refresh now treats ClientClosedError as "stopping: nothing to refresh". The sweep below stops
the client 0 to 8 ms after a command, 160 times (about 2 s); before the fix it failed 5 to 10
times per sweep in six sweeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from yesman.testing import PrivateTmuxServer
from yesman.tmux import ControlClient

pytestmark = pytest.mark.tmux


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(prefix="yesman-stop") as server:
        server.run("new-session", "-d", "-s", "work", "sleep 600")
        yield server


async def test_stopping_right_after_a_command_never_raises(tmux: PrivateTmuxServer) -> None:
    failures: list[str] = []
    for step in range(160):
        try:
            async with ControlClient(tmux.server) as client:
                await client.list_panes()
                await asyncio.sleep(step * 0.00005)  # 0 to 8 ms: across the 5 ms topology sleep
        except* Exception as group:
            failures += [repr(exc) for exc in group.exceptions]
    assert failures == []
