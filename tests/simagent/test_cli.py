"""The simulated agent as a real program: in a real tmux pane, and on plain pipes."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from yesman._simagent.cli import command, read_log
from yesman._simagent.scenarios import DEFAULT_SCENARIOS, builtin_scenarios
from yesman.testing import PrivateTmuxServer, eventually

POINTER = "\u276f"  # the highlight mark Claude Code draws
AGENT = command()  # the default list, as `yesman demo` would start it


def _events(path: Path, event: str) -> list[dict[str, Any]]:
    return [entry for entry in read_log(path) if entry["event"] == event]


def _start(
    tmux: PrivateTmuxServer, log: Path, *args: str, width: int = 80, height: int = 40
) -> str:
    argv = [*command(log=log, speed=10, pause=1, blink=False), *args]
    return tmux.new_session("agent", argv, width=width, height=height)


def _wait_dialog(log: Path, count: int) -> dict[str, Any]:
    """The `count`-th dialog_shown entry, once it is logged."""
    shown = eventually(lambda: (found := _events(log, "dialog_shown"))[count - 1 :] and found)
    return shown[count - 1]


@pytest.mark.tmux
def test_digit_answers_the_dialog_and_the_next_one_follows(
    tmux_server: PrivateTmuxServer, tmp_path: Path
) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--scenario", "bash", "--scenario", "write")

    first = _wait_dialog(log, 1)
    assert first["scenario"] == "bash"
    rows = [line.rstrip() for line in tmux_server.capture(pane).splitlines()]
    # the dialog sits on the last rows, as Claude Code draws it
    assert rows[-3:] == ["   3. No", "", " Esc to cancel · Tab to amend"]
    question = rows.index(" Do you want to proceed?")
    assert rows[question - 2 : question] == [" npm test", "╌" * 80]
    assert rows[question + 1] == f" {POINTER} 1. Yes"
    assert rows[question + 2].startswith("   2. Yes, and don't ask again for npm test commands")

    tmux_server.run("send-keys", "-t", pane, "1")
    second = _wait_dialog(log, 2)
    assert second["scenario"] == "write"
    answered = _events(log, "answered")
    assert [(a["dialog"], a["option"], a["label"]) for a in answered] == [(1, 1, "Yes")]
    screen_text = tmux_server.capture(pane)
    assert "  Ran 1 shell command" in screen_text
    assert "● All 12 tests passed." in screen_text
    assert "Do you want to create hello.txt?" in screen_text
    assert "Do you want to proceed?" not in screen_text

    tmux_server.run("send-keys", "-t", pane, "3")
    eventually(lambda: _events(log, "idle"))
    eventually(lambda: "? for shortcuts" in tmux_server.capture(pane))
    assert "Interrupted · What should Claude do instead?" in tmux_server.capture(pane)
    keys = _events(log, "key")
    assert [(k["key"], k["dialog"]) for k in keys] == [("1", 1), ("3", 2)]


@pytest.mark.tmux
def test_a_second_answer_is_logged_as_a_stray_key(
    tmux_server: PrivateTmuxServer, tmp_path: Path
) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--scenario", "bash")
    _wait_dialog(log, 1)
    tmux_server.run("send-keys", "-t", pane, "1")
    eventually(lambda: _events(log, "answered"))
    tmux_server.run("send-keys", "-t", pane, "1")  # the double answer a watcher must never send
    strays = eventually(lambda: [k for k in _events(log, "key") if k["dialog"] is None])
    assert strays[0]["key"] == "1"
    assert strays[0]["state"] in ("pause", "idle")
    assert len(_events(log, "answered")) == 1


def test_read_log_skips_a_half_written_line(tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    log.write_text('{"t": 1, "event": "start"}\n{"t": 2, "ev', encoding="utf-8")
    assert read_log(log) == [{"t": 1, "event": "start"}]
    assert read_log(tmp_path / "missing.jsonl") == []


@pytest.mark.tmux
def test_arrows_enter_and_escape(tmux_server: PrivateTmuxServer, tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--scenario", "question", "--scenario", "dangerous")
    _wait_dialog(log, 1)
    tmux_server.run("send-keys", "-t", pane, "Down")
    eventually(lambda: f"{POINTER} 2. SQLite" in tmux_server.capture(pane))
    tmux_server.run("send-keys", "-t", pane, "Enter")
    _wait_dialog(log, 2)
    assert _events(log, "answered")[0]["label"] == "SQLite"
    screen = tmux_server.capture(pane)
    assert "· Which database should the service use? → SQLite" in screen
    assert " Dangerous rm operation on critical path: /" in screen

    tmux_server.run("send-keys", "-t", pane, "Escape")
    cancelled = eventually(lambda: _events(log, "cancelled"))
    assert cancelled[0]["scenario"] == "dangerous"
    assert not [a for a in _events(log, "answered") if a["scenario"] == "dangerous"]


@pytest.mark.tmux
def test_unnumbered_dialog_ignores_digits(tmux_server: PrivateTmuxServer, tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--scenario", "apikey")
    _wait_dialog(log, 1)
    assert f"  {POINTER} No (recommended)" in tmux_server.capture(pane)
    tmux_server.run("send-keys", "-t", pane, "1")
    eventually(lambda: _events(log, "key"))
    assert not _events(log, "answered")
    tmux_server.run("send-keys", "-t", pane, "Up", "Enter")
    answered = eventually(lambda: _events(log, "answered"))
    assert answered[0]["label"] == "Yes"


@pytest.mark.tmux
def test_redraws_at_the_new_width_on_resize(tmux_server: PrivateTmuxServer, tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--scenario", "long", "--scenario", "edit", width=120)
    _wait_dialog(log, 1)
    assert "╌" * 120 in tmux_server.capture(pane)
    tmux_server.run("resize-window", "-t", "agent", "-x", "50", "-y", "40")
    eventually(lambda: _events(log, "resize"))

    def redrawn() -> list[str]:
        lines = tmux_server.capture(pane).splitlines()
        return [] if any(len(line) > 50 for line in lines) else lines

    lines = eventually(redrawn)
    assert "╌" * 50 in lines
    assert sum(line.startswith(" │ ") for line in lines) >= 3  # the command wraps behind "│"

    tmux_server.run("send-keys", "-t", pane, "1")
    _wait_dialog(log, 2)
    lines = eventually(lambda: [ln for ln in tmux_server.capture(pane).splitlines() if ln])
    option = lines.index("   2. Yes, and switch to accept edits")
    assert lines[option + 1].startswith("      (auto-approve")  # continuation under the text


@pytest.mark.tmux
def test_hold_timeout_cancels_an_unanswered_dialog(
    tmux_server: PrivateTmuxServer, tmp_path: Path
) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--scenario", "dangerous", "--hold-timeout", "0.3")
    eventually(lambda: _events(log, "idle"))
    assert [e["scenario"] for e in _events(log, "hold_timeout")] == ["dangerous"]
    assert not _events(log, "answered")
    assert "nobody answered in 0.3s" in tmux_server.capture(pane)


@pytest.mark.tmux
def test_loop_repeats_the_harmless_scenarios(
    tmux_server: PrivateTmuxServer, tmp_path: Path
) -> None:
    log = tmp_path / "agent.jsonl"
    pane = _start(tmux_server, log, "--loop")
    catalogue = builtin_scenarios("/")
    harmless = [name for name in DEFAULT_SCENARIOS if catalogue[name].harmless]
    with_dialog = [name for name in harmless if catalogue[name].dialog is not None]
    for count in range(1, len(with_dialog) + 2):
        _wait_dialog(log, count)
        tmux_server.run("send-keys", "-t", pane, "1")
    names = [e["scenario"] for e in _events(log, "dialog_shown")]
    assert names[: len(with_dialog) + 1] == [*with_dialog, with_dialog[0]]
    assert "dangerous" not in names
    # the text reply with a numbered list came round too, and took no key
    assert "list" in [e["scenario"] for e in _events(log, "text_shown")]
    assert all(k["dialog"] is not None for k in _events(log, "key"))


# -- without tmux: pipes, signals, bad arguments


def test_runs_on_pipes_and_exits_at_end_of_input(tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    done = subprocess.run(
        [*AGENT, "--scenario", "bash", "--log", str(log), "--speed", "1000"],
        input=b"",
        capture_output=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0
    assert _events(log, "exit")[0]["reason"] == "eof"


def test_sigterm_ends_it_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    with subprocess.Popen(
        [*AGENT, "--scenario", "bash", "--log", str(log)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    ) as proc:
        eventually(lambda: _events(log, "start"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdin is not None
        proc.stdin.close()
    assert _events(log, "exit")[0]["reason"] == "SIGTERM"


def test_a_vanished_terminal_ends_it(tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    with subprocess.Popen(
        [*AGENT, "--scenario", "bash", "--log", str(log)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        proc.stdout.close()  # like a pane whose terminal is gone
        assert proc.wait(timeout=10) == 0
        assert proc.stderr is not None
        assert b"Traceback" not in proc.stderr.read()
    assert _events(log, "exit")[0]["reason"] == "output closed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "--speed must be positive"),
        (["--scenario", "nope"], "invalid choice: 'nope'"),
        (["--log", "/proc/no/such/dir/log"], "cannot open --log"),
    ],
)
def test_bad_arguments_are_explained(args: list[str], message: str) -> None:
    done = subprocess.run([*AGENT, *args], capture_output=True, text=True, timeout=20, check=False)
    assert done.returncode == 2
    assert message in done.stderr


def test_list_names_every_scenario() -> None:
    done = subprocess.run(
        [*AGENT, "--list"], capture_output=True, text=True, timeout=20, check=True
    )
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == list(builtin_scenarios("/"))
