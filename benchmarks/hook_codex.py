"""How fast the hook channel answers the real Codex CLI, beside its references, in one run.

Run: uv run python benchmarks/hook_codex.py [--trials N] [-v]

The pinned Codex (``tools/codex``) runs five sessions, each on its own private tmux server and
its own API stand-in, taking turns (trials interleaved, one at a time, after one warm-up trial
each). A trial is one ``exec_command`` ``touch`` that asks to run outside the sandbox (so Codex
asks for approval); the figure is from the stand-in serving that call to Codex sending its
result:

    no approval          the same touch inside the sandbox: Codex asks nothing (the floor)
    sh hook              a ``sh`` hook that prints the allow JSON (the reference)
    yesman hook          ``yesman hook --agent codex`` with a watcher of that tmux server
                         running (this process)
    yesman hook, alone   ``yesman hook --agent codex`` with no watcher: it decides itself
    screen path          no hook: a watcher reads Codex's dialog and types the digit

The hooks are trusted the way a person does it, at Codex's "Hooks need review" ("Trust all and
continue"), before the first trial.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path

from yesman.agents import HookScope, ScreenState
from yesman.agents.codex import CODEX, parse_screen
from yesman.agents.codex._hook import CodexHook
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.hooks import hook_command, install_hook
from yesman.metrics import percentile
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

# The API stand-in and the Codex launcher are test support code: tests/support.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.agent_cli import CliNotInstalledError
from support.codex_cli import codex_binary, codex_version, prepare_codex_home, start_codex
from support.openai_api import OpenAiApiStandIn, exec_command
from support.trials import ALLOW_JSON, Exchange, TrialError, TrialResponder, codex_tool_result

YESMAN = Path(sys.executable).with_name("yesman")


class Setup(StrEnum):
    FLOOR = "no approval (sandboxed)"
    SH = "sh hook (reference)"
    YESMAN = "yesman hook, watcher"
    ALONE = "yesman hook, no watcher"
    SCREEN = "screen path"


class Session:
    """One Codex in its own tmux server with its own stand-in, set up for one Setup."""

    def __init__(self, setup: Setup, binary: Path, work: Path) -> None:
        self.setup = setup
        self.binary = binary
        self.work = work
        self.tmux = PrivateTmuxServer(prefix="yesman-bench-codex", width=120, height=40)
        self.api = OpenAiApiStandIn([])
        self.responder = TrialResponder(codex_tool_result)
        self.pane = ""
        self.results: list[float] = []
        self.served: list[float] = []  # wall clock, every trial's call served
        self.steps: list[tuple[float, float]] = []  # watched: (served->decided, ->answered)

    async def start(self) -> None:
        await self.api.start()
        project = self.work / "project"
        project.mkdir(parents=True)
        home = prepare_codex_home(self.work / "home", self.api.base_url, trusted=[project])
        hooks_json = home / ".codex" / "hooks.json"
        if self.setup is Setup.SH:
            hook = {"type": "command", "command": f"printf '%s' '{ALLOW_JSON}'", "timeout": 10}
            doc = {"hooks": {"PermissionRequest": [{"matcher": "*", "hooks": [hook]}]}}
            hooks_json.write_text(json.dumps(doc))
        elif self.setup in (Setup.YESMAN, Setup.ALONE):
            agent = dataclasses.replace(CODEX, hook=CodexHook({"CODEX_HOME": str(home / ".codex")}))
            command = hook_command(YESMAN, CODEX, db=self.work / "alone.db")
            install_hook(agent, HookScope.USER, command=command, home=home, project=project)
        self.pane = await start_codex(
            socket=self.tmux.socket_name,
            home=home,
            cwd=project,
            prompt=None,
            binary=self.binary,
            session="bench",
        )
        if hooks_json.exists():
            await self.wait_screen(lambda s: "Hooks need review" in s, 60, "the hooks review")
            await self.trust_hooks()
        await self.wait_screen(lambda s: parse_screen(s).state is ScreenState.IDLE, 60, "idle")

    async def aclose(self) -> None:
        await self.api.aclose()
        self.tmux.kill()

    async def trust_hooks(self) -> None:
        """ "Trust all and continue": its digit only moves the highlight (and a key typed while
        Codex is still starting is lost), so Enter only once option 2 is highlighted."""
        for _ in range(20):
            await self.keys("-l", "2")
            with contextlib.suppress(TrialError):
                await self.wait_screen(lambda s: "› 2. Trust all" in s, 0.5, "option 2")
                await self.keys("Enter")
                return
        raise TrialError(f"{self.setup}: could not choose 'Trust all and continue'")

    async def keys(self, *args: str) -> None:
        await self.tmux.run_async("send-keys", "-t", self.pane, *args)

    async def wait_screen(self, done: Callable[[str], bool], timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = await self.tmux.run_async("capture-pane", "-p", "-t", self.pane)
            if done(screen):
                return screen
            if time.monotonic() > deadline:
                tail = "\n".join(screen.rstrip().splitlines()[-10:])
                raise TrialError(f"{self.setup}: no {what}:\n{tail}")
            await asyncio.sleep(0.02)

    async def trial(self, number: int) -> float:
        marker = f"trial-{number}"
        escalate = self.setup is not Setup.FLOOR
        exchange = Exchange(number, exec_command(f"touch {marker}.flag", escalate=escalate))
        self.responder.current = exchange
        self.api.push(self.responder, self.responder)
        await self.keys("-l", f"Run {marker}.")
        await asyncio.sleep(0.15)  # an Enter right after the text reads as a paste
        await self.keys("Enter")
        try:
            await asyncio.wait_for(exchange.got_result.wait(), 30.0)
        except TimeoutError:
            screen = await self.tmux.run_async("capture-pane", "-p", "-t", self.pane)
            tail = "\n".join(screen.rstrip().splitlines()[-12:])
            raise TrialError(f"{self.setup}: no tool result for {marker}:\n{tail}") from None
        done = f"Trial {number} finished."
        await self.wait_screen(
            lambda s: done in s and parse_screen(s).state is ScreenState.IDLE, 30, repr(done)
        )
        self.responder.current = None
        if exchange.refused or exchange.served is None or exchange.result is None:
            raise TrialError(f"{self.setup}: {marker} was refused or lost")
        self.served.append(exchange.served)
        return (exchange.result - exchange.served) * 1000.0


class Steps:
    """When a watcher decided and answered each dialog or request, by channel (wall clock)."""

    def __init__(self, bus: AsyncEventBus) -> None:
        self.times: dict[tuple[str, EventType], list[float]] = {}
        for kind in (EventType.PROMPT_DECIDED, EventType.RESPONSE_SENT):
            bus.subscribe(kind, self._seen)

    def _seen(self, event: Event) -> None:
        self.times.setdefault((event.data["channel"], event.type), []).append(event.timestamp)

    def of(self, session: Session, channel: str) -> list[tuple[float, float]]:
        decided = self.times.get((channel, EventType.PROMPT_DECIDED), [])
        answered = self.times.get((channel, EventType.RESPONSE_SENT), [])
        if not len(decided) == len(answered) == len(session.served):
            return []
        pairs = zip(session.served, decided, answered, strict=True)
        return [((d - s) * 1000.0, (a - s) * 1000.0) for s, d, a in pairs][1:]


async def bench(binary: Path, root: Path, trials: int, *, verbose: bool) -> dict[Setup, Session]:
    sessions = {s: Session(s, binary, root / s.name.lower()) for s in Setup}
    async with contextlib.AsyncExitStack() as stack:
        bus = await stack.enter_async_context(AsyncEventBus(metrics_interval=0))
        steps = Steps(bus)
        for session in sessions.values():
            stack.push_async_callback(session.aclose)
            await session.start()
        for setup in (Setup.YESMAN, Setup.SCREEN):
            audit = await stack.enter_async_context(AuditStore.open(root / f"{setup.name}.db"))
            supervisor = await stack.enter_async_context(
                MonitorSupervisor(
                    sessions[setup].tmux.server,
                    event_bus=bus,
                    audit=audit,
                    settings=MonitorSettings(performance_interval=0),
                    hooks=setup is Setup.YESMAN,
                )
            )
            deadline = time.monotonic() + 30
            while sessions[setup].pane not in supervisor.monitors:
                if time.monotonic() > deadline:
                    raise TrialError(f"the watcher never started watching {setup}")
                await asyncio.sleep(0.1)
        number = 0
        order = list(Setup)
        for index in range(trials + 1):  # the first round warms each session up
            random.Random(index).shuffle(order)
            for setup in order:
                number += 1
                served_ms = await sessions[setup].trial(number)
                if index:
                    sessions[setup].results.append(served_ms)
                if verbose:
                    print(f"    #{number:<3} {setup:<26} {served_ms:6.0f} ms", flush=True)
        await bus.join()
        sessions[Setup.YESMAN].steps = steps.of(sessions[Setup.YESMAN], "hook")
        sessions[Setup.SCREEN].steps = steps.of(sessions[Setup.SCREEN], "screen")
    return sessions


def _p(values: Sequence[float], q: float) -> str:
    return "-" if not values else f"{percentile(sorted(values), q):.0f}"


async def main_async(trials: int, verbose: bool) -> None:
    try:
        binary = codex_binary()
    except CliNotInstalledError as exc:
        print(f"skipped: {exc}")
        return
    version = codex_version(binary)
    started, load = time.monotonic(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="yesman-bench-codex-") as tmp:
        sessions = await bench(binary, Path(tmp), trials, verbose=verbose)
    print(f"\nCodex {version}: served -> tool result, ms, p50 (p90), setups interleaved")
    for setup, session in sessions.items():
        got = session.results
        print(f"    {setup.value:<28}{_p(got, 50):>6} ({_p(got, 90):>4})  n={len(got)}")
    ours, sh = sessions[Setup.YESMAN].results, sessions[Setup.SH].results
    if ours and sh:
        gap = percentile(sorted(ours), 50) - percentile(sorted(sh), 50)
        print(f"    {'yesman hook - sh hook, p50':<28}{gap:>+6.0f}")
    print("  p50 ms from the call served, in the watcher:   decided  answered")
    for setup in (Setup.YESMAN, Setup.SCREEN):
        steps = sessions[setup].steps
        decided, answered = [d for d, _ in steps], [a for _, a in steps]
        print(f"    {setup.value:<44}{_p(decided, 50):>7}{_p(answered, 50):>10}")
    print(
        f"    {time.monotonic() - started:.0f} s; load average {load:.2f} -> "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=12, help="recorded trials per setup")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every trial")
    args = parser.parse_args()
    asyncio.run(main_async(args.trials, args.verbose))


if __name__ == "__main__":
    main()
