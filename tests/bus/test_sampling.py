"""The periodic loop behind the bus's metrics reports, and the drain-rate arithmetic."""

from __future__ import annotations

import asyncio
import logging
import math

import pytest

from yesman.bus._sampling import DepthSampler, every


async def test_a_failing_job_is_logged_and_run_again(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first report broke")

    with caplog.at_level(logging.ERROR, logger="yesman.bus"):
        task = asyncio.create_task(every(lambda: 0.01, asyncio.Event(), job))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(calls) >= 3, "the loop must outlive a failing job"
    assert any("first report broke" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_a_shorter_interval_takes_effect_at_once() -> None:
    interval = [60.0]
    changed = asyncio.Event()
    ran = asyncio.Event()
    task = asyncio.create_task(every(lambda: interval[0], changed, ran.set))
    await asyncio.sleep(0.02)
    assert not ran.is_set()
    interval[0] = 0.01
    changed.set()
    await asyncio.wait_for(ran.wait(), timeout=1.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_zero_interval_pauses_the_job() -> None:
    ran: list[int] = []
    task = asyncio.create_task(every(lambda: 0.0, asyncio.Event(), lambda: ran.append(1)))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ran == []


def test_drain_rate_spans_the_window_and_backlog_follows() -> None:
    s = DepthSampler(history_size=3, window=2.0)
    s.restart(now=0.0, processed=0)
    for t in range(1, 6):
        s.sample(now=float(t), depth=10 * t, processed=100 * t)
    assert s.history == (30, 40, 50)
    assert s.drain_rate(now=5.0, processed=500) == pytest.approx(100.0)
    assert DepthSampler.backlog_ms(50, 100.0) == pytest.approx(500.0)
    assert DepthSampler.backlog_ms(0, 0.0) == 0.0
    assert math.isinf(DepthSampler.backlog_ms(5, 0.0))
