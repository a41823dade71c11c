"""A local stand-in for the OpenAI Responses API, the one Codex CLI talks (``POST /v1/responses``).

Codex is pointed here by a model provider in its ``config.toml`` (``base_url``,
``wire_api = "responses"``, ``env_key`` naming the variable that holds any key; see
`codex_cli.prepare_codex_home`). A *main* request is one that carries tools (Codex's
conversation); the session-title request it makes on the side carries none and gets a short text.

A `ToolUse` streams a ``function_call`` output item the way the real API does:
``response.created``, ``response.in_progress``, ``response.output_item.added`` (arguments
empty), the arguments in ``response.function_call_arguments.delta`` pieces,
``response.function_call_arguments.done``, ``response.output_item.done`` and
``response.completed`` with usage. Codex's shell tool is ``exec_command`` with ``{"cmd": ...}``;
a command that asks for ``"sandbox_permissions": "require_escalated"`` (with a
``justification``) makes Codex draw its approval dialog, and so does ``apply_patch`` run through
``exec_command`` for a file outside the writable roots. An `ApiError` answers with the status and
an OpenAI error body (``error_type`` ``usage_limit_reached`` is Codex's usage-limit screen).

    PYTHONPATH=tests uv run python -m support.openai_api --port 0 --script turns.json
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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from support._scripted import ScriptedApi
from support.claude_api import ApiError, ScriptError, TextReply, ToolUse, Turn, load_script

__all__ = ["OpenAiApiStandIn", "apply_patch_command", "exec_command"]

_CHUNK_CHARS: Final = 24
_ERROR_TYPES: Final = {
    400: "invalid_request_error",
    401: "invalid_api_key",
    403: "permission_denied",
    404: "not_found",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}


def exec_command(cmd: str, justification: str | None = None, *, escalate: bool = True) -> ToolUse:
    """Codex's shell tool call; ``escalate`` asks to run outside the sandbox (the approval)."""
    args: dict[str, Any] = {"cmd": cmd}
    if escalate:
        args["sandbox_permissions"] = "require_escalated"
        args["justification"] = justification or f"Run {cmd}?"
    return ToolUse("exec_command", args)


def apply_patch_command(path: str, content: str) -> ToolUse:
    """Codex adding a file through ``apply_patch`` in ``exec_command`` (Codex intercepts it)."""
    body = "".join(f"+{line}\n" for line in content.splitlines())
    patch = f"*** Begin Patch\n*** Add File: {path}\n{body}*** End Patch\n"
    return ToolUse("exec_command", {"cmd": f"apply_patch <<'EOF'\n{patch}EOF\n"})


def _event(payload: dict[str, Any]) -> bytes:
    return f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n".encode()


def _chunks(text: str) -> Iterator[str]:
    for i in range(0, len(text), _CHUNK_CHARS):
        yield text[i : i + _CHUNK_CHARS]


