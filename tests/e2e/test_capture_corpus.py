"""scripts/capture_corpus.py against the real Claude Code: a capture reproduces the stored one."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from capture_corpus import CORPUS, capture_all

from support.claude_code import ClaudeCodeNotFoundError, claude_version, find_claude_binary
from support.corpus_scenarios import SCENARIOS

pytestmark = [pytest.mark.e2e, pytest.mark.tmux]


@pytest.fixture(scope="module")
def claude() -> tuple[Path, str]:
    """The Claude Code binary and its version."""
    try:
        binary = find_claude_binary()
    except ClaudeCodeNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Claude Code is not installed ({exc}); run: npm ci --prefix tools/claude-code")
    return binary, claude_version(binary)


@pytest.mark.parametrize("name", ["idle_start", "bash_short"])
async def test_a_capture_reproduces_the_stored_one(
    name: str, tmp_path: Path, claude: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # One size only: each capture starts Claude Code afresh (4 to 7 s).
    scenario = dataclasses.replace(
        next(sc for sc in SCENARIOS if sc.name == name), sizes=((80, 40),)
    )
    failures = await capture_all([scenario], tmp_path, *claude)
    assert failures == 0, capsys.readouterr().out
    stem = f"{name}_w80"
    stored = CORPUS / claude[1]  # one folder per Claude Code version
    assert _read(tmp_path / f"{stem}.json") == _read(stored / f"{stem}.json")
    assert _read(tmp_path / f"{stem}.txt") == _read(stored / f"{stem}.txt")


def _read(path: Path) -> str:
    # The pending tool call's bullet blinks while its dialog waits: either phase is the screen.
    return path.read_text(encoding="utf-8").replace("●", " ")
