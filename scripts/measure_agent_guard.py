"""Measure whether Codex CLI or Gemini CLI drops a key typed right after a dialog is drawn.

One agent session answers a run of shell dialogs (the stand-in scripts one tool call per turn).
For each dialog: capture the pane every 5 ms until the parser reads the same prompt twice in a
row (the dialog is complete), wait D ms, type ``1`` once, and watch up to 1.5 s for the dialog to
go. A dialog still there is a dropped key (it is then answered again to move on). D cycles
through ``--delays``. The result (taken/typed per D) is what `_guards.py` of each agent records.

    uv run python scripts/measure_agent_guard.py codex --rounds 4
    uv run python scripts/measure_agent_guard.py gemini --delays 0,20,50,100
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Final

from yesman.testing import PrivateTmuxServer

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.claude_api import ToolUse, Turn  # noqa: E402
from support.codex_cli import prepare_codex_home, start_codex  # noqa: E402
from support.gemini_api import GeminiApiStandIn  # noqa: E402
from support.gemini_cli import prepare_gemini_home, start_gemini  # noqa: E402
from support.openai_api import OpenAiApiStandIn, exec_command  # noqa: E402


async def _prompt_of(tmux: PrivateTmuxServer, pane: str, agent: str) -> str | None:
    if agent == "codex":
        from yesman.agents.codex import parse_screen  # noqa: PLC0415
    else:
        from yesman.agents.gemini import parse_screen  # noqa: PLC0415
    screen = parse_screen(await tmux.capture_async(pane))
    return None if screen.prompt is None else screen.prompt.fingerprint


async def _complete(tmux: PrivateTmuxServer, pane: str, agent: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        now = await _prompt_of(tmux, pane, agent)
        if now is not None and now == last:
            return now
        last = now
        await asyncio.sleep(0.005)
    raise TimeoutError("no dialog:\n" + await tmux.capture_async(pane))


async def _gone(tmux: PrivateTmuxServer, pane: str, agent: str, fingerprint: str) -> bool:
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        if await _prompt_of(tmux, pane, agent) != fingerprint:
            return True
        await asyncio.sleep(0.01)
    return False


async def measure(agent: str, delays: list[float], rounds: int) -> dict[float, list[bool]]:
    count = len(delays) * rounds
    turns: list[Turn] = []
    for k in range(count):
        command = f"touch guard-{k}.txt"  # Gemini runs echo without asking
        if agent == "codex":
            turns.append(exec_command(command, f"Echo {k}?"))
        else:
            turns.append(ToolUse("run_shell_command", {"command": command, "description": "x"}))
    results: dict[float, list[bool]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="yesman-guard-") as tmp:
        root = Path(tmp)
        project = root / "project"
        project.mkdir()
        api = OpenAiApiStandIn(turns) if agent == "codex" else GeminiApiStandIn(turns)
        async with api:
            with PrivateTmuxServer(prefix=f"guard-{agent}", width=120, height=40) as tmux:
                if agent == "codex":
                    home = prepare_codex_home(root / "home", api.base_url, trusted=[project])
                    pane = await start_codex(socket=tmux.socket_name, home=home, cwd=project)
                else:
                    home = prepare_gemini_home(root / "home", trusted=[project])
                    pane = await start_gemini(
                        socket=tmux.socket_name, home=home, cwd=project, base_url=api.base_url
                    )
                for k in range(count):
                    delay = delays[k % len(delays)]
                    fingerprint = await _complete(tmux, pane, agent, 60.0)
                    await asyncio.sleep(delay)
                    tmux.run("send-keys", "-t", pane, "1")
                    taken = await _gone(tmux, pane, agent, fingerprint)
                    results[delay].append(taken)
                    print(f"{agent} D={delay * 1000:.0f} ms: {'taken' if taken else 'DROPPED'}")
                    while not taken:
                        tmux.run("send-keys", "-t", pane, "1")
                        taken = await _gone(tmux, pane, agent, fingerprint)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("agent", choices=("codex", "gemini"))
    parser.add_argument("--delays", default="0,0,20,50,100", help="ms, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    delays = [float(x) / 1000 for x in args.delays.split(",")]
    results = asyncio.run(measure(args.agent, delays, args.rounds))
    for delay in sorted(results):
        got = results[delay]
        print(f"D = {delay * 1000:4.0f} ms: {sum(got)}/{len(got)} taken")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
