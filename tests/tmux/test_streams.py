"""Subscriber streams: bounded, coalescing, never in anyone's way."""

from __future__ import annotations

import pytest

from yesman.tmux import ChangeStream, NotificationStream, PaneChanged, SessionAdded


def _change(pane: str, first: float, outputs: int = 1) -> PaneChanged:
    return PaneChanged(pane, first, first, first, outputs)


async def test_a_stream_that_is_not_read_holds_one_change_per_pane() -> None:
    closed: list[ChangeStream] = []
    stream = ChangeStream(None, closed.append)
    for i in range(1000):
        stream._put(_change(f"%{i % 3}", float(i)))
    assert stream.coalesced == 997
    got = [stream.get_nowait() for _ in range(3)]
    assert stream.get_nowait() is None
    assert {c.pane_id for c in got if c} == {"%0", "%1", "%2"}
    assert sum(c.outputs for c in got if c) == 1000
    assert min(c.first_output for c in got if c) == 0.0
    stream.close()
    assert closed == [stream]
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_a_pane_stream_ends_when_its_pane_closes() -> None:
    stream = ChangeStream("%1", lambda _s: None)
    stream._put(_change("%2", 1.0))  # other panes are not its business
    stream._put(_change("%1", 2.0))
    stream.pane_closed("%1")
    assert [c.first_output async for c in stream] == [2.0]


async def test_a_notification_stream_that_is_not_read_drops_the_oldest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = NotificationStream(3, lambda _s: None)
    for n in range(5):
        stream._put(SessionAdded(f"${n}", f"s{n}"))
    assert stream.dropped == 2
    assert "not reading" in caplog.text
    stream.close()
    assert [item async for item in stream] == [SessionAdded(f"${n}", f"s{n}") for n in (2, 3, 4)]
