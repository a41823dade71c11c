"""Real HTTP receivers on loopback ports for the alert sinks, and a webhook that never answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from support.http_receiver import Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = serve()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A URL whose port accepts connections (the kernel does) but never answers a request."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    finally:
        sock.close()
