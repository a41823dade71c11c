"""Reading the Claude Code version from its process: package.json first, then --version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from yesman.agents.claude import CLAUDE_CODE
from yesman.agents.claude._version import version_of_process

ROOT = Path(__file__).parents[3]


@dataclass(frozen=True)
class Proc:
    pid: int
    name: str
    cmdline: Sequence[str]


def _package(tmp: Path, version: str, name: str = "@anthropic-ai/claude-code") -> Path:
    package = tmp / "node_modules" / name
    (package / "bin").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": name, "version": version}))
    script = package / "cli.js"
    script.write_text("// the CLI\n")
    return script


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "30"])
    yield proc
    proc.kill()
    proc.wait()


def test_node_running_the_package_script_reads_its_package_json(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    script = _package(tmp_path, "2.1.197")
    # The process's own executable (sleep) says nothing; the script argument does.
    proc = Proc(sleeper.pid, "node", ["node", str(script), "--continue"])
    assert version_of_process(proc) == "2.1.197"
    assert CLAUDE_CODE.version_of_process(proc) == "2.1.197"


def test_another_package_or_no_package_gives_no_version(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    other = _package(tmp_path / "a", "9.9.9", name="left-pad")
    assert version_of_process(Proc(sleeper.pid, "node", ["node", str(other)])) is None
    loose = tmp_path / "claude.js"
    loose.write_text("")
    assert version_of_process(Proc(sleeper.pid, "node", ["node", str(loose)])) is None
    # A process that is gone: nothing to read, no error.
    assert version_of_process(Proc(2**22 + 7, "claude", ["claude"])) is None


def test_an_unknown_program_is_never_run_to_ask_its_version(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    wrapper = tmp_path / "my-wrapper"
    wrapper.write_text(f"#!/bin/sh\ntouch {marker}\necho '2.1.197 (Claude Code)'\n")
    wrapper.chmod(0o755)
    proc = subprocess.Popen([str(wrapper)], stdout=subprocess.DEVNULL)
    proc.wait()
    marker.unlink()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert version_of_process(Proc(sleeper.pid, "python3", [str(wrapper)])) is None
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not marker.exists()


@pytest.mark.parametrize("folder", sorted(p.name for p in ROOT.glob("tools/claude-code*")))
def test_the_pinned_binaries_report_their_pinned_version(folder: str) -> None:
    tools = ROOT / "tools" / folder
    binary = tools / "node_modules" / ".bin" / "claude"
    if not binary.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is missing; .ci/run installs it with npm ci")
        pytest.skip(f"{folder} is not installed (npm ci --prefix tools/{folder})")
    pinned = json.loads((tools / "package.json").read_text())["dependencies"]
    proc = subprocess.Popen([str(binary), "--help"], stdout=subprocess.DEVNULL)
    try:
        found = version_of_process(Proc(proc.pid, "claude", [str(binary), "--help"]))
    finally:
        proc.kill()
        proc.wait()
    assert found == pinned["@anthropic-ai/claude-code"]
