"""The Anthropic API stand-in, spoken to over real sockets the way Claude Code's SDK does."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from pathlib import Path
from typing import Any

import pytest

from yesman.testing.claude_api import (
    ApiError,
    ClaudeApiStandIn,
    ScriptError,
    ScriptStep,
    TextReply,
    ToolUse,
    load_script,
    turn_from_json,
)
from yesman.testing.claude_code import (
    ClaudeCodeNotFoundError,
    ClaudeLaunch,
    find_claude_binary,
    prepare_home,
    start_claude,
)

TOOLS = [{"name": "Bash", "description": "Run a command", "input_schema": {"type": "object"}}]
BASH = ToolUse(
    "Bash",
    {"command": "mkdir -p build && touch build/out.txt", "description": "Create the build folder"},
    text="I'll create it.",
)


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

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
    """A minimal HTTP/1.1 client over one kept-alive connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> Client:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()

    async def send_raw(self, data: bytes, *, head: bool = False) -> Response:
        self.writer.write(data)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        if head:
            return Response(status, headers, b"")
        if headers.get("transfer-encoding") == "chunked":
            body = bytearray()
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            await self.reader.readexactly(2)
            return Response(status, headers, bytes(body))
        length = int(headers.get("content-length", "0"))
        return Response(status, headers, await self.reader.readexactly(length))

    async def request(
        self, method: str, path: str, body: Any = None, *, chunked: bool = False
    ) -> Response:
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
        if chunked:
            half = len(data) // 2
            payload = (
                b"".join(
                    f"{len(part):x}\r\n".encode() + part + b"\r\n"
                    for part in (data[:half], data[half:])
                    if part
                )
                + b"0\r\n\r\n"
            )
            head += "transfer-encoding: chunked\r\n\r\n"
        else:
            payload = data
            head += f"content-length: {len(data)}\r\n\r\n"
        return await self.send_raw(head.encode() + payload, head=method == "HEAD")


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
async def api() -> Any:
    async with ClaudeApiStandIn([BASH]) as stand_in:
        yield stand_in


@pytest.fixture
async def client(api: ClaudeApiStandIn) -> Any:
    c = await Client.connect(api.port)
    yield c
    await c.close()


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
    async with ClaudeApiStandIn(script) as api:
        client = await Client.connect(api.port)
        try:
            first = await client.request("POST", "/v1/messages", conversation())
            second = await client.request("POST", "/v1/messages", conversation())
            third = await client.request("POST", "/v1/messages", conversation(stream=False))
        finally:
            await client.close()
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
    async with ClaudeApiStandIn([ApiError(status)]) as api:
        client = await Client.connect(api.port)
        try:
            response = await client.request("POST", "/v1/messages", conversation())
        finally:
            await client.close()
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
    bad = await Client.connect(api.port)
    try:
        response = await bad.send_raw(b"\x00\x01 nonsense\r\n\r\n")
    finally:
        await bad.close()
    assert response.status == 400
    assert "request line" in response.json()["error"]["message"]
    good = await Client.connect(api.port)
    try:
        assert (await good.request("POST", "/v1/messages", conversation())).status == 200
    finally:
        await good.close()


async def test_a_step_can_be_built_from_the_request(client: Client) -> None:
    seen: list[Any] = []

    def echo(body: Any) -> TextReply:
        seen.append(body)
        return TextReply(f"you said {body['messages'][0]['content'][0]['text']}")

    steps: list[ScriptStep] = [echo]
    async with ClaudeApiStandIn(steps) as api:
        other = await Client.connect(api.port)
        try:
            response = await other.request("POST", "/v1/messages", conversation("hi", stream=False))
        finally:
            await other.close()
    assert response.json()["content"][0]["text"] == "you said hi"
    assert seen[0]["model"] == "claude-test"


