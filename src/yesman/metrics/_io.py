"""Counting the bytes a component moves, where they pass.

`CountedStreamReader` and `CountedStreamWriter` wrap asyncio streams (sockets, subprocess pipes) and
charge every byte to the operations open in the *caller's* context when the bytes are read or
handed over for writing. `count_io` does the same for anything else (a custom protocol, an HTTP
client's response size). Bytes moved while no operation is open are counted on the wrapper only.

`host_network_delta` reads the host's NIC counters; those are machine-wide figures, labelled so,
and are never charged to a component.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psutil

from yesman.metrics._span import charge_io

__all__ = [
    "CountedPipes",
    "CountedStreamReader",
    "CountedStreamWriter",
    "HostNetworkDelta",
    "HostNetworkSampler",
    "count_io",
    "counted_pipes",
]


def count_io(*, sent: int = 0, received: int = 0) -> bool:
    """Charge ``sent``/``received`` bytes to the operations open in this context.

    Returns False (and charges nothing) when no tracked operation is open.
    """
    if sent < 0 or received < 0:
        raise ValueError(f"byte counts cannot be negative (sent={sent!r}, received={received!r})")
    return charge_io(sent, received)


class CountedStreamReader:
    """An `asyncio.StreamReader` wrapper that charges the bytes it returns."""

    __slots__ = ("bytes_received", "reader")

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader
        self.bytes_received = 0

    def _got(self, data: bytes) -> bytes:
        if data:
            self.bytes_received += len(data)
            charge_io(0, len(data))
        return data

    async def read(self, n: int = -1) -> bytes:
        return self._got(await self.reader.read(n))

    async def readline(self) -> bytes:
        return self._got(await self.reader.readline())

    async def readexactly(self, n: int) -> bytes:
        try:
            return self._got(await self.reader.readexactly(n))
        except asyncio.IncompleteReadError as exc:
            self._got(exc.partial)
            raise

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        return self._got(await self.reader.readuntil(separator))

    def at_eof(self) -> bool:
        return self.reader.at_eof()

    def __aiter__(self) -> CountedStreamReader:
        return self

    async def __anext__(self) -> bytes:
        line = await self.readline()
        if not line:
            raise StopAsyncIteration
        return line


class CountedStreamWriter:
    """An `asyncio.StreamWriter` wrapper that charges the bytes handed to it."""

    __slots__ = ("bytes_sent", "writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.bytes_sent = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writer.write(data)
        size = memoryview(data).nbytes
        self.bytes_sent += size
        charge_io(size, 0)

    def writelines(self, data: Iterable[bytes | bytearray | memoryview]) -> None:
        for chunk in data:
            self.write(chunk)

    async def drain(self) -> None:
        await self.writer.drain()

    def can_write_eof(self) -> bool:
        return self.writer.can_write_eof()

    def write_eof(self) -> None:
        self.writer.write_eof()

    def close(self) -> None:
        self.writer.close()

    def is_closing(self) -> bool:
        return self.writer.is_closing()

    async def wait_closed(self) -> None:
        await self.writer.wait_closed()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.writer.get_extra_info(name, default)


@dataclass(frozen=True, slots=True)
class CountedPipes:
    """Counted views of a subprocess's pipes (None where the pipe was not requested)."""

    stdin: CountedStreamWriter | None
    stdout: CountedStreamReader | None
    stderr: CountedStreamReader | None


def counted_pipes(process: asyncio.subprocess.Process) -> CountedPipes:
    """Counted wrappers for the pipes of a process from ``asyncio.create_subprocess_exec``.

    Use them instead of ``process.communicate()``, which reads the raw pipes and counts nothing.
    """
    return CountedPipes(
        stdin=CountedStreamWriter(process.stdin) if process.stdin is not None else None,
        stdout=CountedStreamReader(process.stdout) if process.stdout is not None else None,
        stderr=CountedStreamReader(process.stderr) if process.stderr is not None else None,
    )


@dataclass(frozen=True, slots=True)
class HostNetworkDelta:
    """Machine-wide NIC traffic since the previous reading: host figures, not any component's."""

    host_bytes_sent: int
    host_bytes_received: int
    interval_seconds: float

    @property
    def host_throughput_mbps(self) -> float:
        """Host send+receive rate in MB/s (2**20 bytes) over the interval."""
        if self.interval_seconds <= 0.0:
            return 0.0
        return (self.host_bytes_sent + self.host_bytes_received) / self.interval_seconds / 1048576.0


class HostNetworkSampler:
    """Differences of ``psutil.net_io_counters()`` between calls (~30-120 us each; call rarely)."""

    def __init__(self) -> None:
        self._last = self._read()

    @staticmethod
    def _read() -> tuple[int, int, float]:
        # typeshed says it always returns counters; psutil returns None when no NIC is visible.
        counters: Any = psutil.net_io_counters()
        now = time.monotonic()
        if counters is None:  # no NICs visible (some containers)
            return (0, 0, now)
        return (int(counters.bytes_sent), int(counters.bytes_recv), now)

    def delta(self) -> HostNetworkDelta:
        current = self._read()
        sent0, recv0, t0 = self._last
        self._last = current
        return HostNetworkDelta(
            host_bytes_sent=max(0, current[0] - sent0),
            host_bytes_received=max(0, current[1] - recv0),
            interval_seconds=current[2] - t0,
        )
