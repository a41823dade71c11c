"""`yesman explain`: the JSON shape, the human view, and garbage in."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yesman.cli import app

CASES = Path(__file__).parents[1] / "agents" / "claude" / "cases"
runner = CliRunner()


def explain_json(*args: str, stdin: bytes | None = None) -> dict[str, Any]:
    result = runner.invoke(app, ["explain", *args, "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data


def test_json_shape_for_a_bash_dialog() -> None:
    data = explain_json(str(CASES / "bash_basic_120.txt"), "--project", "/home/dev/app")
    assert set(data) == {"state", "prompt", "mode", "decision"}
    assert data["state"] == "waiting"
    prompt = data["prompt"]
    assert isinstance(prompt, dict)
    assert set(prompt) == {
        "kind",
        "tool",
        "target",
        "question",
        "options",
        "highlighted",
        "warning",
        "fingerprint",
    }
    assert prompt["tool"] == "Bash"
    assert prompt["options"][0] == {"number": 1, "text": "Yes"}
    assert data["decision"] == {
        "action": "answer",
        "keys": ["1"],
        "rule": "answer-tool-permission",
        "reason": "ordinary tool permission -> 'Yes'",
    }


def test_reads_stdin_and_uses_a_policy_file(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('[[rules]]\nname = "never"\naction = "hold"\n', encoding="utf-8")
    text = (CASES / "bash_basic_120.txt").read_bytes()
    data = explain_json("-", "--policy", str(policy), stdin=text)
    assert data["decision"]["rule"] == "never"


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff\xfe" * 5000, b"$ ls\nfile1 file2\n$ "],
    ids=["empty", "binary", "shell"],
)
def test_garbage_reads_as_unknown_with_no_action(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "screen.txt"
    path.write_bytes(content)
    data = explain_json(str(path))
    assert data["state"] == "unknown"
    assert data["prompt"] is None
    assert data["decision"]["action"] == "none"


def test_ten_megabyte_file_is_read_from_its_tail(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    with path.open("wb") as fh:
        fh.write(os.urandom(5 * 1024 * 1024))
        fh.write(b"log line 1. Yes\n" * 300_000)
    assert path.stat().st_size > 9 * 1024 * 1024
    data = explain_json(str(path))
    assert data["decision"]["action"] == "none"


def test_human_view_marks_the_dialog_lines() -> None:
    result = runner.invoke(app, ["explain", str(CASES / "bash_warning_100.txt")])
    assert result.exit_code == 0, result.output
    assert "hold" in result.stdout
    assert "guard:dangerous-command" in result.stdout
    screen_lines = result.stdout.split("dialog lines marked", 1)[1].splitlines()
    marked = [line for line in screen_lines if line.startswith("▌")]
    unmarked = [line for line in screen_lines if line.startswith("  ")]
    assert any("Do you want to proceed?" in line for line in marked)
    assert any("Bash command" in line for line in marked)
    assert not any("Bash command" in line for line in unmarked)


def test_missing_screen_and_bad_policy_are_clear_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["explain", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
    assert "cannot read screen" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nname = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["explain", str(CASES / "idle_120.txt"), "--policy", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert "rules[0].name" in result.stderr
