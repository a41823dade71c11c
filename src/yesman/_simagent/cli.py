"""A stand-in for Claude Code 2.1.x that draws its permission dialogs in a real terminal.

Run it in a tmux pane::

    python -m yesman._simagent [--scenario NAME ...] [--loop] [--log PATH]
        [--speed X] [--pause S] [--hold-timeout S] [--no-blink] [--list]

Each scenario is: the user's message, a busy spinner for a while, a dialog, one key from the
keyboard (or from yesman), the outcome in the transcript, then the next scenario. A few are text
replies with no dialog at all (a numbered list quoting a dialog, an API error): a watcher must
type nothing there. ``--list`` prints them all. After the last
one it sits idle at the input box until Ctrl-C, SIGTERM, SIGHUP or end of input. The default
list plays the routine dialogs first, then a dangerous command and a question for the human;
``--loop`` repeats only the harmless ones. ``--hold-timeout S`` makes a dialog nobody answered
cancel itself after S seconds, with a note, so a demo can go on.

Keys behave like Claude Code's: a digit selects and confirms that option at once (no Enter),
Enter confirms the highlighted option, Up/Down move the highlight, Esc cancels. The unnumbered
start-up dialogs (workspace trust, API key) take arrows and Enter only. Keys that arrive while no
dialog is open change nothing but are logged, which is how tests catch a double answer.

``--log PATH`` appends one JSON object per line: ``start``, ``dialog_shown`` (written once the
dialog's last byte went to the terminal, so it starts any latency measurement), ``key`` (with the
``dialog`` it reached, null when none was open), ``answered``, ``cancelled``, ``hold_timeout``,
``text_shown`` (a reply with no dialog), ``idle``, ``resize`` and ``exit``. Every line has ``t``
(``time.time()``) and ``event``.

What it draws follows real captures (tests/agents/claude/corpus): the live part (dialog, or
spinner and input box) on the last rows, the transcript above it, and the pending tool call's
bullet blinking while its dialog waits, so a watcher sees the same repaints it will see from
Claude Code. A frame identical to the previous one is not written, so an idle agent is silent.
SIGWINCH re-wraps everything at the new width. Stdlib only, so it starts fast anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, Any, Final

from yesman._simagent.agent import SimulatedAgent, raw_terminal
from yesman._simagent.scenarios import DEFAULT_SCENARIOS, builtin_scenarios

__all__ = ["SIMULATED_AGENT", "command", "main", "read_log"]

# What `python -m` runs; process matchers look for it on the command line.
SIMULATED_AGENT: Final = "yesman._simagent"


def _parser(names: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {SIMULATED_AGENT}",
        description="Draw Claude Code 2.1.x dialogs in this terminal and wait for answers.",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run this scenario (repeatable, in order); one of: {', '.join(names)}",
    )
    parser.add_argument("--loop", action="store_true", help="repeat the scenarios forever")
    parser.add_argument("--log", metavar="PATH", help="append JSON lines about dialogs and keys")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="time multiplier (2 = twice as fast)"
    )
    parser.add_argument(
        "--pause", type=float, default=0.5, metavar="S", help="idle seconds between scenarios"
    )
    parser.add_argument(
        "--hold-timeout",
        type=float,
        default=None,
        metavar="S",
        help="cancel a dialog nobody answered after S seconds (default: wait forever)",
    )
    parser.add_argument(
        "--no-blink", action="store_true", help="keep the pending tool's bullet still"
    )
    parser.add_argument("--list", action="store_true", help="print the scenario names and exit")
    return parser


def command(
    *scenarios: str,
    log: str | os.PathLike[str] | None = None,
    speed: float = 1.0,
    pause: float | None = None,
    hold_timeout: float | None = None,
    loop: bool = False,
    blink: bool = True,
    python: str = sys.executable,
) -> list[str]:
    """The argv that runs the simulated agent, for `tmux new-session` and friends.

    No `scenarios` means the default list (or the harmless ones with `loop`).
    """
    argv = [python, "-m", SIMULATED_AGENT]
    for name in scenarios:
        argv += ["--scenario", name]
    if log is not None:
        argv += ["--log", os.fspath(log)]
    if speed != 1.0:
        argv += ["--speed", repr(speed)]
    if pause is not None:
        argv += ["--pause", repr(pause)]
    if hold_timeout is not None:
        argv += ["--hold-timeout", repr(hold_timeout)]
    if loop:
        argv.append("--loop")
    if not blink:
        argv.append("--no-blink")
    return argv


def read_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The entries of a ``--log`` file so far; a half-written last line is left out."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return []
    entries: list[dict[str, Any]] = []
    for line in text.splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            entries.append(json.loads(line))
    return entries


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    cwd = os.getcwd()
    catalogue = builtin_scenarios(cwd)
    parser = _parser(list(catalogue))
    args = parser.parse_args(argv)
    if args.list:
        for name, scenario in catalogue.items():
            print(f"{name:<10} {scenario.summary}")
        return 0
    if args.speed <= 0:
        parser.error(f"--speed must be positive, got {args.speed}")
    if args.pause < 0 or (args.hold_timeout is not None and args.hold_timeout <= 0):
        parser.error("--pause must be >= 0 and --hold-timeout > 0")
    if args.scenario:
        names = list(args.scenario)
    elif args.loop:
        names = [name for name in DEFAULT_SCENARIOS if catalogue[name].harmless]
    else:
        names = list(DEFAULT_SCENARIOS)
    log: IO[str] | None = None
    try:
        if args.log:
            log = open(args.log, "a", encoding="utf-8")  # noqa: SIM115  (closed below)
    except OSError as exc:
        parser.error(f"cannot open --log {args.log}: {exc.strerror}; pick a writable path")
    agent = SimulatedAgent(
        [catalogue[name] for name in names],
        stdin_fd=sys.stdin.fileno(),
        stdout_fd=sys.stdout.fileno(),
        log=log,
        speed=args.speed,
        pause_s=args.pause,
        hold_timeout_s=args.hold_timeout,
        loop=args.loop,
        blink=not args.no_blink,
        cwd=cwd,
    )
    try:
        with raw_terminal(sys.stdin.fileno()):
            return agent.run()
    finally:
        if log is not None:
            log.close()