class OpenAiApiStandIn(ScriptedApi):
    """The scripted Responses API server (``base_url`` ends without ``/v1``)."""

    name = "OpenAI Responses API"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = itertools.count(1)

    def is_main(self, method: str, path: str, body: Any) -> bool:
        if method != "POST" or not path.endswith("/responses") or not isinstance(body, dict):
            return False
        tools = body.get("tools")
        return isinstance(tools, list) and len(tools) > 0

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/responses", self._responses)
        app.router.add_get("/v1/models", self._models)
        app.router.add_route("*", "/{tail:.*}", self._other)

    async def _responses(self, request: web.Request) -> web.StreamResponse:
        record = self.record_of(request)
        if not isinstance(record.json, dict):
            return _error(400, "body must be a JSON object")
        turn: Turn = record.turn or TextReply("Stand-in task")
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if isinstance(turn, ApiError):
            return _error(turn.status, turn.message, turn.error_type, dict(turn.headers))
        response = web.StreamResponse(
            headers={"content-type": "text/event-stream", "cache-control": "no-cache"}
        )
        await response.prepare(request)
        for frame in self._frames(turn, str(record.json.get("model") or "gpt-stand-in")):
            await response.write(frame)
        await response.write_eof()
        return response

    def _frames(self, turn: TextReply | ToolUse, model: str) -> Iterator[bytes]:
        n = next(self._ids)
        base = {"id": f"resp_standin{n:06d}", "object": "response", "model": model}
        yield _event(
            {
                "type": "response.created",
                "response": {**base, "status": "in_progress", "output": []},
            }
        )
        yield _event(
            {
                "type": "response.in_progress",
                "response": {**base, "status": "in_progress", "output": []},
            }
        )
        items: list[dict[str, Any]] = []
        texts: list[str] = [turn.text] if turn.text else []
        for text in texts:
            index = len(items)
            item_id = f"msg_standin{n:06d}_{index}"
            added = {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress"}
            yield _event(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**added, "content": []},
                }
            )
            for piece in _chunks(text):
                yield _event(
                    {
                        "type": "response.output_text.delta",
                        "item_id": item_id,
                        "output_index": index,
                        "content_index": 0,
                        "delta": piece,
                    }
                )
            done = {
                **added,
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
            yield _event({"type": "response.output_item.done", "output_index": index, "item": done})
            items.append(done)
        if isinstance(turn, ToolUse):
            index = len(items)
            arguments = json.dumps(dict(turn.input))
            call = {
                "type": "function_call",
                "id": f"fc_standin{n:06d}",
                "call_id": f"call_standin{n:06d}",
                "name": turn.name,
            }
            yield _event(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**call, "arguments": "", "status": "in_progress"},
                }
            )
            for piece in _chunks(arguments):
                yield _event(
                    {
                        "type": "response.function_call_arguments.delta",
                        "item_id": call["id"],
                        "output_index": index,
                        "delta": piece,
                    }
                )
            yield _event(
                {
                    "type": "response.function_call_arguments.done",
                    "item_id": call["id"],
                    "output_index": index,
                    "arguments": arguments,
                }
            )
            done = {**call, "arguments": arguments, "status": "completed"}
            yield _event({"type": "response.output_item.done", "output_index": index, "item": done})
            items.append(done)
        usage = {
            "input_tokens": 100,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 20,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 120,
        }
        yield _event(
            {
                "type": "response.completed",
                "response": {**base, "status": "completed", "output": items, "usage": usage},
            }
        )

    async def _models(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"object": "list", "data": [], "models": []})

    async def _other(self, request: web.Request) -> web.StreamResponse:
        if request.method in ("GET", "HEAD") and not request.path.startswith("/v1/"):
            page = f"<html><body><h1>Stand-in page {request.path}</h1></body></html>"
            return web.Response(text=page, content_type="text/html")
        return _error(404, f"no route for {request.method} {request.path}")


def _error(
    status: int,
    message: str = "",
    error_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    kind = error_type or _ERROR_TYPES.get(status, "server_error")
    body: dict[str, Any] = {
        "message": message or f"stand-in error {status}",
        "type": kind,
        "param": None,
        "code": kind,
    }
    if kind == "usage_limit_reached":
        # What Codex reads to word its usage-limit message (plan and reset time).
        body |= {"plan_type": "plus", "resets_at": int(time.time()) + 3600}
    return web.json_response(
        {"error": body}, status=status, headers={"x-request-id": "req_standin", **(headers or {})}
    )


async def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support.openai_api",
        description="Serve a scripted stand-in for the OpenAI Responses API on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", type=Path, help="JSON list of turns for main requests")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr)
    try:
        script = load_script(args.script) if args.script else []
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    async with OpenAiApiStandIn(script, port=args.port) as api:
        print(f"listening on {api.base_url}", flush=True)
        await asyncio.Event().wait()
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(asyncio.run(_main()))
