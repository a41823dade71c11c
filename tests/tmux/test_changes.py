"""Debouncing %output into PaneChanged."""

from __future__ import annotations

import asyncio
import sys

import pytest

from yesman.testing import PrivateTmuxServer
from yesman.tmux import ControlClient, ControlConfig, DebounceConfig, PaneChanged
from yesman.tmux._changes import ChangeDebouncer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _debouncer(
    quiet: float = 0.03, cap: float = 0.15
) -> tuple[ChangeDebouncer, FakeClock, list[PaneChanged]]:
    clock = FakeClock()
    out: list[PaneChanged] = []
    return ChangeDebouncer(out.append, DebounceConfig(quiet, cap), clock), clock, out


def test_a_burst_is_released_once_after_the_quiet_period() -> None:
    debouncer, clock, out = _debouncer()
    for _ in range(50):
        debouncer.mark("%1")
        clock.now += 0.001
    assert debouncer.release_due() == pytest.approx(clock.now - 0.001 + 0.03)
    assert out == []
    clock.now += 0.03
    assert debouncer.release_due() is None
    (change,) = out
    assert (change.pane_id, change.outputs) == ("%1", 50)
    assert change.first_output == 100.0
    assert change.released == clock.now


def test_constant_output_is_still_released_at_the_max_delay() -> None:
    debouncer, clock, out = _debouncer(quiet=0.03, cap=0.15)
    for _ in range(100):  # a spinner redrawing every 10 ms never goes quiet for 30 ms
        debouncer.mark("%1")
        debouncer.release_due()
        clock.now += 0.01
    assert len(out) in (6, 7)  # one per 150 ms over one second
    assert all(change.released - change.first_output <= 0.15 + 1e-9 for change in out)


def test_panes_are_independent_and_forget_drops_pending() -> None:
    debouncer, clock, out = _debouncer()
    debouncer.mark("%1")
    debouncer.mark("%2")
    debouncer.forget("%2")
    clock.now += 1
    debouncer.release_due()
    assert [c.pane_id for c in out] == ["%1"]


def test_bad_debounce_config_is_refused() -> None:
    with pytest.raises(ValueError, match="quiet <= max_delay"):
        DebounceConfig(quiet=0.2, max_delay=0.1)


@pytest.mark.tmux
async def test_a_burst_of_1000_lines_costs_few_changes(tmux_server: PrivateTmuxServer) -> None:
    script = "import sys, time\ninput()\nfor i in range(1000): print('line', i, flush=True)\n"
    pane = tmux_server.new_session("burst", [sys.executable, "-c", script + "time.sleep(60)"])
    config = ControlConfig(debounce=DebounceConfig(quiet=0.05, max_delay=0.5))
    async with ControlClient(tmux_server.server, config) as client:
        stream = client.changes(pane)
        await asyncio.sleep(0.2)  # let the initial "capture me" change and python start settle
        while stream.get_nowait() is not None:
            pass
        await client.send_keys(pane, "Enter")
        changes: list[PaneChanged] = []
        async with asyncio.timeout(10):
            while "line 999" not in await client.capture_pane(pane):
                changes.append(await anext(stream))
        outputs = sum(c.outputs for c in changes)
        assert len(changes) <= 6  # a handful of changes (captures) for the whole burst ...
        assert outputs > len(changes)  # ... each folding several %output notifications


@pytest.mark.tmux
async def test_slow_subscriber_does_not_hold_back_a_fast_one(
    tmux_server: PrivateTmuxServer,
) -> None:
    pane = tmux_server.new_session("two-readers")
    async with ControlClient(tmux_server.server) as client:
        slow = client.changes()  # never read
        fast = client.changes(pane)
        for n in range(5):
            await client.send_literal(pane, f"x{n}\n")
            async with asyncio.timeout(2):
                change = await anext(fast)
            assert change.pane_id == pane
        assert slow.get_nowait() is not None
        assert slow.get_nowait() is None  # everything folded into one pending change
