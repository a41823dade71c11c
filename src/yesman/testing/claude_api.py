"""A local stand-in for the Anthropic Messages API, scripted turn by turn.

Claude Code talks to ``$ANTHROPIC_BASE_URL``; pointing it here lets tests run the real CLI with
no network and no account. Each *main* conversation request (the one that carries Claude Code's
tool list) takes the next scripted turn: a tool call, a text answer or an API error. Side
requests (session titles, quota probes, token counts) get harmless answers and never consume a
turn, so a script stays in step with what the user sees. Every request is recorded.

The HTTP side is deliberately small: HTTP/1.1 with keep-alive, request bodies by
``Content-Length`` or chunked, JSON answers by ``Content-Length`` and streamed answers as
server-sent events in a chunked body, in the event order the real API uses.

Run it alone with ``python -m yesman.testing.claude_api --port 0 --script turns.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

logger = logging.getLogger(__name__)

__all__ = [
    "ApiError",
    "ClaudeApiStandIn",
    "RecordedRequest",
    "ScriptError",
    "ScriptStep",
    "TextReply",
    "ToolUse",
    "Turn",
    "is_main_request",
    "load_script",
    "turn_from_json",
]

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


class ScriptError(ValueError):
    """A scripted turn (from JSON or code) is malformed."""


@dataclass(frozen=True, slots=True)
class ToolUse:
    """Claude asks to run one tool, optionally after a line of text.

    ``delay`` holds the answer back (Claude Code shows its busy spinner meanwhile).
    """

    name: str
    input: Mapping[str, Any]
    text: str | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class TextReply:
    """Claude answers in text and ends its turn."""

    text: str
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class ApiError:
    """The API fails with ``status``; ``times`` consecutive main requests get the same failure.

    ``retry=False`` sends ``x-should-retry: false`` so the client's SDK gives up at once
    instead of backing off for minutes.
    """

    status: int
    message: str = ""
    error_type: str | None = None
    times: int = 1
    retry: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def __post_init__(self) -> None:
        if not 400 <= self.status <= 599:
            raise ScriptError(f"ApiError status must be 400-599, got {self.status}")
        if self.times < 1:
            raise ScriptError(f"ApiError times must be >= 1, got {self.times}")


Turn = ToolUse | TextReply | ApiError
# A scripted step is a turn, or a function that builds the turn from the request it answers
# (for inputs known only at run time, such as the plan file path Claude Code chooses).
ScriptStep = Turn | Callable[[Any], Turn]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the stand-in received it, and the scripted turn it was given (if any)."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    json: Any
    main: bool
    turn: Turn | None
    received_at: float

    @property
    def model(self) -> str | None:
        return self.json.get("model") if isinstance(self.json, dict) else None

    def last_user_text(self) -> str:
        """Concatenated text of the last user message (tool results included), for assertions."""
        if not isinstance(self.json, dict):
            return ""
        messages = self.json.get("messages") or []
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return _flatten_text(message.get("content"))
        return ""


def _flatten_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts: list[str] = []
    if isinstance(content, list):
        for block in content:
            if not isinstance(block, dict):
                continue
            if isinstance(block.get("text"), str):
                parts.append(block["text"])
            elif "content" in block:
                parts.append(_flatten_text(block["content"]))
    return "\n".join(parts)


def is_main_request(body: Any) -> bool:
    """Is this Messages request the user's conversation (as opposed to a side request)?

    Claude Code's conversation requests carry its full tool list; the title, summary and quota
    requests it makes on the side carry no tools (measured on 2.1.x).
    """
    if not isinstance(body, dict):
        return False
    tools = body.get("tools")
    return isinstance(tools, list) and len(tools) > 0


def turn_from_json(item: Any) -> Turn:
    """Build a turn from its JSON form; raise ScriptError naming what is wrong."""
    if not isinstance(item, dict):
        raise ScriptError(f"a turn must be a JSON object, got {type(item).__name__}: {item!r}")
    kind = item.get("type")
    delay = item.get("delay", 0.0)
    if not isinstance(delay, int | float) or delay < 0:
        raise ScriptError(f"turn 'delay' must be a number >= 0, got {delay!r}")
    try:
        if kind == "tool_use":
            name, tool_input = item["name"], item.get("input", {})
            if not isinstance(name, str) or not isinstance(tool_input, dict):
                raise ScriptError("tool_use needs 'name' (string) and 'input' (object)")
            text = item.get("text")
            if text is not None and not isinstance(text, str):
                raise ScriptError("tool_use 'text' must be a string")
            return ToolUse(name, tool_input, text, float(delay))
        if kind == "text":
            if not isinstance(item["text"], str):
                raise ScriptError("text turn needs 'text' (string)")
            return TextReply(item["text"], float(delay))
        if kind == "error":
            status = item["status"]
            if not isinstance(status, int):
                raise ScriptError("error turn needs an integer 'status'")
            return ApiError(
                status,
                str(item.get("message", "")),
                item.get("error_type"),
                int(item.get("times", 1)),
                bool(item.get("retry", False)),
                {str(k): str(v) for k, v in dict(item.get("headers", {})).items()},
                float(delay),
            )
    except KeyError as exc:
        raise ScriptError(f"turn of type {kind!r} is missing key {exc}: {item!r}") from exc
    raise ScriptError(f"turn 'type' must be 'tool_use', 'text' or 'error', got {kind!r}")


def load_script(path: Path) -> list[Turn]:
    """Read a JSON list of turns from ``path``; errors name the file and the turn."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read a JSON script: {exc}") from exc
    if not isinstance(data, list):
        raise ScriptError(f"{path}: a script is a JSON list of turns, got {type(data).__name__}")
    turns = []
    for index, item in enumerate(data):
        try:
            turns.append(turn_from_json(item))
        except ScriptError as exc:
            raise ScriptError(f"{path}: turn {index}: {exc}") from exc
    return turns