async def test_a_failing_step_becomes_a_500_and_the_script_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(body: Any) -> TextReply:
        raise KeyError("missing")

    steps: list[ScriptStep] = [broken, TextReply("next")]
    async with ClaudeApiStandIn(steps) as api:
        other = await Client.connect(api.port)
        try:
            failed = await other.request("POST", "/v1/messages", conversation())
            after = await other.request("POST", "/v1/messages", conversation(stream=False))
        finally:
            await other.close()
    assert failed.status == 500
    assert "script step failed" in failed.json()["error"]["message"]
    assert after.json()["content"][0]["text"] == "next"
    assert "script step" in caplog.text


async def test_a_closed_stand_in_does_not_reopen() -> None:
    api = ClaudeApiStandIn()
    async with api:
        pass
    await api.aclose()  # idempotent
    with pytest.raises(RuntimeError, match="create a new one"):
        await api.start()


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


async def test_command_line_serves_a_script(tmp_path: Path) -> None:
    script = tmp_path / "turns.json"
    script.write_text(json.dumps([{"type": "text", "text": "from the file"}]))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "yesman.testing.claude_api",
        "--port",
        "0",
        "--script",
        str(script),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert line.startswith("listening on http://127.0.0.1:")
        client = await Client.connect(int(line.rsplit(":", 1)[1]))
        try:
            response = await client.request("POST", "/v1/messages", conversation(stream=False))
        finally:
            await client.close()
        assert response.json()["content"][0]["text"] == "from the file"
    finally:
        proc.terminate()
        await proc.communicate()


async def test_command_line_rejects_a_bad_script(tmp_path: Path) -> None:
    script = tmp_path / "turns.json"
    script.write_text("{not json")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "yesman.testing.claude_api",
        "--script",
        str(script),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "turns.json" in err.decode()
    assert "JSON" in err.decode()


# -- against the real Claude Code -------------------------------------------------------------


async def _tmux(socket: str, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "tmux", "-L", socket, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return out.decode()


async def _wait_screen(socket: str, pane: str, needle: str, timeout: float = 30.0) -> str:
    screen = ""
    for _ in range(int(timeout * 10)):
        screen = await _tmux(socket, "capture-pane", "-p", "-t", pane)
        if needle in screen:
            return screen
        await asyncio.sleep(0.1)
    raise AssertionError(f"{needle!r} not on screen after {timeout}s:\n{screen}")


@pytest.fixture
def claude_binary() -> Path:
    try:
        return find_claude_binary()
    except ClaudeCodeNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture
async def tmux_socket() -> Any:
    socket = f"yesman-test-{secrets.token_hex(4)}"
    yield socket
    await _tmux(socket, "kill-server")


@pytest.mark.e2e
@pytest.mark.tmux
async def test_real_claude_code_takes_the_scripted_turn_and_sends_the_result(
    tmp_path: Path, claude_binary: Path, tmux_socket: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    home = prepare_home(tmp_path / "home", trusted=[project])
    bash = ToolUse(
        "Bash", {"command": "touch ok.txt && echo yesman-e2e-ok", "description": "Say ok"}
    )
    async with ClaudeApiStandIn([bash, TextReply("All good.")]) as api:
        pane = await start_claude(
            ClaudeLaunch(
                socket=tmux_socket,
                home=home,
                cwd=project,
                base_url=api.base_url,
                binary=claude_binary,
            )
        )
        await _wait_screen(tmux_socket, pane, "for shortcuts")
        await _tmux(tmux_socket, "send-keys", "-t", pane, "-l", "say ok")
        await _tmux(tmux_socket, "send-keys", "-t", pane, "Enter")
        screen = await _wait_screen(tmux_socket, pane, "Do you want to proceed?")
        assert "touch ok.txt && echo yesman-e2e-ok" in screen
        assert api.main_requests[0].turn == bash
        assert api.main_requests[0].last_user_text().endswith("say ok")
        # Claude Code 2.1.x ignores keys that arrive within ~200 ms of a dialog being drawn.
        await asyncio.sleep(0.3)
        await _tmux(tmux_socket, "send-keys", "-t", pane, "1")
        follow_up = await api.wait_for_main_requests(2)
        assert "yesman-e2e-ok" in follow_up.last_user_text()
        await _wait_screen(tmux_socket, pane, "All good.")
    assert (project / "ok.txt").exists()
