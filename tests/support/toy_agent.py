"""A toy coding agent for tests: not Claude Code, with a screen and keys of its own.

It asks before each command in its argv (``toy-agent: may I run `CMD`? [1] allow [2] deny``),
takes one key without Enter (raw terminal), appends what it got to the log file named by
``--log``, then goes idle at a ``toy>`` prompt. Run as ``python -m support.toy_agent`` from tests/.
"""

from __future__ import annotations

import argparse
import sys
import termios
import tty


def _read_key() -> str:
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        return sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("commands", nargs="*")
    args = parser.parse_args()
    for command in args.commands:
        print(f"toy-agent: may I run `{command}`?")
        print("  [1] allow   [2] deny")
        sys.stdout.flush()
        key = _read_key()
        with open(args.log, "a", encoding="utf-8") as log:
            log.write(f"{command}\t{key}\n")
        print("ran" if key == "1" else "skipped", command)
    print("toy> ", end="")
    sys.stdout.flush()
    sys.stdin.readline()


if __name__ == "__main__":
    main()
