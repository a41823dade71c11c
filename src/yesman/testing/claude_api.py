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
from typing import Any, Self

from yesman.testing._anthropic_http import (
    BadRequest,
    Request,
    error_body,
    message_body,
    models_body,
    read_request,
    send_body,
    send_json,
    stream_message,
    web_page,
)

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
        if self._closing:
            raise RuntimeError("this stand-in was closed; create a new one")
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
        if isinstance(step, ToolUse | TextReply | ApiError):
            turn: Turn = step
        else:
            try:
                turn = step(body)
            except Exception as exc:
                # A broken script step must not kill the connection silently: answer with an
                # error the test will see on screen and in the log.
                logger.exception("script step %r failed", step)
                turn = ApiError(500, f"stand-in script step failed: {exc!r}")
        if isinstance(turn, ApiError) and turn.times > 1:
            self._sticky = (turn, turn.times - 1)
        return turn

    def _dump(self, request: Request, body: Any, main: bool) -> None:
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
                    request = await read_request(reader)
                except BadRequest as exc:
                    await send_json(writer, 400, error_body(400, str(exc)), keep_alive=False)
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

    async def _handle(self, request: Request, writer: asyncio.StreamWriter) -> None:
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
                await send_json(writer, 400, error_body(400, "body must be a JSON object"), keep)
                return
            await self._answer_messages(body, turn or TextReply("OK"), writer, keep)
        elif request.method == "POST" and path == "/v1/messages/count_tokens":
            tokens = max(1, len(request.body) // 4)
            await send_json(writer, 200, {"input_tokens": tokens}, keep)
        elif request.method in ("GET", "HEAD") and path in ("/", "/v1", "/health"):
            await send_json(writer, 200, {"ok": True}, keep, head=request.method == "HEAD")
        elif request.method == "GET" and path == "/v1/models":
            await send_json(writer, 200, models_body(), keep)
        elif request.method in ("GET", "HEAD") and not path.startswith("/v1/"):
            page = web_page(path)
            await send_body(
                writer, 200, page, "text/html; charset=utf-8", keep, head=request.method == "HEAD"
            )
        else:
            await send_json(writer, 404, error_body(404, f"no route for {path}"), keep)

    async def _answer_messages(
        self, body: dict[str, Any], turn: Turn, writer: asyncio.StreamWriter, keep: bool
    ) -> None:
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if isinstance(turn, ApiError):
            headers = {"x-should-retry": "true" if turn.retry else "false", **turn.headers}
            if turn.status == 429 and "retry-after" not in headers:
                headers["retry-after"] = "60"
            await send_json(
                writer,
                turn.status,
                error_body(turn.status, turn.message, turn.error_type),
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
            await stream_message(writer, message_id, model, blocks, stop_reason)
        else:
            await send_json(writer, 200, message_body(message_id, model, blocks, stop_reason), keep)


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