class _BadRequest(Exception):
    pass


@dataclass(slots=True)
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        return self.headers.get("connection", "").lower() != "close"


class ClaudeApiStandIn:
    """The scripted API server. ``async with ClaudeApiStandIn([...]) as api: api.base_url``."""

    def __init__(
        self,
        script: Iterable[ScriptStep] = (),
        *,
        default: Turn = TextReply("Done."),
        host: str = "127.0.0.1",
        port: int = 0,
        dump_dir: Path | None = None,
    ) -> None:
        self._dump_dir = dump_dir
        self._script: deque[ScriptStep] = deque(script)
        self._default = default
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._sticky: tuple[ApiError, int] | None = None
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._closing = False
        self.requests: list[RecordedRequest] = []

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        logger.info("Claude API stand-in listening on %s", self.base_url)

    async def aclose(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._closing = True
        server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running: use 'async with' or await start()")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # -- script ------------------------------------------------------------------------------

    def push(self, *turns: ScriptStep) -> None:
        """Append turns to the script (they answer later main requests)."""
        self._script.extend(turns)

    @property
    def remaining(self) -> int:
        return len(self._script)

    @property
    def main_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.main]

    async def wait_for_main_requests(self, count: int, timeout: float = 30.0) -> RecordedRequest:
        """Wait until ``count`` main requests have arrived; return the last of them."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.main_requests) >= count)
        return self.main_requests[count - 1]

    def _next_turn(self, body: Any) -> Turn:
        if self._sticky is not None:
            error, left = self._sticky
            self._sticky = (error, left - 1) if left > 1 else None
            return error
        step = self._script.popleft() if self._script else self._default
        turn = step if isinstance(step, ToolUse | TextReply | ApiError) else step(body)
        if isinstance(turn, ApiError) and turn.times > 1:
            self._sticky = (turn, turn.times - 1)
        return turn

    def _dump(self, request: _Request, body: Any, main: bool) -> None:
        assert self._dump_dir is not None
        self._dump_dir.mkdir(parents=True, exist_ok=True)
        record = {
            "method": request.method,
            "path": request.path,
            "main": main,
            "headers": request.headers,
            "body": body,
        }
        name = f"{len(self.requests):04d}_{request.method.lower()}.json"
        (self._dump_dir / name).write_text(json.dumps(record, indent=1), encoding="utf-8")

    # -- HTTP --------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except _BadRequest as exc:
                    await _send_json(writer, 400, _error_body(400, str(exc)), keep_alive=False)
                    return
                if request is None:
                    return
                await self._handle(request, writer)
                if not request.keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            logger.debug("client went away")
        except asyncio.CancelledError:
            # aclose() cancels open connections; end quietly (asyncio.start_server reports a
            # cancelled handler as an error), but let any other cancellation through.
            if not self._closing:
                raise
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _handle(self, request: _Request, writer: asyncio.StreamWriter) -> None:
        body: Any = None
        if request.body:
            with contextlib.suppress(ValueError):
                body = json.loads(request.body)
        path = request.path.split("?", 1)[0]
        main = request.method == "POST" and path == "/v1/messages" and is_main_request(body)
        turn = self._next_turn(body) if main else None
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                request.headers,
                request.body,
                body,
                main,
                turn,
                time.time(),
            )
        )
        logger.debug("%s %s main=%s turn=%r", request.method, request.path, main, turn)
        if self._dump_dir is not None:
            self._dump(request, body, main)
        async with self._changed:
            self._changed.notify_all()
        keep = request.keep_alive
        if request.method == "POST" and path == "/v1/messages":
            if not isinstance(body, dict):
                await _send_json(writer, 400, _error_body(400, "body must be a JSON object"), keep)
                return
            await self._answer_messages(body, turn or TextReply("OK"), writer, keep)
        elif request.method == "POST" and path == "/v1/messages/count_tokens":
            tokens = max(1, len(request.body) // 4)
            await _send_json(writer, 200, {"input_tokens": tokens}, keep)
        elif request.method in ("GET", "HEAD") and path in ("/", "/v1", "/health"):
            await _send_json(writer, 200, {"ok": True}, keep, head=request.method == "HEAD")
        elif request.method == "GET" and path == "/v1/models":
            await _send_json(writer, 200, _models_body(), keep)
        else:
            await _send_json(writer, 404, _error_body(404, f"no route for {path}"), keep)

    async def _answer_messages(
        self, body: dict[str, Any], turn: Turn, writer: asyncio.StreamWriter, keep: bool
    ) -> None:
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if isinstance(turn, ApiError):
            headers = {"x-should-retry": "true" if turn.retry else "false", **turn.headers}
            if turn.status == 429 and "retry-after" not in headers:
                headers["retry-after"] = "60"
            await _send_json(
                writer,
                turn.status,
                _error_body(turn.status, turn.message, turn.error_type),
                keep,
                extra=headers,
            )
            return
        message_id = f"msg_standin{next(self._ids):06d}"
        model = str(body.get("model") or "claude-stand-in")
        blocks: list[dict[str, Any]] = []
        if isinstance(turn, TextReply):
            blocks.append({"type": "text", "text": turn.text})
            stop_reason = "end_turn"
        else:
            if turn.text:
                blocks.append({"type": "text", "text": turn.text})
            tool_id = f"toolu_standin{next(self._ids):06d}"
            blocks.append(
                {"type": "tool_use", "id": tool_id, "name": turn.name, "input": dict(turn.input)}
            )
            stop_reason = "tool_use"
        if body.get("stream"):
            await _stream_message(writer, message_id, model, blocks, stop_reason)
        else:
            await _send_json(
                writer, 200, _message_body(message_id, model, blocks, stop_reason), keep
            )


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise _BadRequest("connection closed inside the request head") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise _BadRequest("request head too large") from exc
    if len(head) > _MAX_HEADER_BYTES:
        raise _BadRequest("request head too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(f"not an HTTP/1.x request line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise _BadRequest(f"malformed header line: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError as exc:
            raise _BadRequest("Content-Length is not a number") from exc
        if not 0 <= length <= _MAX_BODY_BYTES:
            raise _BadRequest(f"Content-Length out of range: {length}")
        body = await reader.readexactly(length)
    return _Request(parts[0].upper(), parts[1], headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise _BadRequest("malformed chunk size") from exc
        if size == 0:
            # Trailers (rare) end with an empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
        if len(body) > _MAX_BODY_BYTES:
            raise _BadRequest("chunked body too large")


def _response_head(status: int, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _base_headers(keep_alive: bool) -> dict[str, str]:
    return {
        "date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
        "request-id": f"req_standin{time.monotonic_ns()}",
        "connection": "keep-alive" if keep_alive else "close",
    }


async def _send_json(
    writer: asyncio.StreamWriter,
    status: int,
    payload: Any,
    keep_alive: bool,
    *,
    extra: Mapping[str, str] | None = None,
    head: bool = False,
) -> None:
    data = json.dumps(payload).encode()
    headers = _base_headers(keep_alive)
    headers |= {"content-type": "application/json", "content-length": str(len(data))}
    headers |= dict(extra or {})
    writer.write(_response_head(status, headers) + (b"" if head else data))
    await writer.drain()


def _sse(event: str, data: Mapping[str, Any]) -> bytes:
    payload = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
    return f"{len(payload):x}\r\n".encode() + payload + b"\r\n"


async def _stream_message(
    writer: asyncio.StreamWriter,
    message_id: str,
    model: str,
    blocks: Sequence[Mapping[str, Any]],
    stop_reason: str,
) -> None:
    headers = _base_headers(True)
    headers |= {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "transfer-encoding": "chunked",
    }
    writer.write(_response_head(200, headers))
    start = _message_body(message_id, model, [], None)
    start["usage"]["output_tokens"] = 1
    writer.write(_sse("message_start", {"type": "message_start", "message": start}))
    writer.write(_sse("ping", {"type": "ping"}))
    output_chars = 0
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            text: str = block["text"]
            writer.write(
                _sse(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            for piece in _pieces(text):
                writer.write(
                    _sse(
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
                _sse(
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
            for piece in _pieces(arguments):
                writer.write(
                    _sse(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece},
                        },
                    )
                )
            output_chars += len(arguments)
        writer.write(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        await writer.drain()
    writer.write(
        _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": max(1, output_chars // 4)},
            },
        )
    )
    writer.write(_sse("message_stop", {"type": "message_stop"}))
    writer.write(b"0\r\n\r\n")
    await writer.drain()


def _pieces(text: str) -> list[str]:
    return [text[i : i + _CHUNK_CHARS] for i in range(0, len(text), _CHUNK_CHARS)] or [""]


def _message_body(
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


def _error_body(status: int, message: str, error_type: str | None = None) -> dict[str, Any]:
    kind = error_type or _ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message or kind.replace("_", " ")}}


def _models_body() -> dict[str, Any]:
    names = ["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"]
    data = [
        {"type": "model", "id": n, "display_name": n, "created_at": "2025-01-01T00:00:00Z"}
        for n in names
    ]
    return {"data": data, "has_more": False, "first_id": names[0], "last_id": names[-1]}


async def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m yesman.testing.claude_api",
        description="Serve a scripted stand-in for the Anthropic Messages API on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    parser.add_argument("--script", type=Path, help="JSON list of turns for main requests")
    parser.add_argument("--default-text", default="Done.", help="reply once the script runs out")
    parser.add_argument("--dump", type=Path, help="write every request as JSON into this folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(message)s",
        stream=sys.stderr,
    )
    try:
        script = load_script(args.script) if args.script else []
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    async with ClaudeApiStandIn(
        script, default=TextReply(args.default_text), port=args.port, dump_dir=args.dump
    ) as api:
        print(f"listening on {api.base_url}", flush=True)
        await asyncio.Event().wait()
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(asyncio.run(_main()))
