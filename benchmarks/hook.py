"""How fast the hook channel answers the real Claude Code, beside its references, in one run.

Run: uv run python benchmarks/hook.py [--trials N] [--versions 2.1.197,2.1.332] [-v]

Per pinned Claude Code (``tools/claude-code*``, those installed), five sessions, each on its own
private tmux server and its own API stand-in, take turns (trials interleaved round-robin, one at
a time, after one warm-up trial each). A trial is one Bash ``touch`` that needs permission; the
figure is from the stand-in serving the ``tool_use`` to Claude Code sending the tool result:

    allow rule            settings allow ``Bash(touch:*)``: no dialog, no hook (the floor)
    sh hook               a ``sh`` hook that prints the allow JSON (the reference: the cheapest
                          hook there is)
    yesman hook           ``yesman hook`` with a watcher of that tmux server running (this
                          process): the hook asks it over the socket; the target is p50 within
                          60 ms of the sh hook's
    yesman hook, alone    ``yesman hook`` with no watcher: it loads the policy and decides itself
    screen path           no hook: a watcher reads the dialog and types the digit

Also printed, same run: the hook's own start-up (``python -X importtime`` of its path, and the
wall time of ``yesman hook`` against a watcher, beside ``sh -c`` and ``python -c pass``), and
where the yesman-hook trials spend their time (served -> request at the watcher -> answer).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import psutil

from yesman.agents import HookScope, ScreenState
from yesman.agents.claude import CLAUDE_CODE, parse_screen
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.hooks import hook_command, install_hook, socket_for_server
from yesman.metrics import percentile
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

# The API stand-in and the Claude Code launcher are test support code: tests/support.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.claude_api import ClaudeApiStandIn, ToolUse
from support.claude_code import (
    ClaudeCodeNotFoundError,
    ClaudeLaunch,
    pinned_claude_installs,
    prepare_home,
    start_claude,
)
from support.trials import (
    ALLOW_JSON,
    Exchange,
    TrialError,
    TrialResponder,
    claude_tool_result,
)

YESMAN = Path(sys.executable).with_name("yesman")
TARGET_MS = 60.0


class Setup(StrEnum):
    RULE = "allow rule (no dialog)"
    SH = "sh hook (reference)"
    YESMAN = "yesman hook, watcher"
    ALONE = "yesman hook, no watcher"
    SCREEN = "screen path"


class Session:
    """One Claude Code in its own tmux server with its own stand-in, set up for one Setup."""

    def __init__(self, setup: Setup, version: str, binary: Path, work: Path) -> None:
        self.setup = setup
        self.version = version
        self.binary = binary
        self.work = work
        self.tmux = PrivateTmuxServer(prefix="yesman-bench-hook", width=120, height=40)
        self.api = ClaudeApiStandIn([])
        self.responder = TrialResponder(claude_tool_result)
        self.pane = ""
        self.pid: int | None = None
        self.results: list[float] = []
        self.served: list[float] = []  # wall clock, every trial's tool_use served
        self.steps: list[tuple[float, float]] = []  # yesman hook: (served->decided, ->answered)

    async def start(self) -> None:
        await self.api.start()
        project = self.work / "project"
        project.mkdir(parents=True)
        settings: dict[str, Any] = {}
        if self.setup is Setup.RULE:
            settings["permissions"] = {"defaultMode": "default", "allow": ["Bash(touch:*)"]}
        elif self.setup is Setup.SH:
            command = f"printf '%s' '{ALLOW_JSON}'"
            hook = {"type": "command", "command": command, "timeout": 10}
            settings["hooks"] = {"PermissionRequest": [{"matcher": "*", "hooks": [hook]}]}
        home = prepare_home(self.work / "home", trusted=[project], settings=settings)
        if self.setup in (Setup.YESMAN, Setup.ALONE):
            install_hook(
                CLAUDE_CODE,
                HookScope.USER,
                command=hook_command(YESMAN, CLAUDE_CODE, db=self.work / "alone.db"),
                home=home,
                project=project,
            )
        self.pane = await start_claude(
            ClaudeLaunch(
                socket=self.tmux.socket_name,
                home=home,
                cwd=project,
                base_url=self.api.base_url,
                binary=self.binary,
                session="bench",
            )
        )
        self.pid = int(await self.tmux.run_async("display", "-p", "-t", self.pane, "#{pane_pid}"))
        await self.wait_screen(lambda s: parse_screen(s).state is ScreenState.IDLE, 60, "idle")

    async def aclose(self) -> None:
        await self.api.aclose()
        self.tmux.kill()
        if self.pid is not None:
            with contextlib.suppress(psutil.Error):
                await asyncio.to_thread(psutil.Process(self.pid).wait, 10)

    async def capture(self) -> str:
        return await self.tmux.run_async("capture-pane", "-p", "-t", self.pane)

    async def wait_screen(self, done: Callable[[str], bool], timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = await self.capture()
            if done(screen):
                return screen
            if time.monotonic() > deadline:
                tail = "\n".join(screen.rstrip().splitlines()[-10:])
                raise TrialError(f"{self.version} {self.setup}: no {what}:\n{tail}")
            await asyncio.sleep(0.02)

    async def trial(self, number: int) -> float:
        marker = f"trial-{number}"
        turn = ToolUse("Bash", {"command": f"touch {marker}.flag", "description": marker})
        exchange = Exchange(number, turn)
        self.responder.current = exchange
        self.api.push(self.responder, self.responder)
        await self.tmux.run_async("send-keys", "-t", self.pane, "-l", f"Run {marker}.")
        await asyncio.sleep(0.15)  # an Enter right after the text reads as a paste
        await self.tmux.run_async("send-keys", "-t", self.pane, "Enter")
        try:
            await asyncio.wait_for(exchange.got_result.wait(), 30.0)
        except TimeoutError:
            raise TrialError(f"{self.version} {self.setup}: no tool result for {marker}") from None
        done = f"Trial {number} finished."
        await self.wait_screen(
            lambda s: done in s and parse_screen(s).state is ScreenState.IDLE, 30, repr(done)
        )
        self.responder.current = None
        if exchange.refused or exchange.served is None or exchange.result is None:
            raise TrialError(f"{self.version} {self.setup}: {marker} was refused or lost")
        self.served.append(exchange.served)
        return (exchange.result - exchange.served) * 1000.0


class HookSteps:
    """When the watcher decided and answered each hook request, from its events (wall clock)."""

    def __init__(self, bus: AsyncEventBus) -> None:
        self.decided: list[float] = []
        self.answered: list[float] = []
        bus.subscribe(EventType.PROMPT_DECIDED, self._decided)
        bus.subscribe(EventType.RESPONSE_SENT, self._answered)

    def _decided(self, event: Event) -> None:
        if event.data["channel"] == "hook":
            self.decided.append(event.timestamp)

    def _answered(self, event: Event) -> None:
        if event.data["channel"] == "hook":
            self.answered.append(event.timestamp)


async def bench_version(
    version: str, binary: Path, root: Path, trials: int, *, verbose: bool
) -> dict[Setup, Session]:
    sessions = {s: Session(s, version, binary, root / f"{version}-{s.name.lower()}") for s in Setup}
    async with contextlib.AsyncExitStack() as stack:
        bus = await stack.enter_async_context(AsyncEventBus(metrics_interval=0))
        steps = HookSteps(bus)
        for session in sessions.values():
            stack.push_async_callback(session.aclose)
            await session.start()
        for setup in (Setup.YESMAN, Setup.SCREEN):
            audit = await stack.enter_async_context(
                AuditStore.open(root / f"{version}-{setup.name}.db")
            )
            supervisor = await stack.enter_async_context(
                MonitorSupervisor(
                    sessions[setup].tmux.server,
                    event_bus=bus,
                    audit=audit,
                    settings=MonitorSettings(performance_interval=0),
                    hooks=setup is Setup.YESMAN,
                )
            )
            await _watching(supervisor, sessions[setup].pane)
        number = 0
        order = list(Setup)
        for index in range(trials + 1):  # the first round warms each session up
            random.Random(index).shuffle(order)
            for setup in order:
                number += 1
                session = sessions[setup]
                served_ms = await session.trial(number)
                if index == 0:
                    continue
                session.results.append(served_ms)
                if verbose:
                    print(f"    {version} #{number:<3} {setup:<24} {served_ms:6.0f} ms", flush=True)
        # Where the yesman-hook trials went: from the tool_use served to the request decided
        # and answered by the watcher (the events carry wall-clock times).
        await bus.join()
        ours = sessions[Setup.YESMAN]
        if len(steps.decided) == len(steps.answered) == len(ours.served):
            ours.steps = [
                ((d - s) * 1000.0, (a - s) * 1000.0)
                for s, d, a in zip(ours.served, steps.decided, steps.answered, strict=True)
            ][1:]
    return sessions


async def _watching(supervisor: MonitorSupervisor, pane: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while pane not in supervisor.monitors:
        if time.monotonic() > deadline:
            raise TrialError(f"the watcher never started watching {pane}")
        await asyncio.sleep(0.1)


# -- the hook's own start-up, same run


def startup_figures(rounds: int = 20) -> dict[str, float]:
    """Median wall times (ms) of starting: sh, python, and `yesman hook` against a watcher."""
    figures: dict[str, list[float]] = {"sh -c printf": [], "python -c pass": [], "yesman hook": []}
    with tempfile.TemporaryDirectory() as tmp:
        fake_tmux = Path(tmp) / "tmux-socket"
        env = dict(os.environ) | {"TMUX": f"{fake_tmux},1,0", "TMUX_PANE": "%0"}
        payload = json.dumps(
            {"hook_event_name": "PermissionRequest", "tool_name": "Bash",
             "tool_input": {"command": "true"}}
        ).encode()  # fmt: skip
        server = _answering_socket(Path(socket_for_server(fake_tmux)))
        try:
            commands = {
                "sh -c printf": ["sh", "-c", f"printf '%s' '{ALLOW_JSON}'"],
                "python -c pass": [sys.executable, "-c", "pass"],
                "yesman hook": [str(YESMAN), "hook", "--no-watcher", "human"],
            }
            for _ in range(rounds):
                for name, argv in commands.items():
                    start = time.perf_counter()
                    subprocess.run(argv, input=payload, env=env, capture_output=True, check=True)
                    figures[name].append((time.perf_counter() - start) * 1000.0)
        finally:
            server.terminate()
            server.wait()
    return {name: statistics.median(values) for name, values in figures.items()}


def _answering_socket(path: Path) -> subprocess.Popen[bytes]:
    """A tiny watcher stand-in in another process: answers every hook request with allow."""
    script = (
        "import socket, sys, os\n"
        f"path = {str(path)!r}\n"
        "os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)\n"
        "try: os.unlink(path)\nexcept FileNotFoundError: pass\n"
        "s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(16)\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    c, _ = s.accept(); c.recv(1 << 20)\n"
        f"    c.sendall(b'yesman-hook 1 decided\\n\\n' + {ALLOW_JSON.encode()!r}); c.close()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc


def import_figures() -> dict[str, float]:
    """Cumulative import time (ms) of the hook's path, from ``python -X importtime``."""
    probe = (
        "import io, sys\n"
        "sys.argv = ['yesman', 'hook', '--no-watcher', 'human']\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(b'{}'))\n"
        "import yesman.cli\n"
        "try:\n    yesman.cli.main()\nexcept SystemExit:\n    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    runs: dict[str, list[float]] = {}
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True,
            env=env, check=True,
        )  # fmt: skip
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
            if found and not found.group(2):  # top-level imports only
                runs.setdefault(found.group(3), []).append(int(found.group(1)) / 1000.0)
    return {name: statistics.median(v) for name, v in runs.items()}


