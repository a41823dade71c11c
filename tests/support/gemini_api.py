"""A local stand-in for the Gemini API, the one Gemini CLI talks.

Gemini CLI sends its requests to ``$GOOGLE_GEMINI_BASE_URL`` when that is set (its "gateway"
auth, read in the bundle's ``getAuthTypeFromEnv``) with the key from ``$GEMINI_API_KEY`` in an
``x-goog-api-key`` header. The conversation is
``POST /v1beta/models/<model>:streamGenerateContent?alt=sse`` carrying the CLI's
``functionDeclarations``; that is a *main* request and takes the next scripted turn. Side
requests (the model router's complexity score, the next-speaker check) are
``:generateContent`` with a ``responseJsonSchema`` and no tools; they get a JSON object that
fits the schema (next speaker: the user) and use up no turn.

A `ToolUse` streams one ``GenerateContentResponse`` whose part is a ``functionCall``
(``run_shell_command`` ``{"command", "description"}``, ``write_file`` ``{"file_path",
"content"}``, ``replace``, ``web_fetch`` ``{"prompt"}`` ...), which makes the CLI draw its
confirmation dialog. Server-sent events are ``data: <json>`` frames separated by a blank line,
as the real API sends them. An `ApiError` answers with a Google error body
(``{"error": {"code", "message", "status"}}``; 429 is ``RESOURCE_EXHAUSTED``).

    PYTHONPATH=tests uv run python -m support.gemini_api --port 0 --script turns.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from support._scripted import ScriptedApi
from support.claude_api import ApiError, ScriptError, TextReply, Turn, load_script

__all__ = ["GeminiApiStandIn", "answer_for_schema"]

_STATUS: Final = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def answer_for_schema(schema: Any) -> Any:
    """A value that fits a JSON schema, for the CLI's structured side requests: the next
    speaker is the user, scores are low, strings are short."""
    if not isinstance(schema, dict):
        return None
    kind = str(schema.get("type", "object")).lower()
    if schema.get("enum"):
        return schema["enum"][0]
    if kind == "object":
        out: dict[str, Any] = {}
        for name, sub in dict(schema.get("properties", {})).items():
            if name == "next_speaker":
                out[name] = "user"
            else:
                out[name] = answer_for_schema(sub)
        return out
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return 10
    if kind == "boolean":
        return False
    return "stand-in"


class GeminiApiStandIn(ScriptedApi):
    """The scripted Gemini API server; point ``GOOGLE_GEMINI_BASE_URL`` at ``base_url``."""

    name = "Gemini API"

    def is_main(self, method: str, path: str, body: Any) -> bool:
        if method != "POST" or ":streamgeneratecontent" not in path.lower():
            return False
        if not isinstance(body, dict):
            return False
        tools = body.get("tools") or []
        return any(isinstance(t, dict) and t.get("functionDeclarations") for t in tools)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/{version}/models/{call}", self._models_call)
        app.router.add_route("*", "/{tail:.*}", self._other)

    async def _models_call(self, request: web.Request) -> web.StreamResponse:
        record = self.record_of(request)
        call = request.match_info["call"]
        if call.endswith(":countTokens"):
            return web.json_response({"totalTokens": 100})
        if not isinstance(record.json, dict):
            return _error(400, "body must be a JSON object")
        turn: Turn
        if record.turn is not None:
            turn = record.turn
        else:
            config = record.json.get("generationConfig") or {}
            schema = config.get("responseJsonSchema") or config.get("responseSchema")
            text = json.dumps(answer_for_schema(schema)) if schema else "OK"
            turn = TextReply(text)
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if isinstance(turn, ApiError):
            return _error(turn.status, turn.message, dict(turn.headers))
        if isinstance(turn, TextReply):
            parts: list[dict[str, Any]] = [{"text": turn.text}]
        else:
            parts = [{"text": turn.text}] if turn.text else []
            parts.append({"functionCall": {"name": turn.name, "args": dict(turn.input)}})
        chunk = {
            "candidates": [
                {
                    "content": {"role": "model", "parts": parts},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 100,
                "candidatesTokenCount": 20,
                "totalTokenCount": 120,
            },
            "modelVersion": call.split(":", 1)[0],
        }
        if ":streamGenerateContent" not in call:
            return web.json_response(chunk)
        response = web.StreamResponse(
            headers={"content-type": "text/event-stream", "cache-control": "no-cache"}
        )
        await response.prepare(request)
        await response.write(f"data: {json.dumps(chunk)}\r\n\r\n".encode())
        await response.write_eof()
        return response

    async def _other(self, request: web.Request) -> web.StreamResponse:
        if request.method in ("GET", "HEAD") and not request.path.startswith("/v1"):
            page = f"<html><body><h1>Stand-in page {request.path}</h1></body></html>"
            return web.Response(text=page, content_type="text/html")
        return _error(404, f"no route for {request.method} {request.path}")


def _error(status: int, message: str = "", headers: dict[str, str] | None = None) -> web.Response:
    body = {
        "error": {
            "code": status,
            "message": message or f"stand-in error {status}",
            "status": _STATUS.get(status, "UNKNOWN"),
        }
    }
    return web.json_response(body, status=status, headers=headers)


async def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support.gemini_api",
        description="Serve a scripted stand-in for the Gemini API on 127.0.0.1.",
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
    async with GeminiApiStandIn(script, port=args.port) as api:
        print(f"listening on {api.base_url}", flush=True)
        await asyncio.Event().wait()
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(asyncio.run(_main()))
