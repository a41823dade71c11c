"""Capture real Claude Code screens into tests/agents/claude/corpus/<version>/.

Runs the pinned Claude Code (``npm ci --prefix tools/claude-code``, or the older copy given with
``--claude-dir tools/claude-code-2.1.197``) in a private tmux server
against the in-process API stand-in, drives it into each dialog or state listed in
`support.corpus_scenarios` at several sizes, and saves ``capture-pane -p`` (``.txt``) and
``capture-pane -p -e`` (``.ansi``) with the expected reading (``.json``). After each capture the
reading is checked against the screen (`support.corpus.check`) and a mismatch is printed as
``CHECK``, so a person looks before the corpus is trusted. The stored corpus is checked the same
way by tests/support/test_corpus.py.

    uv run python scripts/capture_corpus.py                  # everything (~10 min)
    uv run python scripts/capture_corpus.py bash_short idle  # scenarios whose name starts so
    uv run python scripts/capture_corpus.py --claude-dir tools/claude-code-2.1.197
    uv run python scripts/capture_corpus.py --missing        # only what the folder lacks
    uv run python scripts/capture_corpus.py --width 100 --width 160 bash_
    uv run python scripts/capture_corpus.py --readings-only  # rewrite the .json, no capture
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from yesman.testing import PrivateTmuxServer

# The scenarios, the API stand-in, the Claude Code launcher and the reading check are test
# support code (tests/support), shared with the tests that check the stored corpus.
ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.claude_api import ClaudeApiStandIn  # noqa: E402
from support.claude_code import (  # noqa: E402
    ClaudeLaunch,
    claude_version,
    find_claude_binary,
    prepare_home,
    start_claude,
)
from support.corpus import Act, Scenario, check  # noqa: E402
from support.corpus_scenarios import PROJECT, SCENARIOS, WORK  # noqa: E402

CORPUS: Final = ROOT / "tests" / "agents" / "claude" / "corpus"
_WAIT_S: Final = 30.0  # for one expected screen
_SETTLE_CAP_S: Final = 5.0  # spinners never stop changing the screen


@dataclass(frozen=True, slots=True)
class Capture:
    """One scenario captured at one size."""

    stem: str
    width: int
    height: int
    text: str
    ansi: str
    seconds: float
    timings: tuple[str, ...]  # how long each wait took


async def wait_for(tmux: PrivateTmuxServer, pane: str, pattern: str) -> float:
    """Wait until `pattern` matches the screen; the seconds it took."""
    start = time.monotonic()
    regex = re.compile(pattern)
    while time.monotonic() - start < _WAIT_S:
        if regex.search(await tmux.capture_async(pane)):
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    screen = await tmux.capture_async(pane)
    raise TimeoutError(f"no /{pattern}/ on screen after {_WAIT_S:.0f} s:\n{screen}")


async def settle(tmux: PrivateTmuxServer, pane: str, quiet: float) -> None:
    """Wait until the screen stops changing for `quiet` seconds (at most `_SETTLE_CAP_S`)."""
    last, since, start = await tmux.capture_async(pane), time.monotonic(), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() - start < _SETTLE_CAP_S:
        await asyncio.sleep(0.1)
        now = await tmux.capture_async(pane)
        if now != last:
            last, since = now, time.monotonic()


def _fresh_project(sc: Scenario) -> Path:
    """Empty the fixed project folder and home, write the scenario's files; the home."""
    home = WORK / "home"
    for path in (home, PROJECT):
        shutil.rmtree(path, ignore_errors=True)
    PROJECT.mkdir(parents=True)
    for rel, text in sc.files.items():
        (PROJECT / rel).write_text(text, encoding="utf-8")
    return prepare_home(
        home,
        trusted=[PROJECT] if sc.trusted else [],
        approve_api_key=sc.approve_key,
        auto_mode=sc.auto_mode,
    )


async def capture(
    sc: Scenario, width: int, height: int, tmux: PrivateTmuxServer, binary: Path
) -> Capture:
    """Start Claude Code for `sc` in a new window, play its steps, and take the screen."""
    home = _fresh_project(sc)
    timings: list[str] = []
    async with ClaudeApiStandIn(sc.turns) as api:
        started = time.monotonic()
        pane = await start_claude(
            ClaudeLaunch(
                socket=tmux.socket_name,
                home=home,
                cwd=PROJECT,
                base_url=api.base_url,
                width=width,
                height=height,
                args=sc.args,
                session=f"c{width}x{height}",
                binary=binary,
            )
        )
        try:
            for step in sc.steps:
                match step.act:
                    case Act.WAIT:
                        took = await wait_for(tmux, pane, step.value)
                        timings.append(f"/{step.value[:24]}/ {took:.1f}s")
                    case Act.SAY:
                        await tmux.run_async("send-keys", "-t", pane, "-l", step.value)
                        await asyncio.sleep(0.2)
                        await tmux.run_async("send-keys", "-t", pane, "Enter")
                    case Act.KEY:
                        await tmux.run_async("send-keys", "-t", pane, step.value)
                    case Act.SLEEP:
                        await asyncio.sleep(float(step.value))
            await settle(tmux, pane, sc.settle)
            # With the newline that ends `capture-pane -p` output, as the corpus stores it.
            text = await tmux.capture_async(pane) + "\n"
            ansi = await tmux.capture_async(pane, ansi=True) + "\n"
        finally:
            await tmux.run_async("kill-window", "-t", pane, check=False)
    seconds = time.monotonic() - started
    return Capture(sc.stem(width, height), width, height, text, ansi, seconds, tuple(timings))


