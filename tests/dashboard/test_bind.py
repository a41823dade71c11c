"""`--http [HOST:]PORT`: parsing, the loopback rule, and a taken port."""

from __future__ import annotations

import socket

import pytest

from yesman.dashboard import Bind, BindError, parse_bind


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        pytest.param("8765", "127.0.0.1", 8765, id="port-only"),
        pytest.param("0", "127.0.0.1", 0, id="any-free-port"),
        pytest.param("localhost:9000", "localhost", 9000, id="name"),
        pytest.param("0.0.0.0:80", "0.0.0.0", 80, id="all-v4"),
        pytest.param("[::1]:8765", "::1", 8765, id="ipv6"),
        pytest.param(" 127.0.0.2:1 ", "127.0.0.2", 1, id="spaces"),
    ],
)
def test_parse(text: str, host: str, port: int) -> None:
    assert parse_bind(text) == Bind(host, port)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("http", "not a port number", id="word"),
        pytest.param("70000", "between 0 and 65535", id="too-big"),
        pytest.param(":80", "host before ':' is empty", id="empty-host"),
        pytest.param("::1:80", "[ADDRESS]:PORT", id="bare-ipv6"),
        pytest.param("[::1]80", "[ADDRESS]:PORT", id="ipv6-without-colon"),
    ],
)
def test_parse_errors_say_what_to_write(text: str, says: str) -> None:
    with pytest.raises(BindError, match=says.replace("[", r"\[").replace("]", r"\]")):
        parse_bind(text)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("myhost.example", False),
    ],
)
def test_only_loopback_is_allowed_without_allow_remote(host: str, loopback: bool) -> None:
    bind = Bind(host, 8765)
    assert bind.loopback is loopback
    bind.check(allow_remote=True)
    if loopback:
        bind.check(allow_remote=False)
    else:
        with pytest.raises(BindError, match="--allow-remote"):
            bind.check(allow_remote=False)


def test_a_taken_port_is_a_clear_error() -> None:
    first = Bind("127.0.0.1", 0).socket()
    try:
        taken = first.getsockname()[1]
        with pytest.raises(BindError, match=f"127.0.0.1:{taken}.*pick another port"):
            Bind("127.0.0.1", taken).socket()
    finally:
        first.close()


def test_socket_listens() -> None:
    sock = Bind("127.0.0.1", 0).socket()
    try:
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    finally:
        sock.close()
