"""The Anthropic API stand-in, spoken to over real sockets by an HTTP client and by Claude Code."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from support.claude_api import (
    ApiError,
    ClaudeApiStandIn,
    ScriptError,
    ScriptStep,
    TextReply,
    ToolUse,
    load_script,
    turn_from_json,
)
from support.claude_code import (
    ClaudeCodeNotFoundError,
    ClaudeLaunch,
    find_claude_binary,
    prepare_home,
    start_claude,
)
from yesman.testing import PrivateTmuxServer, eventually_async

TESTS = Path(__file__).resolve().parents[1]
TOOLS = [{"name": "Bash", "description": "Run a command", "input_schema": {"type": "object"}}]
BASH = ToolUse(
    "Bash",
    {"command": "mkdir -p build && touch build/out.txt", "description": "Create the build folder"},
    text="I'll create it.",
)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        """The server-sent events of a streamed body, in order."""
        out = []
        for block in self.body.decode().split("\n\n"):
            if not block.strip():
                continue
            fields = dict(line.split(": ", 1) for line in block.splitlines())
            out.append((fields["event"], json.loads(fields["data"])))
        return out


class Client:
    """An aiohttp client session (kept-alive connections) bound to one stand-in."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session, self.base_url = session, base_url

    async def request(
        self, method: str, path: str, body: Any = None, *, chunked: bool = False
    ) -> Response:
        data = None if body is None else json.dumps(body).encode()
        payload: Any = data
        if chunked and data is not None:

            async def halves() -> AsyncIterator[bytes]:
                yield data[: len(data) // 2]
                yield data[len(data) // 2 :]

            payload = halves()
        async with self.session.request(
            method,
            self.base_url + path,
            data=payload,
            headers={"content-type": "application/json"},
        ) as response:
            return Response(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                await response.read(),
            )


@asynccontextmanager
async def connect(api: ClaudeApiStandIn) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(session, api.base_url)


def conversation(text: str = "make the build folder", *, stream: bool = True) -> dict[str, Any]:
    return {
        "model": "claude-test",
        "max_tokens": 1024,
        "stream": stream,
        "tools": TOOLS,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
    }


def side_request() -> dict[str, Any]:
    # Like Claude Code's title / quota requests: no tools.
    return {
        "model": "claude-haiku",
        "max_tokens": 1,
        "stream": False,
        "messages": [{"role": "user", "content": "quota"}],
    }


@pytest.fixture
async def api() -> AsyncIterator[ClaudeApiStandIn]:
    async with ClaudeApiStandIn([BASH]) as stand_in:
        yield stand_in


@pytest.fixture
async def client(api: ClaudeApiStandIn) -> AsyncIterator[Client]:
    async with connect(api) as c:
        yield c


async def test_tool_use_is_streamed_in_the_real_event_order(client: Client) -> None:
    response = await client.request("POST", "/v1/messages?beta=true", conversation())
    assert response.status == 200
    assert response.headers["content-type"] == "text/event-stream"
    events = response.events()
    names = [name for name, _ in events]
    assert names[:2] == ["message_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    assert [d["index"] for n, d in events if n == "content_block_start"] == [0, 1]
    text = "".join(
        d["delta"]["text"] for n, d in events if n == "content_block_delta" and d["index"] == 0
    )
    arguments = "".join(
        d["delta"]["partial_json"]
        for n, d in events
        if n == "content_block_delta" and d["index"] == 1
    )
    assert text == "I'll create it."
    assert json.loads(arguments) == BASH.input
    tool_block = next(
        d["content_block"] for n, d in events if n == "content_block_start" and d["index"] == 1
    )
    assert tool_block["type"] == "tool_use"
    assert tool_block["name"] == "Bash"
    assert tool_block["id"].startswith("toolu_")
    assert events[0][1]["message"]["model"] == "claude-test"
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"
    # Every block that starts also stops, before the message ends.
    assert names.count("content_block_start") == names.count("content_block_stop") == 2


async def test_side_requests_do_not_consume_scripted_turns(
    api: ClaudeApiStandIn, client: Client
) -> None:
    side = await client.request("POST", "/v1/messages", side_request())
    assert side.json()["content"][0]["type"] == "text"
    main = await client.request("POST", "/v1/messages", conversation(stream=False))
    body = main.json()
    assert body["stop_reason"] == "tool_use"
    assert body["content"][1]["input"] == BASH.input
    assert [r.main for r in api.requests] == [False, True]
    assert api.requests[1].turn == BASH
    assert api.requests[1].last_user_text() == "make the build folder"


async def test_default_reply_when_the_script_runs_out(client: Client) -> None:
    await client.request("POST", "/v1/messages", conversation())
    response = await client.request("POST", "/v1/messages", conversation(stream=False))
    assert response.json()["content"] == [{"type": "text", "text": "Done."}]
    assert response.json()["stop_reason"] == "end_turn"


async def test_errors_repeat_for_their_count_and_say_not_to_retry() -> None:
    script: list[ScriptStep] = [ApiError(529, "Overloaded", times=2), TextReply("back")]
    async with ClaudeApiStandIn(script) as api, connect(api) as client:
        first = await client.request("POST", "/v1/messages", conversation())
        second = await client.request("POST", "/v1/messages", conversation())
        third = await client.request("POST", "/v1/messages", conversation(stream=False))
    assert first.status == second.status == 529
    assert first.json() == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    assert first.headers["x-should-retry"] == "false"
    assert third.json()["content"][0]["text"] == "back"


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, "authentication_error"), (429, "rate_limit_error"), (500, "api_error")],
)
async def test_error_types_follow_the_status(status: int, kind: str) -> None:
    async with ClaudeApiStandIn([ApiError(status)]) as api, connect(api) as client:
        response = await client.request("POST", "/v1/messages", conversation())
    assert response.status == status
    assert response.json()["error"]["type"] == kind
    assert ("retry-after" in response.headers) == (status == 429)


