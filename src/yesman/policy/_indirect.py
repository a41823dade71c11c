"""Commands that run other commands by a side door the shell analysis cannot follow.

An environment variable a program executes (`GIT_SSH_COMMAND='rm -rf /' git fetch`,
`LD_PRELOAD=...`), a git setting that names a command (`git -c core.pager='!sh' log`), an
editor's command option (`vim -c ':!rm -rf /'`), a command sent to another machine
(`ssh host rm -rf /`) and a container that mounts the host's folders
(`docker run -v /:/host ...`) all run code yesman never sees as a command line of its own. Each
is reported with its reason; the caller holds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

__all__ = ["indirect_execution"]

# Variables that name a program to run, code to load, or options that load code.
_EXEC_ENV: Final = frozenset(
    {
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_EDITOR",
        "GIT_PAGER",
        "GIT_EXTERNAL_DIFF",
        "GIT_ASKPASS",
        "GIT_PROXY_COMMAND",
        "GIT_SEQUENCE_EDITOR",
        "GIT_CONFIG_PARAMETERS",
        "SSH_ASKPASS",
        "PAGER",
        "MANPAGER",
        "EDITOR",
        "VISUAL",
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "DYLD_INSERT_LIBRARIES",
        "BASH_ENV",
        "ENV",
        "PROMPT_COMMAND",
        "PERL5OPT",
        "RUBYOPT",
        "NODE_OPTIONS",
        "PYTHONSTARTUP",
        "PYTHONINSPECT",
    }
)
# git settings whose value is a command (or, for alias, may be one with a leading "!").
_GIT_EXEC_KEY_RE: Final = re.compile(
    r"(?i)(sshcommand|pager|editor|hookspath|fsmonitor|helper|external|textconv|askpass"
    r"|proxycommand|program|uploadpack|receivepack|^filter\.|^alias\.|^core\.sshcommand"
    r"|^includeif|^include\.)"
)
_GIT_CONFIG_SCOPES: Final = frozenset({"--global", "--system", "--file", "-f"})
_GIT_CONFIG_WRITES: Final = frozenset(
    {"--add", "--replace-all", "--unset", "--unset-all", "--remove-section", "--rename-section"}
)
_SSH_VALUES: Final = "bcDEeFIiJLlmOopQRSWw"
_CONTAINER_VALUE_OPTS: Final = frozenset(
    {"-e", "--env", "--name", "-w", "--workdir", "-p", "--publish", "--network", "-u", "--user"}
)


def indirect_execution(
    name: str, args: list[str], assignments: list[str], resolve: Callable[[str], bool]
) -> str | None:
    """Why `name args` runs code by a side door, or None. `resolve(path)`: inside the project."""
    for assignment in assignments:
        var = assignment.partition("=")[0]
        if var in _EXEC_ENV:
            return f"sets {var}, which makes {name} run or load other code"
    if name == "git":
        return _git(args)
    if name in ("vim", "vi", "nvim", "view", "ex", "vimdiff"):
        for a in args:
            if a in ("-c", "--cmd", "-S") or (
                a.startswith("+") and not a[1:].isdigit() and a != "+"
            ):
                return f"{name} runs editor commands from the command line ({a})"
        return None
    if name in ("emacs", "emacsclient"):
        if any(a in ("--eval", "-eval", "-e", "--batch", "-batch", "-l", "--load") for a in args):
            return f"{name} evaluates Lisp from the command line"
        return None
    if name in ("ssh", "mosh"):
        return _ssh(name, args)
    if name in ("docker", "podman", "nerdctl"):
        return _container(name, args, resolve)
    return None


def _git(args: list[str]) -> str | None:
    for k, a in enumerate(args):
        if a == "-c" and k + 1 < len(args):
            key = args[k + 1].partition("=")[0]
            if _GIT_EXEC_KEY_RE.search(key):
                return f"git -c {key}=... runs a command named in the setting"
        elif a.startswith(("--config-env", "--exec-path=")):
            return f"git {a.partition('=')[0]} changes what git runs"
        elif not a.startswith("-"):
            # The subcommand: -c after it is its own option.
            return _git_config(args[k + 1 :]) if a == "config" else None
    return None


def _git_config(args: list[str]) -> str | None:
    """`git config` that stores a setting naming a command, or changes settings beyond the
    project (`--global`, `--system`, `--file`): later git commands obey it unseen."""
    scope = next((a for a in args if a in _GIT_CONFIG_SCOPES or a.startswith("--file=")), None)
    words = [a for a in args if not a.startswith("-")]
    if words[:1] in (["set"], ["unset"]):
        words = words[1:]  # git 2.46+: `git config set KEY VALUE`
    changes = len(words) >= 2 or any(a in _GIT_CONFIG_WRITES for a in args)
    if not changes:
        return None  # reading a value or listing
    if scope is not None:
        return f"git config {scope} changes git settings outside the project"
    if words and _GIT_EXEC_KEY_RE.search(words[0]):
        return f"git config {words[0]} stores a command that later git commands run"
    return None


def _ssh(name: str, args: list[str]) -> str | None:
    """`ssh [options] host command...`: a command for another machine, unseen here."""
    i = 0
    positional: list[str] = []
    while i < len(args):
        a = args[i]
        i += 1
        if a.startswith("-") and len(a) > 1 and not positional:
            if a[-1] in _SSH_VALUES and len(a) == 2:
                i += 1
            continue
        positional.append(a)
    if len(positional) > 1:
        return f"{name} runs a command on another machine ({' '.join(positional[1:])})"
    return None


def _container(name: str, args: list[str], inside: Callable[[str], bool]) -> str | None:
    """A container that mounts a host path outside the project, or runs privileged."""
    if not args or args[0] not in ("run", "create", "exec"):
        return None
    i = 1
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--privileged" or a.startswith(("--pid=host", "--cap-add")):
            return f"{name} {args[0]} {a} gives the container power over the host"
        source = None
        if a in ("-v", "--volume", "--mount") and i < len(args):
            source, i = args[i], i + 1
        elif a.startswith(("--volume=", "--mount=")):
            source = a.partition("=")[2]
        elif a.startswith("-v") and len(a) > 2:
            source = a[2:]
        elif a in _CONTAINER_VALUE_OPTS:
            i += 1
            continue
        elif not a.startswith("-"):
            break  # the image: what follows runs inside the container
        if source is None:
            continue
        host = _mount_source(source)
        if host is not None and not inside(host):
            return (
                f"{name} {args[0]} mounts {host} into a container (outside the project, or unknown)"
            )
    return None


def _mount_source(spec: str) -> str | None:
    """The host path of `-v SRC:DST` or `--mount type=bind,source=SRC`; None for a named volume."""
    if "=" in spec:
        fields = dict(f.partition("=")[::2] for f in spec.split(","))
        source = fields.get("source") or fields.get("src")
    else:
        source = spec.split(":", 1)[0]
    if not source or not (source.startswith(("/", ".", "~", "$")) or "\x00" in source):
        return None  # a named volume lives in the container engine's own store
    return source
