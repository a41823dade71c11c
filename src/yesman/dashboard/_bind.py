"""Where the dashboard listens: ``[HOST:]PORT``, loopback unless the user allows otherwise.

Anyone who can reach the port and holds the token can answer the agents' dialogs, so the default
is 127.0.0.1 and an address other hosts can reach must be asked for (``--allow-remote``).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from yesman.dashboard._errors import BindError

__all__ = ["DEFAULT_HOST", "Bind", "parse_bind"]

DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Bind:
    """A host (name or literal address) and a TCP port (0: any free port)."""

    host: str
    port: int

    @property
    def loopback(self) -> bool:
        """True when only this machine can connect (127.0.0.0/8, ::1 or ``localhost``)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # another host name: it may resolve to anything

    def check(self, *, allow_remote: bool) -> None:
        """Refuse an address other machines can reach unless `allow_remote`."""
        if not self.loopback and not allow_remote:
            raise BindError(
                f"--http {self.host}:{self.port} would let other machines reach the dashboard "
                "(and answer your agents' dialogs with the token); add --allow-remote if that "
                f"is what you want, or use {DEFAULT_HOST}"
            )

    def socket(self) -> socket.socket:
        """A listening socket on this address (port 0 picks a free port)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
            family = infos[0][0]
        except OSError as exc:
            raise BindError(
                f"--http {self.host}: cannot resolve that host ({exc.strerror or exc}); "
                f"give an address such as {DEFAULT_HOST}"
            ) from exc
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            raise BindError(
                f"cannot serve the dashboard on {self.host}:{self.port}: "
                f"{exc.strerror or exc}; pick another port with --http"
            ) from exc
        sock.setblocking(False)
        return sock


def parse_bind(text: str) -> Bind:
    """``PORT``, ``HOST:PORT`` or ``[IPV6]:PORT``; the host defaults to 127.0.0.1."""
    raw = text.strip()
    host, port_text = DEFAULT_HOST, raw
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0 or raw[end + 1 : end + 2] != ":":
            raise BindError(f"--http {text!r}: write an IPv6 address as [ADDRESS]:PORT")
        host, port_text = raw[1:end], raw[end + 2 :]
    elif ":" in raw:
        host, _, port_text = raw.rpartition(":")
        if ":" in host:
            raise BindError(f"--http {text!r}: write an IPv6 address as [ADDRESS]:PORT")
    if not host:
        raise BindError(f"--http {text!r}: the host before ':' is empty; try {DEFAULT_HOST}")
    try:
        port = int(port_text)
    except ValueError:
        raise BindError(
            f"--http {text!r}: {port_text!r} is not a port number; write [HOST:]PORT, "
            "for example 8765 or 127.0.0.1:8765"
        ) from None
    if not 0 <= port <= 65535:
        raise BindError(f"--http {text!r}: the port must be between 0 and 65535")
    return Bind(host, port)
