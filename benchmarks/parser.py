"""How many Claude Code screens per second `parse_screen` reads, at 120x40 and 250x80.

Screens: the real corpus (tests/agents/claude/corpus) plus the hand-made cases, plain and ANSI,
fitted to each size (padded with earlier scrollback or cut to the last rows). Reference, measured
in the same run: one naive regex search over the whole screen, what a scrollback-grepping
detector costs, and the target from issue 4 (>= 5,000 screens/s at 120x40 on one core).

Run: uv run python benchmarks/parser.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path

from yesman.agents.claude import parse_screen

DATA = Path(__file__).parents[1] / "tests" / "agents" / "claude"
TARGET_120x40 = 5_000.0
_NAIVE = re.compile(r"Do you want to (?:proceed|create|make)|❯ \d\. Yes")
_FILLER = "● Earlier answer text that scrolled up, with a list: 1. first 2. second"


def load_screens(width: int, height: int) -> list[str]:
    screens: list[str] = []
    for folder in (DATA / "corpus", DATA / "cases"):
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".txt", ".ansi"):
                continue
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            lines = [line[:width] for line in lines][-height:]
            lines = [_FILLER[:width]] * (height - len(lines)) + lines
            screens.append("\n".join(lines) + "\n")
    return screens


def rate(fn: Callable[[str], object], screens: list[str], seconds: float) -> float:
    """Screens per CPU second of this thread, best of three rounds of about `seconds` / 3 each.

    CPU time (`time.thread_time`), not wall time: on a shared machine other processes take the
    core away, and "screens per second on one core" is about the work, not the waiting.
    """
    best = 0.0
    for _ in range(3):
        done = 0
        start = time.thread_time()
        deadline = start + seconds / 3
        while True:
            for screen in screens:
                fn(screen)
            done += len(screens)
            now = time.thread_time()
            if now >= deadline:
                break
        best = max(best, done / (now - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per size and function")
    args = parser.parse_args()
    print("screens per CPU second (thread time), best of 3")
    print(f"{'size':>8}  {'screens':>7}  {'parse_screen/s':>14}  {'naive regex/s':>13}  target")
    for width, height in ((120, 40), (250, 80)):
        screens = load_screens(width, height)
        ours = rate(parse_screen, screens, args.seconds)
        naive = rate(_NAIVE.search, screens, args.seconds)
        target = f">= {TARGET_120x40:,.0f}" if (width, height) == (120, 40) else "-"
        verdict = ""
        if (width, height) == (120, 40):
            verdict = "  OK" if ours >= TARGET_120x40 else "  BELOW TARGET"
        print(
            f"{width:>4}x{height:<3}  {len(screens):>7}  {ours:>14,.0f}  {naive:>13,.0f}  "
            f"{target}{verdict}"
        )
        print(f"{'':>8}  {'':>7}  {1e6 / ours:>11.1f} µs  {1e6 / naive:>10.1f} µs  per screen")


if __name__ == "__main__":
    main()
