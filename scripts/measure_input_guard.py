"""Measure how soon Claude Code takes a key typed into a permission dialog (its input guard).

Claude Code ignores keys typed too soon after it draws a permission dialog, and how long it
ignores them changes between releases. For each Claude Code given, this script runs the real CLI
in a private tmux server against the in-process API stand-in and, over Bash, Write and WebFetch
dialogs, measures:

* **once**: the dialog is seen complete on screen (``capture-pane`` polled every ``--poll`` ms,
  read by :func:`yesman.agents.claude.parse_screen`: a tool-permission prompt whose fingerprint
  is the same in two captures in a row), then after D ms the digit ``1`` is typed once. It *took*
  when the dialog went away within ``--drop-wait`` seconds and the stand-in then received the
  tool result; it was *dropped* when the dialog stayed (it is then answered, and the drop
  recorded). After each dialog the input box is read for a stray digit.
* **naive**: a presser that polls every ``--poll`` ms and types ``1`` every 25 ms for as long as
  the dialog is up; the figure is the time from the stand-in serving the ``tool_use`` to it
  receiving the tool result.
* for every dialog: the time from serving the ``tool_use`` to the dialog being complete on screen.

The tools run for real in a throw-away project. WebFetch turns ``http://`` into ``https://``,
which the stand-in does not speak, so it fetches from a local port that hangs up at once: the
tool runs and reports a connection error, fast and the same every time. A tool result counts as
"the tool did not run" only when it says the user declined.

With several versions the trials are interleaved (one trial per version in turn, each version's
trials in a shuffled order), so load from other processes falls on all versions alike.

    npm ci --prefix tools/claude-code-2.1.197
    uv run python scripts/measure_input_guard.py --version-dir tools/claude-code-2.1.197 \\
        --version-dir tools/claude-code --repeats 3 --json guard.json
    uv run python scripts/measure_input_guard.py --summarise run1.json run2.json  # pool runs

A run with the defaults takes two to three minutes per version. Feed the result into
``src/yesman/agents/claude/_guards.py`` (its docstring says how the guard is derived from these
figures).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from yesman.agents import AgentScreen, Prompt, PromptKind, ScreenState
from yesman.agents.claude import clean_lines, parse_screen

# The API stand-in and the Claude Code launcher are test support code (tests/support).
ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.claude_api import ClaudeApiStandIn, TextReply, ToolUse, Turn  # noqa: E402
from support.claude_code import (  # noqa: E402
    ClaudeLaunch,
    claude_version,
    prepare_home,
    start_claude,
)

# The real CLI is a native executable of a few hundred MB; npm's placeholder is tiny.
_PLACEHOLDER_MAX_BYTES: Final = 1024 * 1024
_INPUT_LINE: Final = re.compile(r"^\s*\u276f ?(.*)$")
_IDLE_HINT: Final = re.compile(r"for shortcuts|mode on")
_NAIVE_PRESS_EVERY: Final = 0.025
# How Claude Code words a tool result when the user declined the tool use.
_REFUSED: Final = re.compile(r"(?i)doesn.t want to proceed|was rejected")


class Tool(StrEnum):
    BASH = "Bash"
    WRITE = "Write"
    FETCH = "WebFetch"


class Mode(StrEnum):
    ONCE = "once"  # one key, D ms after the dialog is complete
    NAIVE = "naive"  # a key every 25 ms while the dialog is up


class Outcome(StrEnum):
    TOOK = "took"  # the dialog went away and the tool ran
    DROPPED = "dropped"  # the dialog stayed
    WRONG = "wrong"  # the dialog went away but the tool result says it did not run
    FAILED = "failed"  # the trial did not get to the point of measuring (timeout, crash)


class TrialError(Exception):
    """A trial could not be run to the end (the session is restarted after it)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One dialog, as measured. Times in milliseconds; None where not reached."""

    version: str
    trial: int
    mode: Mode
    tool: Tool
    delay_ms: float | None  # ONCE only
    outcome: Outcome
    served_to_drawn_ms: float | None  # first capture that reads as this dialog
    served_to_complete_ms: float | None  # the second of two captures with the same fingerprint
    key_to_gone_ms: float | None  # ONCE: the key to the first capture without the dialog
    served_to_result_ms: float | None
    presses: int
    stray: str  # text left in the input box afterwards ("" when clean)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Planned:
    mode: Mode
    tool: Tool
    delay: float | None  # seconds


@dataclass(slots=True)
class Exchange:
    """What the stand-in saw of the current trial; filled in by :meth:`Responder.__call__`."""

    trial: int
    turn: ToolUse
    served: float | None = None
    result: float | None = None
    refused: bool = False  # the tool result says the user declined: the tool did not run
    result_text: str = ""
    got_result: asyncio.Event = field(default_factory=asyncio.Event)


class Responder:
    """The stand-in's script step for every main request of a session.

    A request whose last user message carries a ``tool_result`` ends the current trial with a
    short text answer; any other request (the typed prompt) gets the trial's ``tool_use``. Deciding
    by content keeps the script in step even if Claude Code sends an extra main request.
    """

    def __init__(self) -> None:
        self.current: Exchange | None = None

    def __call__(self, body: Any) -> Turn:
        exchange = self.current
        if exchange is None:
            return TextReply("OK.")
        result = _last_tool_result(body)
        if result is None:
            exchange.served = time.monotonic()
            return exchange.turn
        if exchange.result is None:
            exchange.result = time.monotonic()
            is_error, exchange.result_text = result
            exchange.refused = is_error and bool(_REFUSED.search(exchange.result_text))
            exchange.got_result.set()
        return TextReply(f"Trial {exchange.trial} finished.")


def _last_tool_result(body: Any) -> tuple[bool, str] | None:
    """(is_error, text) of the tool result in the last user message, if it carries one."""
    if not isinstance(body, dict):
        return None
    for message in reversed(body.get("messages") or []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if not isinstance(content, list):
            return None
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                return bool(block.get("is_error")), _text_of(block.get("content"))
        return None
    return None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(b.get("text", "")) for b in content if isinstance(b, dict) and "text" in b
        )
    return ""


def binary_in(version_dir: Path) -> Path:
    """The Claude Code executable installed by ``npm ci --prefix version_dir``."""
    modules = version_dir / "node_modules"
    local = modules / ".bin" / "claude"
    if (
        local.exists()
        and os.access(local, os.X_OK)
        and local.stat().st_size > _PLACEHOLDER_MAX_BYTES
    ):
        return local
    # npm left the wrapper's placeholder: the platform package holds the real binary.
    for native in sorted(modules.glob("@anthropic-ai/claude-code-*/claude")):
        if os.access(native, os.X_OK):
            return native
    raise SystemExit(
        f"no Claude Code under {version_dir}: run `npm ci --prefix {version_dir}` first"
    )


async def _tmux(socket: str, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "tmux",
        "-L",
        socket,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode:
        raise TrialError(f"tmux {' '.join(args[:2])}: {err.decode(errors='replace').strip()}")
    return out.decode(errors="replace")


def _is_trial_dialog(screen: AgentScreen, marker: str) -> Prompt | None:
    prompt = screen.prompt
    if screen.state is not ScreenState.WAITING or prompt is None:
        return None
    if prompt.kind is not PromptKind.TOOL_PERMISSION:
        return None
    where = " ".join((prompt.target or "", *prompt.target_lines, prompt.question or ""))
    return prompt if marker in where else None


def input_box_text(text: str) -> str | None:
    """What is typed in Claude Code's input box (None when no input box is on screen)."""
    lines = clean_lines(text)
    for j in range(len(lines) - 1, 0, -1):
        match = _INPUT_LINE.match(lines[j])
        above = lines[j - 1].strip()
        if match and above and above[0] == "\u2500":  # the rule over the input box
            return match.group(1).strip()
    return None


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