async def test_other_endpoints_answer_sensibly(client: Client) -> None:
    tokens = await client.request("POST", "/v1/messages/count_tokens", conversation())
    assert tokens.status == 200
    assert tokens.json()["input_tokens"] > 0
    probe = await client.request("HEAD", "/")
    assert probe.status == 200
    assert probe.body == b""
    missing = await client.request("GET", "/v1/nowhere")
    assert missing.status == 404
    assert "nowhere" in missing.json()["error"]["message"]
    page = await client.request("GET", "/docs/page")  # what a WebFetch of a local URL gets
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert b"/docs/page" in page.body


async def test_chunked_request_bodies_are_read(api: ClaudeApiStandIn, client: Client) -> None:
    response = await client.request("POST", "/v1/messages", conversation("chunked"), chunked=True)
    assert response.status == 200
    assert api.requests[0].last_user_text() == "chunked"


async def test_garbage_gets_400_and_the_server_keeps_serving(api: ClaudeApiStandIn) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    try:
        writer.write(b"\x00\x01 nonsense\r\n\r\n")
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
        await writer.wait_closed()
    assert status_line.split()[1] == b"400"
    async with connect(api) as good:
        assert (await good.request("POST", "/v1/messages", conversation())).status == 200


async def test_a_step_can_be_built_from_the_request(client: Client) -> None:
    seen: list[Any] = []

    def echo(body: Any) -> TextReply:
        seen.append(body)
        return TextReply(f"you said {body['messages'][0]['content'][0]['text']}")

    steps: list[ScriptStep] = [echo]
    async with ClaudeApiStandIn(steps) as api, connect(api) as other:
        response = await other.request("POST", "/v1/messages", conversation("hi", stream=False))
    assert response.json()["content"][0]["text"] == "you said hi"
    assert seen[0]["model"] == "claude-test"


async def test_a_failing_step_becomes_a_500_and_the_script_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(body: Any) -> TextReply:
        raise KeyError("missing")

    steps: list[ScriptStep] = [broken, TextReply("next")]
    async with ClaudeApiStandIn(steps) as api, connect(api) as other:
        failed = await other.request("POST", "/v1/messages", conversation())
        after = await other.request("POST", "/v1/messages", conversation(stream=False))
    assert failed.status == 500
    assert "script step failed" in failed.json()["error"]["message"]
    assert after.json()["content"][0]["text"] == "next"
    assert "script step" in caplog.text


async def test_it_restarts_keeping_its_script_and_record() -> None:
    api = ClaudeApiStandIn([TextReply("one"), TextReply("two")])
    async with api, connect(api) as client:
        first = await client.request("POST", "/v1/messages", conversation(stream=False))
    await api.aclose()  # idempotent
    with pytest.raises(RuntimeError, match="not running"):
        _ = api.port
    async with api, connect(api) as client:
        second = await client.request("POST", "/v1/messages", conversation(stream=False))
    assert [first.json()["content"][0]["text"], second.json()["content"][0]["text"]] == [
        "one",
        "two",
    ]
    assert len(api.main_requests) == 2


async def test_stop_cuts_off_a_delayed_answer(api: ClaudeApiStandIn) -> None:
    api.push(TextReply("late", delay=60))
    async with connect(api) as client:
        # The fixture's script holds BASH first; this request takes it, the next one waits.
        await client.request("POST", "/v1/messages", conversation())
        pending = asyncio.create_task(client.request("POST", "/v1/messages", conversation()))
        await api.wait_for_main_requests(2, timeout=5)
        started = time.monotonic()
        await api.stop()
        took = time.monotonic() - started
        with pytest.raises(aiohttp.ClientError):
            await pending
    assert took < 5.0


