"""The hook protocol: what the hook writes by hand is JSON the watcher reads back exactly."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yesman.hooks._wire import (
    MAX_PAYLOAD,
    WireError,
    encode_header,
    encode_reply,
    forwarded_env,
    parse_header,
    parse_reply,
)

# Any text an environment can hold: control characters, quotes, backslashes, non-ASCII, and
# lone surrogates (what Python makes of undecodable bytes in os.environ).
env_text = st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(
    ["\udcff", "\udc80", '"', "\\", "\n", "\x00", "\u2028"]
))  # fmt: skip


@given(st.dictionaries(env_text, env_text, max_size=5), env_text, st.integers(0, MAX_PAYLOAD))
def test_the_hand_written_header_is_json_that_reads_back_exactly(
    env: dict[str, str], agent: str, length: int
) -> None:
    line = encode_header(op="decide", agent=agent or "x", env=env, length=length, sent=12.5)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    data = json.loads(line)
    assert data == {
        "yesman_hook": 1,
        "op": "decide",
        "agent": agent or "x",
        "env": env,
        "length": length,
        "sent": 12.5,
    }


def test_a_valid_header_parses() -> None:
    line = encode_header(
        op="decide", agent="claude-code", env={"TMUX_PANE": "%3"}, length=2, sent=1
    )
    header = parse_header(line)
    assert header["env"] == {"TMUX_PANE": "%3"}
    assert header["length"] == 2


@pytest.mark.parametrize(
    ("line", "says"),
    [
        pytest.param(b"not json\n", "not JSON", id="garbage"),
        pytest.param(b"[1]\n", "not a JSON object", id="array"),
        pytest.param(b'{"yesman_hook": 2, "op": "decide"}\n', "protocol 2", id="version"),
        pytest.param(b'{"yesman_hook": 1, "op": "rm"}\n', "unknown op", id="op"),
        pytest.param(
            b'{"yesman_hook":1,"op":"decide","agent":"","env":{},"length":0,"sent":0}\n',
            "no agent",
            id="no-agent",
        ),
        pytest.param(
            b'{"yesman_hook":1,"op":"decide","agent":"a","env":{"x":1},"length":0,"sent":0}\n',
            "env",
            id="env-not-strings",
        ),
        pytest.param(
            b'{"yesman_hook":1,"op":"decide","agent":"a","env":{},"length":-1,"sent":0}\n',
            "length",
            id="negative-length",
        ),
        pytest.param(
            b'{"yesman_hook":1,"op":"decide","agent":"a","env":{},"length":99999999,"sent":0}\n',
            "length",
            id="too-long",
        ),
        pytest.param(
            b'{"yesman_hook":1,"op":"decide","agent":"a","env":{},"length":1,"sent":true}\n',
            "send time",
            id="no-time",
        ),
    ],
)
def test_a_bad_header_is_refused_with_the_reason(line: bytes, says: str) -> None:
    with pytest.raises(WireError, match=says):
        parse_header(line)


@given(st.sampled_from(["decided", "unwatched", "refused", "pong"]), st.text(), st.text())
def test_replies_read_back_exactly(status: str, stdout: str, detail: str) -> None:
    got_status, got_stdout, got_detail = parse_reply(
        encode_reply(status, stdout=stdout, detail=detail)
    )
    assert (got_status, got_stdout) == (status, stdout)
    assert got_detail == " ".join(detail.split())  # one line, whatever it held


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"yesman-hook 1 decided", id="no-newline"),
        pytest.param(b"yesman-hook 2 decided\n\n", id="version"),
        pytest.param(b"yesman-hook 1 maybe\n\n", id="status"),
        pytest.param(b"HTTP/1.1 200 OK\r\n\r\n", id="another-server"),
        pytest.param(b"yesman-hook 1 decided\n\n\xff\xfe", id="not-utf8"),
    ],
)
def test_a_reply_that_is_not_the_protocol_is_refused(data: bytes) -> None:
    with pytest.raises(WireError):
        parse_reply(data)


def test_only_agent_neutral_variables_are_forwarded() -> None:
    env = {
        "TMUX": "/tmp/tmux-1/default,1,0",
        "TMUX_PANE": "%1",
        "AI_AGENT": "claude-code_2-1-332_harness",
        "CLAUDE_PROJECT_DIR": "/src/app",
        "ANTHROPIC_API_KEY": "secret",
        "HOME": "/home/me",
    }
    assert forwarded_env(env) == {
        "TMUX": "/tmp/tmux-1/default,1,0",
        "TMUX_PANE": "%1",
        "AI_AGENT": "claude-code_2-1-332_harness",
        "CLAUDE_PROJECT_DIR": "/src/app",
    }
