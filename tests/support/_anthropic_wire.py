"""What the Anthropic Messages API puts on the wire: JSON bodies and the streamed event sequence.

No HTTP here (aiohttp serves it, see `claude_api`): only the shapes a client's SDK parses. A
streamed answer is ``message_start``, ``ping``, then per content block ``content_block_start``,
its deltas and ``content_block_stop``, then ``message_delta`` (stop reason, usage) and
``message_stop``, which is the order the real API uses. Text and tool input arrive in small
deltas, as they do from the real API, so a client's incremental parsing is exercised too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "error_body",
    "error_type",
    "message_body",
    "models_body",
    "sse_frames",
    "web_page",
]

_CHUNK_CHARS: Final = 24
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


def error_type(status: int) -> str:
    """The ``error.type`` the real API sends with ``status``."""
    return _ERROR_TYPES.get(status, "api_error")


def error_body(status: int, message: str, kind: str | None = None) -> dict[str, Any]:
    kind = kind or error_type(status)
    return {"type": "error", "error": {"type": kind, "message": message or kind.replace("_", " ")}}


def message_body(
    message_id: str, model: str, blocks: Sequence[Mapping[str, Any]], stop_reason: str | None
) -> dict[str, Any]:
    """A whole (non-streamed) Messages answer."""
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


def models_body() -> dict[str, Any]:
    names = ["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"]
    data = [
        {"type": "model", "id": n, "display_name": n, "created_at": "2025-01-01T00:00:00Z"}
        for n in names
    ]
    return {"data": data, "has_more": False, "first_id": names[0], "last_id": names[-1]}


def web_page(path: str) -> str:
    """A small HTML page, so a WebFetch of a local URL has something to read."""
    safe = "".join(c for c in path if c.isalnum() or c in "/-_.")
    return (
        f"<!doctype html><html><head><title>Stand-in page {safe}</title></head>"
        f"<body><h1>Stand-in page</h1><p>This page is served at {safe} by yesman's "
        "Anthropic API stand-in.</p></body></html>"
    )


def _frame(event: str, data: Mapping[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _pieces(text: str) -> list[str]:
    return [text[i : i + _CHUNK_CHARS] for i in range(0, len(text), _CHUNK_CHARS)] or [""]


def sse_frames(
    message_id: str, model: str, blocks: Sequence[Mapping[str, Any]], stop_reason: str
) -> Iterator[bytes]:
    """The server-sent events of a streamed answer made of ``blocks``, one frame at a time."""
    start = message_body(message_id, model, [], None)
    start["usage"]["output_tokens"] = 1
    yield _frame("message_start", {"type": "message_start", "message": start})
    yield _frame("ping", {"type": "ping"})
    output_chars = 0
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            opening: dict[str, Any] = {"type": "text", "text": ""}
            payload, delta_type, field = str(block["text"]), "text_delta", "text"
        else:
            opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            payload, delta_type = json.dumps(block["input"]), "input_json_delta"
            field = "partial_json"
        yield _frame(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": opening},
        )
        for piece in _pieces(payload):
            yield _frame(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": delta_type, field: piece},
                },
            )
        output_chars += len(payload)
        yield _frame("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _frame(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": max(1, output_chars // 4)},
        },
    )
    yield _frame("message_stop", {"type": "message_stop"})
