"""Capture real Codex CLI and Gemini CLI screens into tests/agents/<agent>/corpus/<version>/.

Runs the pinned CLI (``npm ci --prefix tools/codex`` / ``tools/gemini-cli``) in a private tmux
server against its in-process API stand-in (`support.openai_api`, `support.gemini_api`),
drives it into each scenario below at each width, and saves ``capture-pane -p`` (``.txt``),
``capture-pane -p -e`` (``.ansi``) and the expected reading (``.json``). The reading is written
from the scenario, never from the parser; after each capture the parser's reading is compared
and a mismatch is printed as ``CHECK`` so a person looks before the corpus is trusted.

    uv run python scripts/capture_agent_corpus.py codex             # every Codex scenario
    uv run python scripts/capture_agent_corpus.py gemini --width 80 shell
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from yesman.agents import AgentScreen
from yesman.testing import PrivateTmuxServer

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support._scripted import ScriptedApi  # noqa: E402
from support.claude_api import ApiError, TextReply, ToolUse, Turn  # noqa: E402
from support.codex_cli import codex_version, prepare_codex_home, start_codex  # noqa: E402
from support.gemini_api import GeminiApiStandIn  # noqa: E402
from support.gemini_cli import gemini_version, prepare_gemini_home, start_gemini  # noqa: E402
from support.openai_api import OpenAiApiStandIn, apply_patch_command, exec_command  # noqa: E402

WIDTHS: Final = (60, 80, 120, 200)
HEIGHT: Final = 40
_WAIT_S: Final = 30.0
# Where the captured projects live: fixed paths, so every capture shows the same text.
WORK: Final = Path("/tmp/yesman-corpus")
PROJECT: Final = WORK / "project"
OUTSIDE: Final = WORK / "outside"


@dataclass(frozen=True, slots=True)
class Scenario:
    """Turns for the stand-in, keys to type first, the screen to wait for, the reading."""

    name: str
    turns: Sequence[Turn]
    wait: str  # regex on the plain screen
    reading: dict[str, Any]
    keys: Sequence[tuple[str, float]] = ()  # (key, pause before it) sent after `before`
    before: str | None = None  # regex to wait for before the keys
    trusted: bool = True
    note: str = ""
    args: Sequence[str] = field(default_factory=tuple)


def _prompt(  # noqa: PLR0917 - a reading is written as one line per field, in this order
    kind: str,
    tool: str | None,
    target: str | None,
    question: str | None,
    options: Sequence[str],
    highlighted: int = 1,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "tool": tool,
        "target": target,
        "question": question,
        "options": [{"number": i, "text": t} for i, t in enumerate(options, 1)],
        "highlighted": highlighted,
        "warning": None,
    }


def _waiting(prompt: dict[str, Any]) -> dict[str, Any]:
    return {"state": "waiting", "prompt": prompt, "mode": None}


def _state(state: str) -> dict[str, Any]:
    return {"state": state, "prompt": None, "mode": None}


_CODEX_YES: Final = "Yes, proceed (y)"
_CODEX_NO: Final = "No, and tell Codex what to do differently (esc)"
_CODEX_RUN: Final = "Would you like to run the following command?"
_CODEX_EDIT: Final = "Would you like to make the following edits?"

CODEX_SCENARIOS: Final = (
    Scenario(
        "exec_short",
        [exec_command("mkdir -p build && touch build/out.txt", "Create the build folder?")],
        r"Press enter to confirm",
        _waiting(
            _prompt(
                "tool_permission",
                "exec",
                "mkdir -p build && touch build/out.txt",
                _CODEX_RUN,
                [
                    _CODEX_YES,
                    "Yes, and don't ask again for commands that start with `mkdir -p build` (p)",
                    _CODEX_NO,
                ],
            )
        ),
        note="command approval (exec_command with require_escalated)",
    ),
    Scenario(
        "exec_dangerous",
        [exec_command("rm -rf ~/", "Clean up the home folder?")],
        r"Press enter to confirm",
        _waiting(
            _prompt(
                "tool_permission",
                "exec",
                "rm -rf ~/",
                _CODEX_RUN,
                [
                    _CODEX_YES,
                    "Yes, and don't ask again for commands that start with `rm -rf ~/` (p)",
                    _CODEX_NO,
                ],
            )
        ),
        note="dangerous command approval",
    ),
    Scenario(
        "patch_outside",
        [apply_patch_command(str(OUTSIDE / "notes.txt"), "hello")],
        r"Press enter to confirm",
        _waiting(
            _prompt(
                "tool_permission",
                "apply_patch",
                str(OUTSIDE / "notes.txt"),
                _CODEX_EDIT,
                [_CODEX_YES, "Yes, and don't ask again for these files (a)", _CODEX_NO],
            )
        ),
        note="patch approval for a file outside the writable roots",
    ),
    Scenario(
        "trust_folder",
        [],
        r"enter continue",
        _waiting(
            _prompt(
                "trust_folder",
                None,
                str(PROJECT),
                "Trust this folder?",
                ["Trust and continue", "Back to Agent Command Center"],
            )
        ),
        trusted=False,
        note="folder trust at start (untrusted project)",
    ),
    Scenario(
        "busy",
        [TextReply("Thinking it over.", delay=20)],
        r"esc to interrupt",
        _state("busy"),
        note="working, the answer delayed",
    ),
    Scenario("idle", [TextReply("All done.")], r"Worked for", _state("idle"), note="idle"),
    Scenario(
        "api_error",
        [ApiError(500, "The server had an error")],
        r"■ ",
        _state("error"),
        note="HTTP 500, no retries",
    ),
    Scenario(
        "usage_limit",
        [ApiError(429, "You exceeded your quota", error_type="usage_limit_reached")],
        r"usage limit",
        _state("error"),
        note="HTTP 429 usage_limit_reached",
    ),
)

_GEMINI_OPTIONS: Final = ("Allow once", "Allow for this session", "No, suggest changes (esc)")
_GEMINI_EDIT_OPTIONS: Final = (
    "Allow once",
    "Allow for this session",
    "Modify with external editor",
    "No, suggest changes (esc)",
)

GEMINI_SCENARIOS: Final = (
    Scenario(
        "shell_short",
        [
            ToolUse(
                "run_shell_command",
                {"command": "mkdir -p build && touch build/out.txt", "description": "Build dir"},
            )
        ],
        r"suggest changes",
        _waiting(
            _prompt(
                "tool_permission",
                "run_shell_command",
                "mkdir -p build && touch build/out.txt",
                "Allow execution of [Shell]?",
                _GEMINI_OPTIONS,
            )
        ),
        note="shell confirmation",
    ),
    Scenario(
        "shell_dangerous",
        [ToolUse("run_shell_command", {"command": "rm -rf ~/", "description": "Clean up"})],
        r"suggest changes",
        _waiting(
            _prompt(
                "tool_permission",
                "run_shell_command",
                "rm -rf ~/",
                "Allow execution of [Shell]?",
                _GEMINI_OPTIONS,
            )
        ),
        note="dangerous shell confirmation",
    ),
    Scenario(
        "write_file",
        [ToolUse("write_file", {"file_path": str(PROJECT / "hello.txt"), "content": "hello\n"})],
        r"suggest changes",
        _waiting(
            _prompt(
                "tool_permission",
                "write_file",
                "hello.txt",
                "Apply this change?",
                _GEMINI_EDIT_OPTIONS,
            )
        ),
        note="write_file confirmation inside the project",
    ),
    Scenario(
        "write_outside",
        [ToolUse("write_file", {"file_path": str(OUTSIDE / "x.txt"), "content": "x\n"})],
        r"suggest changes",
        _waiting(
            _prompt(
                "tool_permission",
                "write_file",
                "../outside/x.txt",
                "Apply this change?",
                _GEMINI_EDIT_OPTIONS,
            )
        ),
        note="write_file outside the project (folder added with --include-directories)",
        args=("--include-directories", str(OUTSIDE)),
    ),
    Scenario(
        "trust_folder",
        [],
        r"Don't trust",
        _waiting(
            _prompt(
                "trust_folder",
                None,
                None,
                "Do you trust the files in this folder?",
                ["Trust folder (project)", "Trust parent folder (yesman-corpus)", "Don't trust"],
            )
        ),
        trusted=False,
        note="folder trust at start",
    ),
    Scenario(
        "busy",
        [TextReply("Thinking it over.", delay=20)],
        r"esc to cancel",
        _state("busy"),
        note="thinking, the answer delayed",
    ),
    Scenario("idle", [TextReply("All done.")], r"All done", _state("idle"), note="idle"),
    Scenario(
        "api_error",
        [ApiError(400, "Request contains an invalid argument.")],
        r"API Error",
        _state("error"),
        note="HTTP 400 (not retried)",
    ),
)


@dataclass(frozen=True, slots=True)
class AgentKit:
    name: str
    scenarios: Sequence[Scenario]
    version: Callable[[], str]
    api: Callable[[Sequence[Turn]], ScriptedApi]
    parse: Callable[[str], AgentScreen]


def _kits() -> dict[str, AgentKit]:
    from yesman.agents.codex import parse_screen as codex_parse  # noqa: PLC0415
    from yesman.agents.gemini import parse_screen as gemini_parse  # noqa: PLC0415

    return {
        "codex": AgentKit("codex", CODEX_SCENARIOS, codex_version, OpenAiApiStandIn, codex_parse),
        "gemini": AgentKit(
            "gemini", GEMINI_SCENARIOS, gemini_version, GeminiApiStandIn, gemini_parse
        ),
    }


async def _wait_for(tmux: PrivateTmuxServer, pane: str, pattern: str) -> None:
    regex = re.compile(pattern)
    deadline = time.monotonic() + _WAIT_S
    while time.monotonic() < deadline:
        if regex.search(await tmux.capture_async(pane)):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no /{pattern}/ after {_WAIT_S:.0f} s:\n{await tmux.capture_async(pane)}")


async def _settle(tmux: PrivateTmuxServer, pane: str) -> str:
    """The screen once two captures 300 ms apart agree (spinners: at most 3 s)."""
    last = await tmux.capture_async(pane)
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        now = await tmux.capture_async(pane)
        if now == last:
            return now
        last = now
    return last


def _fresh_work() -> None:
    import shutil  # noqa: PLC0415

    shutil.rmtree(WORK, ignore_errors=True)
    PROJECT.mkdir(parents=True)
    OUTSIDE.mkdir(parents=True)
    # Codex asks about trust for a repository; an ordinary folder it simply opens.
    subprocess.run(["git", "init", "-q", str(PROJECT)], check=True)


def _save(out: Path, stem: str, files: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for suffix, text in files.items():
        (out / f"{stem}{suffix}").write_text(text, encoding="utf-8")


async def capture(kit: AgentKit, scenario: Scenario, width: int, out: Path) -> bool:
    await asyncio.to_thread(_fresh_work)
    with tempfile.TemporaryDirectory(prefix="yesman-capture-") as tmp:
        home = Path(tmp) / "home"
        trusted = [PROJECT, OUTSIDE] if scenario.trusted else []
        async with kit.api(list(scenario.turns)) as api:
            with PrivateTmuxServer(prefix=f"corpus-{kit.name}", width=width, height=HEIGHT) as tx:
                if kit.name == "codex":
                    prepare_codex_home(home, api.base_url, trusted=trusted)
                    pane = await start_codex(
                        socket=tx.socket_name,
                        home=home,
                        cwd=PROJECT,
                        width=width,
                        height=HEIGHT,
                        args=scenario.args,
                    )
                else:
                    prepare_gemini_home(home, trusted=trusted)
                    pane = await start_gemini(
                        socket=tx.socket_name,
                        home=home,
                        cwd=PROJECT,
                        base_url=api.base_url,
                        width=width,
                        height=HEIGHT,
                        args=scenario.args,
                    )
                await _wait_for(tx, pane, scenario.wait)
                text = await _settle(tx, pane)
                ansi = tx.run("capture-pane", "-p", "-e", "-t", pane)
    stem = f"{scenario.name}_w{width}"
    reading = {
        **scenario.reading,
        "note": f"{kit.name}, real capture, {width}x{HEIGHT}: " + scenario.note,
    }
    files = {".txt": text, ".ansi": ansi, ".json": json.dumps(reading, indent=2) + "\n"}
    await asyncio.to_thread(_save, out, stem, files)
    got = kit.parse(text).as_dict()
    if got.get("prompt"):
        got["prompt"].pop("fingerprint", None)
    want = dict(scenario.reading)
    ok = got == want
    print(("ok   " if ok else "CHECK") + f" {kit.name} {stem}", flush=True)
    if not ok:
        print(f"  parser: {json.dumps(got)}\n  wanted: {json.dumps(want)}", flush=True)
    return ok


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("agent", choices=("codex", "gemini"))
    parser.add_argument("prefixes", nargs="*", help="scenarios whose name starts so")
    parser.add_argument("--width", type=int, action="append", help="pane widths (default: all)")
    args = parser.parse_args(argv)
    kit = _kits()[args.agent]
    version = kit.version()
    out = ROOT / "tests" / "agents" / kit.name / "corpus" / version
    checks = 0
    for scenario in kit.scenarios:
        if args.prefixes and not scenario.name.startswith(tuple(args.prefixes)):
            continue
        for width in args.width or WIDTHS:
            try:
                ok = await capture(kit, scenario, width, out)
            except TimeoutError as exc:
                print(f"FAIL  {kit.name} {scenario.name}_w{width}: {str(exc)[:300]}", flush=True)
                ok = False
            checks += not ok
    print(f"{checks} to check; corpus in {out}")
    return 1 if checks else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
