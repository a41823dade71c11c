"""Acts that are dangerous wherever they happen, judged from one program's arguments.

Each function answers for one program family with the reason to hold the command, or None:
`git push --force` and friends and `git reset --hard` (yesman cannot see which branch is
shared), signals to every process or a process group (`kill -9 -1`, `pkill .`, `killall`), and
shutting down or restarting the machine. The lists they read are in `_command_tables`.
"""

from __future__ import annotations

from yesman.policy._command_tables import (
    GIT_VALUE_OPTS,
    PKILL_VALUES,
    PLAIN_NAME_RE,
    POWER,
    POWER_VERBS,
)

__all__ = ["git_danger", "kill_danger", "powers_off"]


def git_danger(args: list[str]) -> str | None:
    """History rewritten or deleted on a remote, or work discarded."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in GIT_VALUE_OPTS else 1
    if i >= len(args):
        return None
    sub, rest = args[i], args[i + 1 :]
    if sub == "push":
        for a in rest:
            forced = a.startswith("--force") or a in ("--mirror", "--delete", "--prune")
            short = a.startswith("-") and not a.startswith("--") and ("f" in a or "d" in a)
            if forced or short or (a.startswith("+") and len(a) > 1):
                return f"git push {a} rewrites or deletes shared history"
            if a.startswith(":") and len(a) > 1:
                return f"git push {a} deletes a remote branch"
    elif sub == "reset" and "--hard" in rest:
        return "git reset --hard discards work (yesman cannot see if the branch is shared)"
    return None


def kill_danger(name: str, args: list[str]) -> str | None:
    """Signals to every process (`kill -9 -1`), a process group, init, or by a loose pattern."""
    if name in ("killall", "killall5"):
        return f"{name} signals every process with a name (or every process)"
    if name == "pkill":
        pattern = _pkill_pattern(args)
        if pattern is None or not PLAIN_NAME_RE.fullmatch(pattern):
            return f"pkill with a pattern that may match many processes ({pattern})"
        return None
    rest = args
    signal = None
    if rest and rest[0] in ("-s", "-n", "--signal"):
        signal, rest = rest[1:2], rest[2:]
    elif rest and rest[0].startswith("-") and rest[0] not in ("--", "-l", "-L"):
        signal, rest = [rest[0]], rest[1:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    if signal == ["-1"] and not rest:
        return "kill -1: reads as a signal to every process"
    for pid in rest:
        if pid.startswith("-") or pid in ("0", "1"):
            return f"kill {pid} signals every process or a whole process group"
    return None


def _pkill_pattern(args: list[str]) -> str | None:
    i = 0
    while i < len(args):
        a = args[i]
        if a in PKILL_VALUES:
            i += 2
        elif a.startswith("-") and a != "-":
            i += 1
        else:
            return a
    return None


def powers_off(name: str, args: list[str]) -> bool:
    """`shutdown`, `reboot` ..., `init 0`/`init 6`, `systemctl poweroff` and friends."""
    if name in POWER:
        return True
    if name in ("init", "telinit"):
        return args[:1] in (["0"], ["6"])
    return name in ("systemctl", "loginctl") and bool(POWER_VERBS.intersection(args))
