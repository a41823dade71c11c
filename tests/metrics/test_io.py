"""Bytes are charged to the component whose code moved them."""

from __future__ import annotations

import asyncio
import sys

import pytest

from yesman.metrics import ComponentTracker, count_io, counted_pipes

MIB = 1024 * 1024


async def test_bytes_through_a_real_subprocess_pipe_are_charged_to_the_writer() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; sys.stdout.write(str(len(sys.stdin.buffer.read())))",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    pipes = counted_pipes(proc)
    assert pipes.stdin is not None
    assert pipes.stdout is not None
    assert pipes.stderr is None
    async with ComponentTracker() as tracker:

        async def writer() -> None:
            assert pipes.stdin is not None
            async with tracker.track("writer"):
                for _ in range(16):
                    pipes.stdin.write(b"x" * (MIB // 16))
                    await pipes.stdin.drain()
                pipes.stdin.close()
                await pipes.stdin.wait_closed()

        async def bystander() -> None:
            async with tracker.track("bystander"):
                await asyncio.sleep(0.01)

        async with asyncio.TaskGroup() as tg:
            tg.create_task(writer())
            tg.create_task(bystander())

        async def reader() -> bytes:
            assert pipes.stdout is not None
            async with tracker.track("reader"):
                return await pipes.stdout.read()

        echoed = await asyncio.create_task(reader())
        await proc.wait()
        metrics = tracker.get_component_metrics()

    assert echoed == str(MIB).encode()
    assert metrics["writer"].bytes_sent == MIB
    assert metrics["writer"].bytes_received == 0
    assert metrics["writer"].network_operations == 1
    # 1 MiB over the operation's wall time.
    assert metrics["writer"].throughput_mbps == pytest.approx(
        1000.0 / metrics["writer"].average_ms, rel=0.01
    )
    assert metrics["bystander"].bytes_sent == metrics["bystander"].bytes_received == 0
    assert metrics["reader"].bytes_received == len(echoed)
    assert pipes.stdin.bytes_sent == MIB


def test_count_io_charges_the_open_operation_and_nothing_outside() -> None:
    tracker = ComponentTracker()
    assert count_io(sent=10) is False
    with tracker.track("outer"), tracker.track("inner"):
        assert count_io(sent=100, received=5) is True
    m = tracker.get_component_metrics()
    assert (m["inner"].bytes_sent, m["inner"].bytes_received) == (100, 5)
    # Nested operations are charged inclusively.
    assert m["outer"].bytes_sent == 100


def test_tracker_count_io_names_a_component() -> None:
    tracker = ComponentTracker()
    with tracker.track("a"):
        tracker.count_io("b", received=7)  # no open "b": straight to its totals
        tracker.count_io("a", sent=3)
    m = tracker.get_component_metrics()
    assert m["a"].bytes_sent == 3
    assert m["b"].bytes_received == 7
    with pytest.raises(ValueError, match="sent"):
        tracker.count_io("a", sent=-1)


async def test_host_network_figures_see_traffic_no_component_moved() -> None:
    # 4 MiB over loopback: the host's counters (which include lo) see it, no component does.
    tracker = ComponentTracker(["bystander"])
    received = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(4 * MIB)
        received.set()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tracker._measure_network_io_delta()  # starts the interval
    async with server:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"x" * (4 * MIB))
        await writer.drain()
        await received.wait()
        writer.close()
        await writer.wait_closed()
    delta = tracker._measure_network_io_delta()
    assert delta.host_bytes_sent >= 4 * MIB
    assert delta.host_bytes_received >= 4 * MIB
    assert delta.host_throughput_mbps * delta.interval_seconds >= 8.0
    assert tracker.get_component_metrics()["bystander"].bytes_sent == 0