# -- report


def _p(values: Sequence[float], q: float) -> str:
    return "-" if not values else f"{percentile(sorted(values), q):.0f}"


def print_table(versions: Sequence[str], results: dict[str, dict[Setup, Session]]) -> None:
    print("\nserved -> tool result, ms: p50 (p90), one Bash touch per trial, setups interleaved")
    header = f"    {'':<34}" + "".join(f"{v:>20}" for v in versions)
    print(header)
    for setup in Setup:
        cells = []
        for version in versions:
            got = results[version][setup].results
            cells.append(f"{_p(got, 50):>5} ({_p(got, 90):>4}) n={len(got)}")
        print(f"    {setup.value:<34}" + "".join(f"{c:>20}" for c in cells))
    print(f"    {'yesman hook - sh hook, p50':<34}", end="")
    for version in versions:
        ours = results[version][Setup.YESMAN].results
        theirs = results[version][Setup.SH].results
        gap = (
            percentile(sorted(ours), 50) - percentile(sorted(theirs), 50)
            if ours and theirs
            else None
        )
        verdict = "-" if gap is None else f"{gap:+.0f} {'ok' if gap <= TARGET_MS else 'OVER'}"
        print(f"{verdict:>20}", end="")
    print(f"   (target: p50 within {TARGET_MS:.0f} ms of the sh hook)")
    print("    yesman hook, p50 ms from the tool_use served:")
    for label, index in (("  request decided at the watcher", 0), ("  answer written back", 1)):
        row = "".join(
            f"{_p([s[index] for s in results[v][Setup.YESMAN].steps], 50):>20}" for v in versions
        )
        print(f"    {label:<34}{row}")


