"""A real HTTP receiver on a loopback port that records what it is sent (alert webhooks)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Receiver", "Request", "serve"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    time: float


@dataclass
class Receiver:
    """A threaded HTTP server on 127.0.0.1 that records every request.

    ``statuses`` are answered in order (then 200); ``delay`` seconds pass before each answer.
    """

    server: ThreadingHTTPServer
    requests: list[Request] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def bodies(self, path: str | None = None) -> list[Any]:
        with self.lock:
            return [r.body for r in self.requests if path is None or r.path == path]

    def wait_for(self, count: int, timeout: float = 15.0, path: str | None = None) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(found := self.bodies(path)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} request(s), got {found}")
            time.sleep(0.02)
        return found


def serve(receiver_port: int = 0) -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with receiver.lock:
                receiver.requests.append(
                    Request("POST", self.path, dict(self.headers), body, time.time())
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            time.sleep(receiver.delay)
            payload = b'{"ok": true}' if status < 300 else b"refused by the test"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", receiver_port), Handler)
    server.daemon_threads = True
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