async def test_wait_for_main_requests(api: ClaudeApiStandIn, client: Client) -> None:
    waiter = asyncio.create_task(api.wait_for_main_requests(1, timeout=5))
    await asyncio.sleep(0)
    assert not waiter.done()
    await client.request("POST", "/v1/messages", side_request())
    await client.request("POST", "/v1/messages", conversation())
    recorded = await waiter
    assert recorded.main
    assert recorded.turn == BASH


def test_base_url_before_start_names_the_fix() -> None:
    with pytest.raises(RuntimeError, match="async with"):
        _ = ClaudeApiStandIn().base_url


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ([], "JSON object"),
        ({"type": "tool_use"}, "missing key 'name'"),
        ({"type": "tool_use", "name": "Bash", "input": []}, "'input' \\(object\\)"),
        ({"type": "error", "status": 200}, "400-599"),
        ({"type": "text", "text": "x", "delay": -1}, "delay"),
        ({"type": "poem"}, "'tool_use', 'text' or 'error'"),
    ],
)
def test_bad_turns_are_named(item: Any, message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        turn_from_json(item)


def test_load_script_names_file_and_turn(tmp_path: Path) -> None:
    path = tmp_path / "turns.json"
    path.write_text(json.dumps([{"type": "text", "text": "ok"}, {"type": "error"}]))
    with pytest.raises(ScriptError, match=r"turns\.json: turn 1: .*'status'"):
        load_script(path)
    path.write_text(
        json.dumps(
            [
                {"type": "tool_use", "name": "Write", "input": {"file_path": "a"}, "delay": 1},
                {"type": "error", "status": 429, "times": 3, "headers": {"retry-after": "5"}},
            ]
        )
    )
    assert load_script(path) == [
        ToolUse("Write", {"file_path": "a"}, None, 1.0),
        ApiError(429, "", None, 3, False, {"retry-after": "5"}),
    ]


def _support_env() -> dict[str, str]:
    # `python -m support.claude_api` needs tests/ on the path, as the module docstring says.
    return {**os.environ, "PYTHONPATH": str(TESTS)}


async def test_command_line_serves_a_script(tmp_path: Path) -> None:
    script = tmp_path / "turns.json"
    script.write_text(json.dumps([{"type": "text", "text": "from the file"}]))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "support.claude_api", "--port", "0", "--script", str(script),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_support_env(),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            client = Client(session, line.removeprefix("listening on "))
            response = await client.request("POST", "/v1/messages", conversation(stream=False))
        assert response.json()["content"][0]["text"] == "from the file"
    finally:
        proc.terminate()
        await proc.communicate()


async def test_command_line_rejects_a_bad_script(tmp_path: Path) -> None:
    script = tmp_path / "turns.json"
    script.write_text("{not json")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "support.claude_api", "--script", str(script),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_support_env(),
    )  # fmt: skip
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "turns.json" in err.decode()
    assert "JSON" in err.decode()


# -- against the real Claude Code -------------------------------------------------------------


async def _wait_screen(
    tmux: PrivateTmuxServer, pane: str, needle: str, timeout: float = 30.0
) -> str:
    async def shown() -> str:
        screen = await tmux.capture_async(pane)
        return screen if needle in screen else ""

    return await eventually_async(shown, timeout=timeout, interval=0.1)


@pytest.fixture
def claude_binary() -> Path:
    try:
        return find_claude_binary()
    except ClaudeCodeNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.mark.e2e
@pytest.mark.tmux
async def test_real_claude_code_takes_the_scripted_turn_and_sends_the_result(
    tmp_path: Path, claude_binary: Path, tmux_server: PrivateTmuxServer
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    home = prepare_home(tmp_path / "home", trusted=[project])
    bash = ToolUse(
        "Bash", {"command": "touch ok.txt && echo yesman-e2e-ok", "description": "Say ok"}
    )
    tmux = tmux_server
    async with ClaudeApiStandIn([bash, TextReply("All good.")]) as api:
        pane = await start_claude(
            ClaudeLaunch(
                socket=tmux.socket_name,
                home=home,
                cwd=project,
                base_url=api.base_url,
                binary=claude_binary,
            )
        )
        await _wait_screen(tmux, pane, "for shortcuts")
        await tmux.run_async("send-keys", "-t", pane, "-l", "say ok")
        await tmux.run_async("send-keys", "-t", pane, "Enter")
        screen = await _wait_screen(tmux, pane, "Do you want to proceed?")
        assert "touch ok.txt && echo yesman-e2e-ok" in screen
        assert api.main_requests[0].turn == bash
        assert api.main_requests[0].last_user_text().endswith("say ok")
        # Claude Code 2.1.x ignores keys that arrive within ~200 ms of a dialog being drawn.
        await asyncio.sleep(0.3)
        await tmux.run_async("send-keys", "-t", pane, "1")
        follow_up = await api.wait_for_main_requests(2)
        assert "yesman-e2e-ok" in follow_up.last_user_text()
        await _wait_screen(tmux, pane, "All good.")
    assert (project / "ok.txt").exists()