def _ms(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start) * 1000.0, 1)


@dataclass(frozen=True, slots=True)
class Settings:
    poll: float
    drop_wait: float
    width: int
    height: int


class Session:
    """One Claude Code running in a window of the private tmux server, with its stand-in."""

    def __init__(
        self, binary: Path, version: str, socket: str, work: Path, settings: Settings
    ) -> None:
        self.binary = binary
        self.version = version
        self.socket = socket
        self.work = work
        self.settings = settings
        self.project = work / "project"
        self.responder = Responder()
        self.api = ClaudeApiStandIn([])
        self.pane: str | None = None
        self._starts = 0
        self._fetch_target: asyncio.Server | None = None

    async def start(self) -> None:
        await self.api.start()
        self._fetch_target = await asyncio.start_server(_hang_up, "127.0.0.1", 0)
        await self._launch()

    @property
    def fetch_port(self) -> int:
        assert self._fetch_target is not None
        port: int = self._fetch_target.sockets[0].getsockname()[1]
        return port

    async def _launch(self) -> None:
        self._starts += 1
        home = self.work / f"home-{self._starts}"
        self.project.mkdir(parents=True, exist_ok=True)
        # Without this, WebFetch first asks claude.ai whether the domain is safe, which fails
        # offline and turns every fetch into an error result.
        prepare_home(home, trusted=[self.project], settings={"skipWebFetchPreflight": True})
        self.pane = await start_claude(
            ClaudeLaunch(
                socket=self.socket,
                home=home,
                cwd=self.project,
                base_url=self.api.base_url,
                width=self.settings.width,
                height=self.settings.height,
                binary=self.binary,
                session=f"v{self.version.replace('.', '_')}",
                keep_dead_pane=False,
            )
        )
        await self.wait_screen(lambda text: bool(_IDLE_HINT.search(text)), 60.0, "the input box")

    async def restart(self) -> None:
        if self.pane is not None:
            with contextlib.suppress(TrialError):  # Claude Code may have exited already
                await _tmux(self.socket, "kill-pane", "-t", self.pane)
            self.pane = None
        self.responder.current = None
        await self._launch()

    async def aclose(self) -> None:
        await self.api.aclose()
        if self._fetch_target is not None:
            self._fetch_target.close()
            await self._fetch_target.wait_closed()

    async def capture(self) -> str:
        assert self.pane is not None
        return await _tmux(self.socket, "capture-pane", "-p", "-t", self.pane)

    async def keys(self, *keys: str, literal: bool = False) -> None:
        assert self.pane is not None
        await _tmux(self.socket, "send-keys", "-t", self.pane, *(["-l"] if literal else []), *keys)

    async def wait_screen(self, done: Callable[[str], bool], timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = await self.capture()
            if done(text):
                return text
            if time.monotonic() > deadline:
                tail = "\n".join(text.rstrip().splitlines()[-15:])
                raise TrialError(f"{self.version}: no {what} after {timeout:.0f} s:\n{tail}")
            await asyncio.sleep(0.02)

    def tool_use(self, tool: Tool, trial: int) -> tuple[ToolUse, str]:
        marker = f"trial-{trial}"
        if tool is Tool.BASH:
            command = f"touch bash-{marker}.flag"
            return ToolUse("Bash", {"command": command, "description": f"Mark {marker}"}), marker
        if tool is Tool.WRITE:
            path = self.project / f"write-{marker}.txt"
            return ToolUse("Write", {"file_path": str(path), "content": f"{marker}\n"}), marker
        # WebFetch upgrades http:// to https://, which the stand-in does not speak; the fetch
        # target closes every connection, so the tool runs, fails fast and reports an error.
        url = f"http://127.0.0.1:{self.fetch_port}/page-{marker}"
        return ToolUse("WebFetch", {"url": url, "prompt": "Summarise the page"}), marker

    async def run(self, trial: int, plan: Planned) -> Attempt:
        turn, marker = self.tool_use(plan.tool, trial)
        exchange = Exchange(trial, turn)
        self.responder.current = exchange
        self.api.push(self.responder, self.responder)
        await self.keys(f"Run {marker}.", literal=True)
        await asyncio.sleep(0.15)  # typed as fast as this is, a following Enter reads as a paste
        await self.keys("Enter")
        if plan.mode is Mode.ONCE:
            assert plan.delay is not None
            attempt = await self._once(exchange, plan, marker)
        else:
            attempt = await self._naive(exchange, plan, marker)
        stray = await self._finish(exchange)
        return _with(attempt, stray=stray)

    async def _wait_complete(self, marker: str) -> tuple[float, float, Prompt]:
        """Poll until the dialog is complete: (first seen, complete, prompt)."""
        poll = self.settings.poll
        deadline = time.monotonic() + 30.0
        first: float | None = None
        previous: str | None = None
        while time.monotonic() < deadline:
            text = await self.capture()
            now = time.monotonic()
            prompt = _is_trial_dialog(parse_screen(text), marker)
            if prompt is not None:
                first = now if first is None else first
                if prompt.fingerprint == previous:
                    return first, now, prompt
                previous = prompt.fingerprint
            else:
                previous = None
            await asyncio.sleep(poll)
        raise TrialError(f"{self.version}: no dialog for {marker} after 30 s")

    async def _wait_gone(self, fingerprint: str, marker: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while True:
            text = await self.capture()
            now = time.monotonic()
            prompt = _is_trial_dialog(parse_screen(text), marker)
            if prompt is None or prompt.fingerprint != fingerprint:
                return now
            if now > deadline:
                return None
            await asyncio.sleep(self.settings.poll)

    async def _once(self, exchange: Exchange, plan: Planned, marker: str) -> Attempt:
        assert plan.delay is not None
        drawn, complete, prompt = await self._wait_complete(marker)
        pause = complete + plan.delay - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        typed = time.monotonic()
        await self.keys("1")
        gone = await self._wait_gone(prompt.fingerprint, marker, self.settings.drop_wait)
        presses = 1
        if gone is None:
            outcome = Outcome.DROPPED
            # Answer it now (the guard is long over) so the session moves on.
            while gone is None:
                await self.keys("1")
                presses += 1
                gone = await self._wait_gone(prompt.fingerprint, marker, 1.0)
                if presses > 10:
                    raise TrialError(f"{self.version}: {marker} dialog ignores every key")
        else:
            outcome = Outcome.TOOK
        await self._wait_result(exchange, marker)
        if exchange.refused:
            outcome = Outcome.WRONG
        return Attempt(
            version=self.version,
            trial=exchange.trial,
            mode=Mode.ONCE,
            tool=plan.tool,
            delay_ms=round(plan.delay * 1000.0, 1),
            outcome=outcome,
            served_to_drawn_ms=_ms(exchange.served, drawn),
            served_to_complete_ms=_ms(exchange.served, complete),
            key_to_gone_ms=_ms(typed, gone) if outcome is Outcome.TOOK else None,
            served_to_result_ms=_ms(exchange.served, exchange.result),
            presses=presses,
            stray="",
            note=exchange.result_text[:120],
        )

    async def _naive(self, exchange: Exchange, plan: Planned, marker: str) -> Attempt:
        poll = self.settings.poll
        deadline = time.monotonic() + 30.0
        drawn: float | None = None
        complete: float | None = None
        previous: str | None = None
        last_press = 0.0
        presses = 0
        while not exchange.got_result.is_set():
            text = await self.capture()
            now = time.monotonic()
            prompt = _is_trial_dialog(parse_screen(text), marker)
            if prompt is not None:
                drawn = now if drawn is None else drawn
                if complete is None and prompt.fingerprint == previous:
                    complete = now
                previous = prompt.fingerprint
                if now - last_press >= _NAIVE_PRESS_EVERY:
                    await self.keys("1")
                    last_press = now
                    presses += 1
            elif drawn is not None:
                break  # the dialog went away: stop typing
            if now > deadline:
                raise TrialError(f"{self.version}: naive presser got no answer for {marker}")
            await asyncio.sleep(poll)
        await self._wait_result(exchange, marker)
        return Attempt(
            version=self.version,
            trial=exchange.trial,
            mode=Mode.NAIVE,
            tool=plan.tool,
            delay_ms=None,
            outcome=Outcome.WRONG if exchange.refused else Outcome.TOOK,
            served_to_drawn_ms=_ms(exchange.served, drawn),
            served_to_complete_ms=_ms(exchange.served, complete),
            key_to_gone_ms=None,
            served_to_result_ms=_ms(exchange.served, exchange.result),
            presses=presses,
            stray="",
            note=exchange.result_text[:120],
        )

    async def _wait_result(self, exchange: Exchange, marker: str) -> None:
        try:
            await asyncio.wait_for(exchange.got_result.wait(), 30.0)
        except TimeoutError:
            tail = "\n".join((await self.capture()).rstrip().splitlines()[-15:])
            raise TrialError(
                f"{self.version}: no tool result for {marker} after 30 s:\n{tail}"
            ) from None

    async def _finish(self, exchange: Exchange) -> str:
        """Wait for the closing answer; return (and clear) whatever is left in the input box."""
        done = f"Trial {exchange.trial} finished."

        def idle(text: str) -> bool:
            return done in text and parse_screen(text).state is ScreenState.IDLE

        text = await self.wait_screen(idle, 30.0, f"'{done}'")
        stray = input_box_text(text) or ""
        if stray:
            await self.keys(*(["BSpace"] * (len(stray) + 2)))
            await self.wait_screen(lambda t: not input_box_text(t), 5.0, "an empty input box")
        self.responder.current = None
        return stray


def _with(attempt: Attempt, **changes: Any) -> Attempt:
    return Attempt(**(asdict(attempt) | changes))


def plan_trials(
    tools: Sequence[Tool], delays: Sequence[float], repeats: int, naive: int, rng: random.Random
) -> list[Planned]:
    plan = [Planned(Mode.ONCE, t, d) for d in delays for t in tools for _ in range(repeats)]
    plan += [Planned(Mode.NAIVE, t, None) for t in tools for _ in range(naive)]
    rng.shuffle(plan)
    return plan


# -- summary -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    """Percentiles of one figure over a run, in ms (None when there was nothing to measure)."""

    n: int
    p10: float | None
    p50: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, values: Sequence[float | None]) -> Spread:
        got = sorted(v for v in values if v is not None)

        def pct(q: float) -> float | None:
            if not got:
                return None
            k = (len(got) - 1) * q
            lo, hi = int(k), min(int(k) + 1, len(got) - 1)
            return round(got[lo] + (got[hi] - got[lo]) * (k - lo), 1)

        return cls(len(got), pct(0.1), pct(0.5), pct(0.9), got[-1] if got else None)

    def brief(self) -> str:
        return f"{_fmt(self.p50)} ({_fmt(self.p10)}-{_fmt(self.p90)}, n={self.n})"


@dataclass(frozen=True, slots=True)
class Cell:
    """Keys that took / keys typed at one delay, in all and per tool."""

    took: int
    attempts: int
    by_tool: dict[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Summary:
    """One version's run, reduced to the figures the guard table is built from."""

    by_delay: dict[str, Cell]  # keyed by the delay in ms, as printed ("140")
    # The smallest delay from which on every attempt (at it and every larger delay) took.
    all_took_from_ms: float | None
    largest_drop_ms: float | None
    # The same boundary seen from the dialog's first frame instead of its completion.
    latest_drop_after_first_frame_ms: float | None
    earliest_take_after_first_frame_ms: float | None
    naive_served_to_result: Spread
    naive_served_to_result_p50_by_tool: dict[str, float | None]
    naive_presses: Spread
    served_to_complete: Spread
    drawn_to_complete: Spread
    key_to_gone: Spread
    stray_once: int
    stray_naive: int
    wrong: int
    failed: int


def _after_first_frame(a: Attempt) -> float | None:
    if a.delay_ms is None or a.served_to_complete_ms is None or a.served_to_drawn_ms is None:
        return None
    return round(a.delay_ms + a.served_to_complete_ms - a.served_to_drawn_ms, 1)


def summarise(attempts: Sequence[Attempt], delays_ms: Sequence[float]) -> Summary:
    once = [a for a in attempts if a.mode is Mode.ONCE and a.outcome is not Outcome.FAILED]
    naive = [a for a in attempts if a.mode is Mode.NAIVE and a.outcome is Outcome.TOOK]
    by_delay: dict[str, Cell] = {}
    for d in delays_ms:
        at = [a for a in once if a.delay_ms == d]
        by_tool = {
            t.value: (
                sum(a.outcome is Outcome.TOOK for a in at if a.tool is t),
                sum(a.tool is t for a in at),
            )
            for t in Tool
        }
        by_delay[f"{d:g}"] = Cell(sum(a.outcome is Outcome.TOOK for a in at), len(at), by_tool)
    threshold: float | None = None
    for d in sorted(delays_ms, reverse=True):
        cell = by_delay[f"{d:g}"]
        if not cell.attempts or cell.took < cell.attempts:
            break
        threshold = d
    dropped = [a for a in once if a.outcome is Outcome.DROPPED]
    took = [a for a in once if a.outcome is Outcome.TOOK]
    late_drops = [x for a in dropped if (x := _after_first_frame(a)) is not None]
    early_takes = [x for a in took if (x := _after_first_frame(a)) is not None]
    dialogs = [a for a in attempts if a.outcome is not Outcome.FAILED]
    return Summary(
        by_delay=by_delay,
        all_took_from_ms=threshold,
        largest_drop_ms=max((a.delay_ms for a in dropped if a.delay_ms is not None), default=None),
        latest_drop_after_first_frame_ms=max(late_drops, default=None),
        earliest_take_after_first_frame_ms=min(early_takes, default=None),
        naive_served_to_result=Spread.of([a.served_to_result_ms for a in naive]),
        naive_served_to_result_p50_by_tool={
            t.value: Spread.of([a.served_to_result_ms for a in naive if a.tool is t]).p50
            for t in Tool
        },
        naive_presses=Spread.of([float(a.presses) for a in naive]),
        served_to_complete=Spread.of([a.served_to_complete_ms for a in dialogs]),
        drawn_to_complete=Spread.of(
            [
                a.served_to_complete_ms - a.served_to_drawn_ms
                for a in dialogs
                if a.served_to_complete_ms is not None and a.served_to_drawn_ms is not None
            ]
        ),
        key_to_gone=Spread.of([a.key_to_gone_ms for a in took]),
        stray_once=sum(bool(a.stray) for a in attempts if a.mode is Mode.ONCE),
        stray_naive=sum(bool(a.stray) for a in attempts if a.mode is Mode.NAIVE),
        wrong=sum(a.outcome is Outcome.WRONG for a in attempts),
        failed=sum(a.outcome is Outcome.FAILED for a in attempts),
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def print_table(versions: Sequence[str], summaries: Sequence[Summary]) -> None:
    col = 30
    print("\nkey '1' typed once D ms after the dialog is complete on screen: took/attempts")
    print(f"{'D ms':>8}" + "".join(f"{v:>{col}}" for v in versions) + "    (Bash Write Fetch)")
    for key in summaries[0].by_delay:
        cells = []
        for summary in summaries:
            cell = summary.by_delay[key]
            tools = " ".join(f"{t}/{n}" for t, n in cell.by_tool.values())
            cells.append(f"{cell.took}/{cell.attempts} ({tools})")
        print(f"{key:>8}" + "".join(f"{c:>{col}}" for c in cells))
    rows: list[tuple[str, Callable[[Summary], str]]] = [
        ("all took from D (ms)", lambda s: _fmt(s.all_took_from_ms)),
        ("largest D dropped (ms)", lambda s: _fmt(s.largest_drop_ms)),
        (
            "after first frame (ms):",
            lambda s: f"latest drop {_fmt(s.latest_drop_after_first_frame_ms)}",
        ),
        ("", lambda s: f"earliest take {_fmt(s.earliest_take_after_first_frame_ms)}"),
        ("naive served->result ms", lambda s: s.naive_served_to_result.brief()),
        (
            "  Bash/Write/Fetch p50",
            lambda s: "/".join(_fmt(v) for v in s.naive_served_to_result_p50_by_tool.values()),
        ),
        ("  presses p50", lambda s: _fmt(s.naive_presses.p50)),
        ("served->complete ms", lambda s: s.served_to_complete.brief()),
        (
            "drawn->complete p50/max",
            lambda s: f"{_fmt(s.drawn_to_complete.p50)}/{_fmt(s.drawn_to_complete.max)}",
        ),
        (
            "key->gone p50/p90/max",
            lambda s: "/".join(
                _fmt(x) for x in (s.key_to_gone.p50, s.key_to_gone.p90, s.key_to_gone.max)
            ),
        ),
        ("stray digits once/naive", lambda s: f"{s.stray_once}/{s.stray_naive}"),
        ("wrong / failed trials", lambda s: f"{s.wrong} / {s.failed}"),
    ]
    print()
    for label, get in rows:
        print(f"{label:<25}" + "".join(f"{get(s):>{col}}" for s in summaries))


def summarise_runs(paths: Sequence[Path]) -> int:
    """Print one table over several saved runs, pooling each version's attempts."""
    pooled: dict[str, list[Attempt]] = {}
    for path in paths:
        report = json.loads(path.read_text(encoding="utf-8"))
        for result in report["versions"]:
            pooled.setdefault(result["version"], []).extend(
                _attempt_from_json(item) for item in result["attempts"]
            )
        load = report["host"]
        print(
            f"{path}: {report['date']}, load average {load['load_before'][0]:.2f} -> "
            f"{load['load_after'][0]:.2f}"
        )
    delays = sorted(
        {a.delay_ms for runs in pooled.values() for a in runs if a.delay_ms is not None}
    )
    print_table(list(pooled), [summarise(pooled[v], delays) for v in pooled])
    return 0


def _attempt_from_json(item: dict[str, Any]) -> Attempt:
    return Attempt(
        **(
            item
            | {
                "mode": Mode(item["mode"]),
                "tool": Tool(item["tool"]),
                "outcome": Outcome(item["outcome"]),
            }
        )
    )


# -- main --------------------------------------------------------------------------------------


def _parse_delays(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--delays takes ms like 0,20,40; got {text!r}") from None
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"--delays needs delays >= 0 ms; got {text!r}")
    return sorted(set(values))


async def _kill_server(socket: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "tmux", "-L", socket, "kill-server", stderr=asyncio.subprocess.DEVNULL
    )
    await proc.wait()
    tmpdir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
    (tmpdir / socket).unlink(missing_ok=True)


async def measure(args: argparse.Namespace, binaries: Sequence[tuple[Path, str]]) -> int:
    settings = Settings(args.poll / 1000.0, args.drop_wait, args.width, args.height)
    delays_ms: list[float] = args.delays
    tools = [Tool(t) for t in args.tools.split(",")]
    rng = random.Random(args.seed)
    socket = f"yesman-guard-{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="yesman-guard-"))
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    sessions: list[Session] = []
    attempts: dict[str, list[Attempt]] = {}
    try:
        # A server that ignores ~/.tmux.conf; the placeholder session keeps it alive.
        await _tmux(socket, "-f", os.devnull, "new-session", "-d", "-s", "keep", "sleep 86400")
        for i, (binary, version) in enumerate(binaries):
            session = Session(binary, version, socket, work / f"v{i}", settings)
            print(f"claude-code {version}: {binary}", flush=True)
            await session.start()
            sessions.append(session)
            attempts[version] = []
        plans = {
            s.version: plan_trials(
                tools, [d / 1000 for d in delays_ms], args.repeats, args.naive, rng
            )
            for s in sessions
        }
        # Warm-up: the first dialog of a session is slower to draw; not recorded.
        for s in sessions:
            for n, tool in enumerate(tools):
                await _run_safely(s, -1 - n, Planned(Mode.NAIVE, tool, None))
        total = sum(len(p) for p in plans.values())
        done = 0
        for index in range(max(len(p) for p in plans.values())):
            for s in sessions:
                plan = plans[s.version]
                if index >= len(plan):
                    continue
                attempt = await _run_safely(s, index, plan[index])
                attempts[s.version].append(attempt)
                done += 1
                if args.verbose:
                    print(_line(attempt), flush=True)
                elif done % 20 == 0:
                    print(f"  {done}/{total} trials", flush=True)
    finally:
        for s in sessions:
            await s.aclose()
        await _kill_server(socket)
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    summaries = [summarise(attempts[s.version], delays_ms) for s in sessions]
    results = [
        {
            "version": s.version,
            "binary": str(s.binary),
            "summary": asdict(summary),
            "attempts": [asdict(a) for a in attempts[s.version]],
        }
        for s, summary in zip(sessions, summaries, strict=True)
    ]
    print_table([s.version for s in sessions], summaries)
    seconds = (datetime.now(UTC) - started).total_seconds()
    print(
        f"\n{seconds:.0f} s; load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"on {os.cpu_count()} CPUs; poll {args.poll:g} ms, drop wait {args.drop_wait:g} s"
    )
    if args.json:
        report = {
            "script": "scripts/measure_input_guard.py",
            "date": started.isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "host": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_before": load_before,
                "load_after": load_after,
            },
            "settings": {
                "delays_ms": delays_ms,
                "repeats": args.repeats,
                "naive": args.naive,
                "tools": [t.value for t in tools],
                "poll_ms": args.poll,
                "drop_wait_s": args.drop_wait,
                "naive_press_every_ms": _NAIVE_PRESS_EVERY * 1000,
                "pane": f"{args.width}x{args.height}",
                "seed": args.seed,
            },
            "versions": results,
        }
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


async def _run_safely(session: Session, index: int, plan: Planned) -> Attempt:
    try:
        return await session.run(index, plan)
    except TrialError as exc:
        print(f"  trial {index} ({plan.mode} {plan.tool}) failed: {exc}", flush=True)
        await session.restart()
        return Attempt(
            version=session.version,
            trial=index,
            mode=plan.mode,
            tool=plan.tool,
            delay_ms=None if plan.delay is None else round(plan.delay * 1000.0, 1),
            outcome=Outcome.FAILED,
            served_to_drawn_ms=None,
            served_to_complete_ms=None,
            key_to_gone_ms=None,
            served_to_result_ms=None,
            presses=0,
            stray="",
            note=str(exc)[:200],
        )


def _line(a: Attempt) -> str:
    delay = "naive" if a.delay_ms is None else f"D={a.delay_ms:g}"
    return (
        f"  {a.version} #{a.trial:<3} {a.tool:<8} {delay:<8} {a.outcome:<7} "
        f"complete {_fmt(a.served_to_complete_ms)} result {_fmt(a.served_to_result_ms)} "
        f"gone {_fmt(a.key_to_gone_ms)} presses {a.presses}"
        + (f" stray {a.stray!r}" if a.stray else "")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--version-dir",
        type=Path,
        action="append",
        default=[],
        help="a folder installed with `npm ci --prefix DIR` (repeat for several versions)",
    )
    parser.add_argument(
        "--claude-bin", type=Path, action="append", default=[], help="a claude executable"
    )
    parser.add_argument(
        "--delays",
        type=_parse_delays,
        default=_parse_delays("0,25,50,75,100,125,150,175,200,225,250,275,300"),
        help="ms after the dialog is complete to type the key (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=2, help="attempts per delay and tool")
    parser.add_argument("--naive", type=int, default=4, help="naive-presser dialogs per tool")
    parser.add_argument("--tools", default="Bash,Write,WebFetch", help="dialogs to use")
    parser.add_argument("--poll", type=float, default=5.0, help="capture every N ms")
    parser.add_argument(
        "--drop-wait", type=float, default=1.0, help="seconds the dialog must stay to be dropped"
    )
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1, help="shuffles the trial order")
    parser.add_argument("--json", type=Path, help="write every attempt and the summary here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every trial")
    parser.add_argument(
        "--summarise",
        type=Path,
        nargs="+",
        metavar="RUN_JSON",
        help="measure nothing: print the table of earlier --json runs, attempts pooled by version",
    )
    args = parser.parse_args(argv)
    if args.summarise:
        return summarise_runs(args.summarise)
    if shutil.which("tmux") is None:
        parser.error("tmux is not installed")
    paths = [binary_in((ROOT / d).resolve()) for d in args.version_dir]
    paths += [Path(b).resolve() for b in args.claude_bin]
    paths = paths or [binary_in(ROOT / "tools" / "claude-code")]
    binaries = [(path, claude_version(path)) for path in paths]
    if len({version for _, version in binaries}) < len(binaries):
        parser.error(f"the same version twice: {binaries}")
    return asyncio.run(measure(args, binaries))


if __name__ == "__main__":
    sys.exit(main())