def print_startup(figures: dict[str, float], imports: dict[str, float]) -> None:
    print("\nthe hook's own start-up, median wall ms over 20 runs (same machine, same run):")
    for name, ms in figures.items():
        print(f"    {name:<26}{ms:8.1f}")
    print("  imports on its path to the watcher (python -X importtime, cumulative, median ms):")
    ours = {k: v for k, v in imports.items() if k.startswith("yesman")}
    for name, ms in sorted(ours.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<26}{ms:8.1f}")
    rest = sum(v for k, v in imports.items() if not k.startswith("yesman"))
    print(f"    {'(interpreter start-up)':<26}{rest:8.1f}")


async def main_async(trials: int, versions: set[str] | None, verbose: bool) -> None:
    installs: list[tuple[str, Path]] = []
    for pinned in pinned_claude_installs():
        if versions and pinned.version not in versions:
            continue
        try:
            installs.append((pinned.version, pinned.binary()))
        except ClaudeCodeNotFoundError as exc:
            print(f"{pinned.id} skipped: {exc}")
    print_startup(startup_figures(), import_figures())
    if not installs:
        print("no pinned Claude Code installed: `npm ci --prefix tools/claude-code`")
        return
    started = time.monotonic()
    load = os.getloadavg()[0]
    results: dict[str, dict[Setup, Session]] = {}
    with tempfile.TemporaryDirectory(prefix="yesman-bench-hook-") as tmp:
        for version, binary in installs:
            results[version] = await bench_version(
                version, binary, Path(tmp), trials, verbose=verbose
            )
    print_table([v for v, _ in installs], results)
    print(
        f"    {time.monotonic() - started:.0f} s; load average {load:.2f} -> "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=12, help="recorded trials per setup")
    parser.add_argument("--versions", help="comma-separated Claude Code versions (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every trial")
    args = parser.parse_args()
    versions = set(args.versions.split(",")) if args.versions else None
    asyncio.run(main_async(args.trials, versions, args.verbose))


if __name__ == "__main__":
    main()
