"""Memory readings: the process's resident set size, cheaply, and the opt-in tracemalloc figures.

On Linux the RSS comes from ``/proc/self/statm`` through a file descriptor opened once and read with
``pread`` (one system call, ~1-3 us), instead of ``psutil.Process().memory_info()`` (~10-20 us).
Elsewhere psutil is used.

RSS is page-granular and counts memory the allocator keeps for reuse, so a per-operation delta shows
memory that became resident while the operation ran (large buffers, new arenas), not every Python
object created. The opt-in tracemalloc mode adds net traced bytes and net allocated blocks per
operation; it slows allocation-heavy code by about 3x to 30x, so keep it for investigations.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import tracemalloc
from collections.abc import Sequence

import psutil

__all__ = [
    "MB",
    "RssReader",
    "allocated_blocks",
    "looks_like_leak",
    "resident_pages",
    "traced_bytes",
]

logger = logging.getLogger(__name__)

_pread = os.pread

MB = 1024 * 1024
"""Bytes in the "MB" used throughout yesman.metrics (a mebibyte)."""


class RssReader:
    """Reads the current RSS in bytes. Keeps ``/proc/self/statm`` open; call `close` when done."""

    __slots__ = ("_fd", "_page_size", "_process")

    def __init__(self) -> None:
        self._page_size = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._process: psutil.Process | None = None
        try:
            self._fd: int | None = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._fd = None
            self._process = psutil.Process()

    def pages(self) -> int:
        """Resident pages now (or bytes // page size when psutil is the source)."""
        fd = self._fd
        if fd is not None:
            return int(_pread(fd, 96, 0).split(b" ", 2)[1])
        return self._psutil_pages()

    def statm(self) -> bytes:
        """The ``/proc/self/statm`` line as read: ``size resident shared ...`` in pages.

        Span boundaries keep the line unparsed: two equal lines mean an unchanged RSS, and parsing
        (`resident_pages`) adds about a quarter to the cost of the read. Where statm cannot be
        read, a line with psutil's figure in the resident position.
        """
        fd = self._fd
        if fd is not None:
            return _pread(fd, 96, 0)
        return b"0 %d" % self._psutil_pages()

    def _psutil_pages(self) -> int:
        assert self._process is not None
        return int(self._process.memory_info().rss) // self._page_size

    @property
    def page_size(self) -> int:
        return self._page_size

    def rss_bytes(self) -> int:
        return self.pages() * self._page_size

    def close(self) -> None:
        """Release the file descriptor. Idempotent; later reads fall back to psutil."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
            self._process = psutil.Process()

    def __del__(self) -> None:
        # A reader dropped without close() must not leak its descriptor.
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


def resident_pages(statm: bytes) -> int:
    """The resident pages in a line from `RssReader.statm` (fields are single-space separated)."""
    return int(statm.split(b" ", 2)[1])


def traced_bytes() -> int:
    """Bytes currently traced by tracemalloc, or 0 when it is not tracing."""
    return tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0


def allocated_blocks() -> int:
    """Memory blocks currently allocated by the interpreter (``sys.getallocatedblocks``)."""
    return sys.getallocatedblocks()


def looks_like_leak(deltas_mb: Sequence[float], *, min_samples: int, threshold_mb: float) -> bool:
    """True when retained memory keeps growing across the window of per-operation deltas.

    Growth must reach ``threshold_mb`` over the window and be spread over it: each half of the
    window must itself retain at least a quarter of the threshold. A single large allocation that
    is kept (one step, then flat) and memory that is freed again (deltas cancelling) are not leaks.
    """
    if len(deltas_mb) < max(min_samples, 2):
        return False
    half = len(deltas_mb) // 2
    first = math.fsum(deltas_mb[:half])
    second = math.fsum(deltas_mb[half:])
    return first + second >= threshold_mb and min(first, second) >= threshold_mb / 4.0
