"""HTTP/1.1 and server-sent-event plumbing for the Anthropic API stand-in.

Just enough of HTTP for one client that speaks it well (the Anthropic SDK inside Claude Code):
request heads, bodies by Content-Length or chunked, keep-alive, JSON answers, and a streamed
Messages answer whose events come in the order the real API sends them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

_MAX_HEADER_BYTES: Final = 64 * 1024
_MAX_BODY_BYTES: Final = 64 * 1024 * 1024
_CHUNK_CHARS: Final = 24  # text and JSON are streamed in small deltas, as the real API does
_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    529: "Overloaded",
}
_ERROR_TYPES: Final = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


class BadRequest(Exception):
    """The bytes received are not an HTTP/1.x request this server can read."""


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed request; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        return self.headers.get("connection", "").lower() != "close"


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadRequest("connection closed inside the request head") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise BadRequest("request head too large") from exc
    if len(head) > _MAX_HEADER_BYTES:
        raise BadRequest("request head too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"not an HTTP/1.x request line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise BadRequest(f"malformed header line: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError as exc:
            raise BadRequest("Content-Length is not a number") from exc
        if not 0 <= length <= _MAX_BODY_BYTES:
            raise BadRequest(f"Content-Length out of range: {length}")
        body = await reader.readexactly(length)
    return Request(parts[0].upper(), parts[1], headers, body)


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise BadRequest("malformed chunk size") from exc
        if size == 0:
            # Trailers (rare) end with an empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
        if len(body) > _MAX_BODY_BYTES:
            raise BadRequest("chunked body too large")


def response_head(status: int, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def base_headers(keep_alive: bool) -> dict[str, str]:
    return {
        "date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
        "request-id": f"req_standin{time.monotonic_ns()}",
        "connection": "keep-alive" if keep_alive else "close",
    }


async def send_json(
    writer: asyncio.StreamWriter,
    status: int,
    payload: Any,
    keep_alive: bool,
    *,
    extra: Mapping[str, str] | None = None,
    head: bool = False,
) -> None:
    data = json.dumps(payload).encode()
    await send_body(writer, status, data, "application/json", keep_alive, extra=extra, head=head)


async def send_body(
    writer: asyncio.StreamWriter,
    status: int,
    data: bytes,
    content_type: str,
    keep_alive: bool,
    *,
    extra: Mapping[str, str] | None = None,
    head: bool = False,
) -> None:
    headers = base_headers(keep_alive)
    headers |= {"content-type": content_type, "content-length": str(len(data))}
    headers |= dict(extra or {})
    writer.write(response_head(status, headers) + (b"" if head else data))
    await writer.drain()


def web_page(path: str) -> bytes:
    """A small HTML page, so WebFetch of a local URL has something to read."""
    safe = "".join(c for c in path if c.isalnum() or c in "/-_.")
    return (
        f"<!doctype html><html><head><title>Stand-in page {safe}</title></head>"
        f"<body><h1>Stand-in page</h1><p>This page is served at {safe} by yesman's "
        "Anthropic API stand-in.</p></body></html>"
    ).encode()


def sse(event: str, data: Mapping[str, Any]) -> bytes:
    payload = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
    return f"{len(payload):x}\r\n".encode() + payload + b"\r\n"


async def stream_message(
    writer: asyncio.StreamWriter,
    message_id: str,
    model: str,
    blocks: Sequence[Mapping[str, Any]],
    stop_reason: str,
) -> None:
    headers = base_headers(True)
    headers |= {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "transfer-encoding": "chunked",
    }
    writer.write(response_head(200, headers))
    start = message_body(message_id, model, [], None)
    start["usage"]["output_tokens"] = 1
    writer.write(sse("message_start", {"type": "message_start", "message": start}))
    writer.write(sse("ping", {"type": "ping"}))
    output_chars = 0
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            text: str = block["text"]
            writer.write(
                sse(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            for piece in pieces(text):
                writer.write(
                    sse(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "text_delta", "text": piece},
                        },
                    )
                )
            output_chars += len(text)
        else:
            writer.write(
                sse(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {
                            "type": "tool_use",
                            "id": block["id"],
                            "name": block["name"],
                            "input": {},
                        },
                    },
                )
            )
            arguments = json.dumps(block["input"])
            for piece in pieces(arguments):
                writer.write(
                    sse(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece},
                        },
                    )
                )
            output_chars += len(arguments)
        writer.write(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        await writer.drain()
    writer.write(
        sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": max(1, output_chars // 4)},
            },
        )
    )
    writer.write(sse("message_stop", {"type": "message_stop"}))
    writer.write(b"0\r\n\r\n")
    await writer.drain()


def pieces(text: str) -> list[str]:
    return [text[i : i + _CHUNK_CHARS] for i in range(0, len(text), _CHUNK_CHARS)] or [""]


def message_body(
    message_id: str, model: str, blocks: Sequence[Mapping[str, Any]], stop_reason: str | None
) -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [dict(b) for b in blocks],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "output_tokens": 10,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def error_body(status: int, message: str, error_type: str | None = None) -> dict[str, Any]:
    kind = error_type or _ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message or kind.replace("_", " ")}}


def models_body() -> dict[str, Any]:
    names = ["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"]
    data = [
        {"type": "model", "id": n, "display_name": n, "created_at": "2025-01-01T00:00:00Z"}
        for n in names
    ]
    return {"data": data, "has_more": False, "first_id": names[0], "last_id": names[-1]}
