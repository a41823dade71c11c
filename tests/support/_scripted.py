"""The part every model-API stand-in shares: a script of turns, a record of requests, a port.

`claude_api` serves Anthropic's wire format; `openai_api` (Codex CLI) and `gemini_api` (Gemini
CLI) build on this base and only say which requests are *main* (the user's conversation, which
takes the next scripted turn) and how a turn goes on their wire. The turn values themselves
(`ToolUse`, `TextReply`, `ApiError`) are the ones `claude_api` defines: they say what the model
does, not how it is encoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler

from support.claude_api import ApiError, ScriptStep, TextReply, ToolUse, Turn
from yesman._lifecycle import Service

__all__ = ["Recorded", "ScriptedApi"]

logger = logging.getLogger(__name__)

_MAX_BODY_BYTES: Final = 64 * 1024 * 1024
_SHUTDOWN_S: Final = 0.5
_DONE: Final = TextReply("Done.")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as a stand-in received it, and the scripted turn it was given (if main)."""

    method: str
    path: str
    headers: Mapping[str, str]
    json: Any
    main: bool
    turn: Turn | None
    received_at: float


_RECORD: Final = web.RequestKey("scripted_record", Recorded)


class ScriptedApi(Service):
    """Base of a scripted API server: ``async with Sub([...]) as api: api.base_url``.

    Subclasses implement :meth:`is_main` and add their routes in :meth:`routes`; a handler
    finds its request's record (and turn) with :meth:`record_of`.
    """

    name = "API"

    def __init__(
        self,
        script: Iterable[ScriptStep] = (),
        *,
        default: Turn = _DONE,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._script: deque[ScriptStep] = deque(script)
        self._default = default
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._sticky: tuple[ApiError, int] | None = None
        self._changed = asyncio.Condition()
        self.requests: list[Recorded] = []

    # -- to implement -------------------------------------------------------------------------

    def is_main(self, method: str, path: str, body: Any) -> bool:
        raise NotImplementedError

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=_MAX_BODY_BYTES, middlewares=[self._record])
        self.routes(app)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=_SHUTDOWN_S, handler_cancellation=True
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._bound_port = int(runner.addresses[0][1])
        logger.info("%s stand-in listening on %s", self.name, self.base_url)

    async def stop(self) -> None:
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

    # -- script ---------------------------------------------------------------------------------

    def push(self, *turns: ScriptStep) -> None:
        self._script.extend(turns)

    @property
    def remaining(self) -> int:
        return len(self._script)

    @property
    def main_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.main]

    async def wait_for_main_requests(self, count: int, timeout: float = 30.0) -> Recorded:
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
                logger.exception("script step %r failed", step)
                turn = ApiError(500, f"stand-in script step failed: {exc!r}")
        if isinstance(turn, ApiError) and turn.times > 1:
            self._sticky = (turn, turn.times - 1)
        return turn

    @staticmethod
    def record_of(request: web.Request) -> Recorded:
        return request[_RECORD]

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        raw = await request.read()
        body: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
        main = self.is_main(request.method, request.path, body)
        record = Recorded(
            request.method,
            request.path_qs,
            {k.lower(): v for k, v in request.headers.items()},
            body,
            main,
            self._next_turn(body) if main else None,
            time.time(),
        )
        self.requests.append(record)
        logger.debug("%s %s main=%s turn=%r", record.method, record.path, main, record.turn)
        async with self._changed:
            self._changed.notify_all()
        request[_RECORD] = record
        return await handler(request)