def store(corpus: Path, sc: Scenario, shot: Capture, version: str) -> list[str]:
    """Write the capture and its reading into `corpus`; what `check` finds wrong with them."""
    (corpus / f"{shot.stem}.txt").write_text(shot.text, encoding="utf-8")
    (corpus / f"{shot.stem}.ansi").write_text(shot.ansi, encoding="utf-8")
    return write_reading(corpus, sc, (shot.width, shot.height), version)


def write_reading(corpus: Path, sc: Scenario, size: tuple[int, int], version: str) -> list[str]:
    """Write the expected reading beside the stored capture of `sc` at `size`; what `check`
    finds wrong with the two."""
    width, height = size
    stem = sc.stem(width, height)
    expected = sc.reading(width, version)
    reading = dict(expected)
    reading["note"] = f"claude-code {version}, real capture, {width}x{height}, {sc.how}"
    (corpus / f"{stem}.json").write_text(
        json.dumps(reading, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return check((corpus / f"{stem}.txt").read_text(encoding="utf-8"), expected)


async def capture_all(
    chosen: Sequence[Scenario],
    corpus: Path,
    binary: Path,
    version: str,
    *,
    widths: Collection[int] = (),
    missing_only: bool = False,
) -> int:
    """Capture every size of every chosen scenario into `corpus` (the version's folder); how
    many need a look. `widths` narrows the sizes; `missing_only` skips captures already stored."""
    failures = 0
    with PrivateTmuxServer(prefix="yesman-corpus") as tmux:
        print(f"claude-code {version} ({binary}), {len(chosen)} scenarios, {tmux.socket_name}")
        for sc in chosen:
            if not sc.shown_by(version):
                continue
            for width, height in sc.sizes:
                if widths and width not in widths:
                    continue
                if missing_only and (corpus / f"{sc.stem(width, height)}.txt").exists():
                    continue
                try:
                    shot = await capture(sc, width, height, tmux, binary)
                except TimeoutError as exc:
                    failures += 1
                    print(f"FAIL  {sc.name} {width}x{height}: {exc}", flush=True)
                    continue
                problems = store(corpus, sc, shot, version)
                failures += bool(problems)
                status = "CHECK" if problems else "ok   "
                timings = "; ".join(shot.timings)
                print(f"{status} {shot.stem:40s} {shot.seconds:5.1f}s  {timings}", flush=True)
                for problem in problems:
                    print(f"      {problem}", flush=True)
    print(f"{failures} capture(s) need a look" if failures else "all captures match")
    return failures


def rewrite_readings(chosen: Sequence[Scenario], corpus: Path, version: str) -> int:
    """Write the readings of the captures stored in `corpus` again from the scenarios (after an
    expectation was edited) and check each against its screen; how many need a look."""
    failures = 0
    for sc in chosen:
        for size in sc.sizes:
            stem = sc.stem(*size)
            if not sc.shown_by(version) or not (corpus / f"{stem}.txt").exists():
                continue
            problems = write_reading(corpus, sc, size, version)
            failures += bool(problems)
            for problem in problems:
                print(f"CHECK {stem}: {problem}", flush=True)
    return failures


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("only", nargs="*", help="scenario name prefixes to capture")
    parser.add_argument(
        "--claude-dir",
        type=Path,
        help="npm prefix of the Claude Code to run, e.g. tools/claude-code-2.1.197 "
        "(default: $YESMAN_CLAUDE_BIN, else tools/claude-code)",
    )
    parser.add_argument(
        "--width", type=int, action="append", default=[], help="capture only at this width"
    )
    parser.add_argument(
        "--missing", action="store_true", help="skip captures the version's folder already holds"
    )
    parser.add_argument(
        "--readings-only",
        action="store_true",
        help="capture nothing (Claude Code only reports its version): rewrite the stored "
        "captures' readings from the scenarios",
    )
    args = parser.parse_args(argv)
    prefixes = tuple(args.only)
    chosen = [s for s in SCENARIOS if not prefixes or s.name.startswith(prefixes)]
    if not chosen:
        names = " or ".join(prefixes)
        parser.error(f"no scenario starts with {names}; see tests/support/corpus_scenarios.py")
    claude_dir = args.claude_dir
    if claude_dir is not None and not claude_dir.is_absolute():
        claude_dir = ROOT / claude_dir
    binary = find_claude_binary(version_dir=claude_dir)
    version = claude_version(binary)
    folder = CORPUS / version  # one folder per Claude Code version
    folder.mkdir(parents=True, exist_ok=True)
    if args.readings_only:
        return 1 if rewrite_readings(chosen, folder, version) else 0
    failures = asyncio.run(
        capture_all(
            chosen, folder, binary, version, widths=set(args.width), missing_only=args.missing
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
