"""Quoting and validation of what goes down the control channel."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from yesman.testing import PrivateTmuxServer
from yesman.tmux import ControlClient, InvalidKeyError, InvalidTargetError, check_key, quote
from yesman.tmux._commands import check_pane_id, check_session_id, command_line

NASTY = [
    pytest.param("plain", id="plain"),
    pytest.param("", id="empty"),
    pytest.param("it's", id="single-quote"),
    pytest.param('say "hi"', id="double-quote"),
    pytest.param("$HOME ~ ${X}", id="expansions"),
    pytest.param("#{pane_id} #[fg=red]", id="formats"),
    pytest.param("a; kill-server", id="command-separator"),
    pytest.param("# comment", id="comment"),
    pytest.param("{ braces }", id="braces"),
    pytest.param("back\\slash\\", id="backslash"),
    pytest.param("tab\there\x1b[31mesc\x7f", id="control-chars"),
    pytest.param("-t %0", id="looks-like-flags"),
    pytest.param("\u276f 1. Yes \u2192 \u00fcn\u00efcode", id="unicode"),
]


@pytest.mark.parametrize("text", NASTY)
def test_quote_is_one_line(text: str) -> None:
    assert "\n" not in quote(text)
    assert "\r" not in quote(text)


@pytest.mark.tmux
@pytest.mark.parametrize("text", NASTY)
async def test_quoted_text_reaches_tmux_unchanged(
    tmux_server: PrivateTmuxServer, text: str, tmp_path: Path
) -> None:
    tmux_server.new_session("q")
    out = tmp_path / "buffer"
    async with ControlClient(tmux_server.server) as client:
        # framed, because tmux keeps no empty buffer; saved to a file because show-buffer escapes
        await client.command("set-buffer", "-b", "probe", "--", f"<{text}>")
        await client.command("save-buffer", "-b", "probe", str(out))
        assert out.read_text(encoding="utf-8") == f"<{text}>"


@pytest.mark.parametrize("text", ["a\x00b", "bad \udc80 surrogate"], ids=["nul", "surrogate"])
def test_text_tmux_cannot_carry_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"NUL|UTF-8"):
        quote(text)


_ALPHABET = "aZ09 '\"\\$~#{}[];%-\t\n\r\x1b\x01\x7f\u00e9\u276f\u4e2d\U0001f600"


@pytest.mark.tmux
async def test_random_texts_survive_the_round_trip(
    tmux_server: PrivateTmuxServer, tmp_path: Path
) -> None:
    rng = random.Random(5)  # fixed seed: the same 200 texts every run
    texts = ["".join(rng.choices(_ALPHABET, k=rng.randint(1, 40))) for _ in range(200)]
    tmux_server.new_session("rt")
    out = tmp_path / "buffer"
    async with ControlClient(tmux_server.server) as client:
        for text in texts:
            await client.command("set-buffer", "-b", "probe", "--", text)
            await client.command("save-buffer", "-b", "probe", str(out))
            assert out.read_bytes().decode("utf-8") == text


def test_command_line_quotes_arguments_not_the_name() -> None:
    assert command_line("send-keys", "-t", "%1", "a b") == "send-keys '-t' '%1' 'a b'"


@pytest.mark.parametrize(
    "argv",
    [("send-keys; kill-server",), ("Send-Keys",), ("",), ("if-shell", "true", "kill-server")],
    ids=["separator", "case", "empty", "queueing"],
)
def test_only_plain_single_commands_go_down_the_channel(argv: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="command"):
        command_line(*argv)


@pytest.mark.parametrize(
    "key", ["1", "9", "y", "Escape", "Enter", "C-c", "M-x", "C-M-a", "Up", "F5", "BSpace", "\u276f"]
)
def test_keys_accepted(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize(
    "key", ["", "yes", "rm -rf /", "Enter\n", "C-", "\x1b", "escape", "1 2", "C-Enterx"]
)
def test_keys_that_tmux_would_type_as_text_are_refused(key: str) -> None:
    with pytest.raises(InvalidKeyError, match="send_literal"):
        check_key(key)


@pytest.mark.parametrize("target", ["%0", "%123"])
def test_pane_ids_accepted(target: str) -> None:
    assert check_pane_id(target) == target


@pytest.mark.parametrize("target", ["0", "main:0.1", "%", "%1;kill-server", "%-1", " %1"])
def test_index_targets_refused(target: str) -> None:
    with pytest.raises(InvalidTargetError, match="unique id"):
        check_pane_id(target)


def test_session_ids() -> None:
    assert check_session_id("$3") == "$3"
    with pytest.raises(InvalidTargetError):
        check_session_id("main")
