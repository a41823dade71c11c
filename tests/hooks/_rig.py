"""Test helpers for the hook channel: a handler that answers, where a watcher listens, running
the real `yesman hook`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yesman.hooks import HookAnswer, HookCall, socket_for_server

YESMAN = Path(sys.executable).with_name("yesman")  # the console script of this environment


@dataclass
class Handler:
    """Answers every request with ``answer`` (after ``delay`` seconds) and keeps what it saw."""

    answer: HookAnswer = field(default_factory=lambda: HookAnswer("decided", "OUT", "why"))
    delay: float = 0.0
    calls: list[HookCall] = field(default_factory=list)
    deliveries: list[bool] = field(default_factory=list)

    async def decide(self, call: HookCall) -> HookAnswer:
        self.calls.append(call)
        await asyncio.sleep(self.delay)
        return self.answer

    async def delivered(self, call: HookCall, answer: HookAnswer, *, ok: bool, at: float) -> None:
        self.deliveries.append(ok)


@dataclass(frozen=True)
class Place:
    """Where a test's watcher listens and the environment a hook there runs with."""

    runtime: Path
    tmux_socket: str
    pane: str = "%7"

    @property
    def socket(self) -> Path:
        return Path(socket_for_server(self.tmux_socket, self.runtime / "yesman"))

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE", "XDG_DATA_HOME")
        }
        env |= {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "TMUX": f"{self.tmux_socket},4242,0",
            "TMUX_PANE": self.pane,
            "AI_AGENT": "claude-code_2-1-332_harness",
            "ANTHROPIC_API_KEY": "secret-not-forwarded",
        }
        return env | extra


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float


async def run_hook(stdin: bytes, env: Mapping[str, str], *args: str, timeout: float = 30.0) -> Ran:
    """Run the real `yesman hook` (a subprocess, as an agent runs it)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    proc = await asyncio.create_subprocess_exec(
        str(YESMAN),
        "hook",
        *args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    assert proc.returncode is not None
    return Ran(proc.returncode, out.decode(), err.decode(), loop.time() - start)
