"""A local stand-in for the Anthropic Messages API, scripted turn by turn.

Claude Code talks to ``$ANTHROPIC_BASE_URL``; pointing it here lets tests run the real CLI with
no network and no account. Each *main* conversation request (the one that carries Claude Code's
tool list) takes the next scripted turn: a tool call, a text answer or an API error. Side
requests (session titles, quota probes, token counts) get harmless answers and never consume a
turn, so a script stays in step with what the user sees. Every request is recorded.

aiohttp serves it (keep-alive, chunked request bodies, HEAD); streamed answers are server-sent
events in the order the real API uses (`_anthropic_wire`).

Run it alone, from the repository root::

    PYTHONPATH=tests uv run python -m support.claude_api --port 0 --script turns.json
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
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler

from support._anthropic_wire import error_body, message_body, models_body, sse_frames, web_page
from yesman._lifecycle import Service

logger = logging.getLogger(__name__)

_MAX_BODY_BYTES: Final = 64 * 1024 * 1024  # Claude Code sends its whole tool list every time
# How long stop() lets answers in flight finish (a delayed turn may sleep for a minute).
_SHUTDOWN_S: Final = 0.5

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


# Where a request carries its record from the middleware to its handler.
_RECORD: Final = web.RequestKey("record", RecordedRequest)


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


class ClaudeApiStandIn(Service):
    """The scripted API server. ``async with ClaudeApiStandIn([...]) as api: api.base_url``.

    It keeps the project's lifecycle rule: ``start()``/``stop()`` (``aclose()``) are idempotent
    and it can be started again after a stop (on a new port when ``port=0``); the script and
    the recorded requests carry over.
    """

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
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._sticky: tuple[ApiError, int] | None = None
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.requests: list[RecordedRequest] = []

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen; returns once the port is bound. Does nothing when already listening."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=_MAX_BODY_BYTES, middlewares=[self._record])
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/v1/messages/count_tokens", self._count_tokens)
        app.router.add_get("/v1/models", self._models)
        app.router.add_route("*", "/{tail:.*}", self._other)
        # handler_cancellation: a client that hangs up stops its (possibly delayed) answer.
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=_SHUTDOWN_S, handler_cancellation=True
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._bound_port = int(runner.addresses[0][1])
        logger.info("Claude API stand-in listening on %s", self.base_url)

    async def stop(self) -> None:
        """Close the port and every connection; answers still in flight are cut off."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            self._bound_port = None

    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("the stand-in is not running: use 'async with' or await start()")
        return self._bound_port

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

    def _dump(self, record: RecordedRequest) -> None:
        assert self._dump_dir is not None
        self._dump_dir.mkdir(parents=True, exist_ok=True)
        data = {
            "method": record.method,
            "path": record.path,
            "main": record.main,
            "headers": dict(record.headers),
            "body": record.json,
        }
        name = f"{len(self.requests):04d}_{record.method.lower()}.json"
        (self._dump_dir / name).write_text(json.dumps(data, indent=1), encoding="utf-8")

    # -- HTTP --------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record every request (and give a main request its turn) before it is routed."""
        raw = await request.read()
        body: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
        main = request.method == "POST" and request.path == "/v1/messages"
        main = main and is_main_request(body)
        record = RecordedRequest(
            request.method,
            request.path_qs,
            {name.lower(): value for name, value in request.headers.items()},
            raw,
            body,
            main,
            self._next_turn(body) if main else None,
            time.time(),
        )
        self.requests.append(record)
        logger.debug("%s %s main=%s turn=%r", record.method, record.path, main, record.turn)
        if self._dump_dir is not None:
            self._dump(record)
        async with self._changed:
            self._changed.notify_all()
        request[_RECORD] = record
        return await handler(request)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        record = request[_RECORD]
        if not isinstance(record.json, dict):
            return _json(400, error_body(400, "body must be a JSON object"))
        turn = record.turn or TextReply("OK")  # a side request: any short answer will do
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if isinstance(turn, ApiError):
            headers = {"x-should-retry": "true" if turn.retry else "false", **turn.headers}
            if turn.status == 429 and "retry-after" not in headers:
                headers["retry-after"] = "60"
            return _json(
                turn.status, error_body(turn.status, turn.message, turn.error_type), headers
            )
        message_id = f"msg_standin{next(self._ids):06d}"
        model = str(record.json.get("model") or "claude-stand-in")
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
        if not record.json.get("stream"):
            return _json(200, message_body(message_id, model, blocks, stop_reason))
        response = web.StreamResponse(
            headers={
                "content-type": "text/event-stream",
                "cache-control": "no-cache",
                "request-id": _request_id(),
            }
        )
        await response.prepare(request)
        for frame in sse_frames(message_id, model, blocks, stop_reason):
            await response.write(frame)
        await response.write_eof()
        return response

    async def _count_tokens(self, request: web.Request) -> web.StreamResponse:
        record = request[_RECORD]
        return _json(200, {"input_tokens": max(1, len(record.body) // 4)})

    async def _models(self, request: web.Request) -> web.StreamResponse:
        return _json(200, models_body())

    async def _other(self, request: web.Request) -> web.StreamResponse:
        """Health probes, web pages for WebFetch, and a JSON 404 for anything else."""
        path, method = request.path, request.method
        if method in ("GET", "HEAD") and path in ("/", "/v1", "/health"):
            return _json(200, {"ok": True})
        if method in ("GET", "HEAD") and not path.startswith("/v1/"):
            return web.Response(text=web_page(path), content_type="text/html")
        return _json(404, error_body(404, f"no route for {method} {path}"))


def _request_id() -> str:
    return f"req_standin{time.monotonic_ns()}"


def _json(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response(
        payload, status=status, headers={"request-id": _request_id(), **(headers or {})}
    )


async def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support.claude_api",
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
