"""One tool call per trial through a model-API stand-in: what the latency benchmarks share.

The stand-in's script step is a `TrialResponder`: a request whose last input is the trial's tool
result ends the trial with a short text; any other request gets the trial's tool call. The
`Exchange` records, in wall-clock time (as events carry it), when the call was served and when
its result came back, and whether the agent reported it refused. ``result_of`` reads a request
body in the API's own shape: `claude_tool_result` for Anthropic's Messages API,
`codex_tool_result` for OpenAI's Responses API.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from support.claude_api import TextReply, ToolUse, Turn

__all__ = [
    "ALLOW_JSON",
    "Exchange",
    "TrialError",
    "TrialResponder",
    "claude_tool_result",
    "codex_tool_result",
]

# A PermissionRequest hook's allow, as both Claude Code and Codex take it.
ALLOW_JSON: Final = json.dumps(
    {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
)


class TrialError(Exception):
    """A trial did not get to its end (no dialog, no tool result, no closing answer)."""


@dataclass(slots=True)
class Exchange:
    """One trial as the stand-in saw it. ``results`` counts tool results for this trial's call
    (more than one: the dialog was answered twice)."""

    trial: int
    turn: ToolUse
    served: float | None = None
    result: float | None = None
    results: int = 0
    refused: bool = False
    got_result: asyncio.Event = field(default_factory=asyncio.Event)


class TrialResponder:
    """The stand-in's script step for the current `Exchange` (None between trials)."""

    def __init__(self, result_of: Callable[[Any], bool | None]) -> None:
        self.current: Exchange | None = None
        self._result_of = result_of

    def __call__(self, body: Any) -> Turn:
        exchange = self.current
        if exchange is None:
            return TextReply("OK.")
        refused = self._result_of(body)
        if refused is None:
            exchange.served = time.time()
            return exchange.turn
        exchange.results += 1
        if exchange.result is None:
            exchange.result = time.time()
            exchange.refused = refused
            exchange.got_result.set()
        return TextReply(f"Trial {exchange.trial} finished.")


def claude_tool_result(body: Any) -> bool | None:
    """None when the last user message carries no tool result, else whether it is an error."""
    if not isinstance(body, dict):
        return None
    messages = body.get("messages") or []
    users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    content = users[-1].get("content") if users else None
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            return bool(block.get("is_error"))
    return None


def codex_tool_result(body: Any) -> bool | None:
    """None when the last input is not a function call's output, else whether Codex reports
    the call rejected."""
    items = body.get("input") or [] if isinstance(body, dict) else []
    last = items[-1] if items and isinstance(items[-1], dict) else {}
    if last.get("type") != "function_call_output":
        return None
    return "Rejected(" in str(last.get("output"))
