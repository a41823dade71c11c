"""The shared lifecycle helper: start with a readiness handshake, stop, start again."""

from __future__ import annotations

import asyncio

import pytest

from yesman._lifecycle import Runner


async def test_start_returns_once_ready_and_stop_ends_the_body() -> None:
    stop = asyncio.Event()
    log: list[str] = []

    async def body(ready: asyncio.Event) -> None:
        log.append("setup")
        ready.set()
        await stop.wait()
        log.append("teardown")

    runner = Runner("test")
    assert await runner.start(body) is True
    assert runner.running
    assert log == ["setup"]
    assert await runner.start(body) is False  # already running: nothing new
    await runner.stop(stop.set)
    assert log == ["setup", "teardown"]
    assert runner.task is None
    await runner.stop(stop.set)  # idempotent


async def test_a_start_up_failure_is_raised_by_start() -> None:
    async def body(ready: asyncio.Event) -> None:
        raise ConnectionError("no server")

    runner = Runner("test")
    with pytest.raises(ConnectionError, match="no server"):
        await runner.start(body)
    assert not runner.running


async def test_a_stopped_runner_starts_again() -> None:
    runs = 0
    stop = asyncio.Event()

    async def body(ready: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        ready.set()
        await stop.wait()

    runner = Runner("test")
    for _ in range(3):
        stop.clear()
        await runner.start(body)
        await runner.stop(stop.set)
    assert runs == 3


async def test_a_body_that_ignores_the_signal_is_cancelled_after_the_timeout() -> None:
    cancelled = asyncio.Event()

    async def body(ready: asyncio.Event) -> None:
        ready.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    runner = Runner("test")
    await runner.start(body)
    await asyncio.wait_for(runner.stop(lambda: None, timeout=0.05), timeout=5)
    assert cancelled.is_set()
