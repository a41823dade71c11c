"""``yesman hook``: the command an agent runs before it shows a permission dialog.

It passes the agent's input to the watcher of its tmux server and prints the watcher's answer,
unchanged. Everything that goes wrong ends the same way: exit status 0 and nothing printed, which
every supported agent takes as "no decision" and shows its dialog to the human (fail-open), plus
one line on stderr saying why. In particular:

* no watcher: no ``$TMUX`` (not in tmux), no socket, a socket nobody listens on, or a watcher that
  does not watch this pane: ``--no-watcher evaluate`` (the default) decides here, with the policy
  of ``--policy`` (else the shipped one) and the same code the watcher runs, and records the
  decision in the audit database; ``--no-watcher human`` leaves the dialog to the human;
* a watcher that fails (a folder that is not private, a connection cut before the answer, an
  answer that is not the protocol's, no answer within ``--timeout`` seconds): no decision. A
  request a watcher has seen is never decided a second time here.

Start-up cost is the point of this module: a hook runs for every dialog and the agent waits for
it. The path that talks to a watcher imports only the standard library's ``os``, ``sys``,
``_socket``, ``time`` and the built-in SHA-256 (no ``json``, no ``typing``, no ``pathlib``:
~3 ms of imports instead of ~20, measured with ``python -X importtime``, see
``benchmarks/hook.py``); the policy is loaded only to decide here.
"""

from __future__ import annotations

import _socket  # the C module: socket.py costs ~2 ms more and nothing here needs it
import os
import sys
import time

from yesman.hooks import _paths, _wire

TYPE_CHECKING = False  # not typing's: ~6 ms on the hook's start-up path
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import BinaryIO, Final, TextIO

__all__ = ["HookOptions", "main"]

USAGE: Final = """\
usage: yesman hook [--agent NAME] [--no-watcher evaluate|human] [--policy FILE] [--db FILE]
                   [--timeout SECONDS] [--no-record]

Run by a coding agent before it shows a permission dialog (see `yesman hooks install`): reads
the agent's request on stdin, asks the watcher of this tmux server, prints its decision. Prints
nothing (the dialog stays for you) on any error.

  --agent NAME          the agent running this hook (default: claude-code)
  --no-watcher MODE     no watcher answers: evaluate (decide here; the default) or human
  --policy FILE         policy for deciding here (default: the shipped policy)
  --db FILE             audit database for decisions taken here (default: XDG data dir)
  --timeout SECONDS     how long to wait for the watcher's answer (default: 5)
  --no-record           decide here without writing the audit database
"""
_MODES: Final = ("evaluate", "human")
_CONNECT_TIMEOUT: Final = 0.5


class UsageError(ValueError):
    """The hook's command line is wrong (the installer wrote it, or a human edited it)."""


class HookOptions:
    """The parsed command line of ``yesman hook``."""

    __slots__ = ("agent", "db", "no_watcher", "policy", "record", "timeout")

    def __init__(self) -> None:
        self.agent = "claude-code"
        self.no_watcher = "evaluate"
        self.policy: str | None = None
        self.db: str | None = None
        self.timeout = 5.0
        self.record = True


def parse_args(argv: Sequence[str]) -> HookOptions | None:
    """The options, or None when help was asked for; UsageError for anything else."""
    options = HookOptions()
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            return None
        if arg == "--no-record":
            options.record = False
            continue
        name, eq, value = arg.partition("=")
        if name not in ("--agent", "--no-watcher", "--policy", "--db", "--timeout"):
            raise UsageError(f"unknown argument {arg!r}")
        if not eq:
            if not args:
                raise UsageError(f"{name} needs a value")
            value = args.pop(0)
        if name == "--agent":
            options.agent = value
        elif name == "--no-watcher":
            if value not in _MODES:
                raise UsageError(f"--no-watcher takes evaluate or human, not {value!r}")
            options.no_watcher = value
        elif name == "--policy":
            options.policy = value
        elif name == "--db":
            options.db = value
        else:
            try:
                options.timeout = float(value)
            except ValueError:
                raise UsageError(f"--timeout takes seconds, not {value!r}") from None
            if not 0 < options.timeout <= 600:
                raise UsageError("--timeout must be between 0 and 600 seconds")
    return options


class _NoWatcher(Exception):
    """No watcher will answer this request (nothing listens, or not for this pane)."""


class _Failed(Exception):
    """A watcher was reached but gave no usable answer."""


def main(
    argv: Sequence[str],
    *,
    stdin: BinaryIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the hook; always returns 0 (see the module docstring)."""
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    env = os.environ if environ is None else environ
    try:
        options = parse_args(argv)
        if options is None:
            out.write(USAGE)
            return 0
        payload = _read_input(sys.stdin.buffer if stdin is None else stdin)
        try:
            text = ask_watcher(options, payload, env)
        except _NoWatcher as exc:
            if options.no_watcher == "human":
                err.write(f"yesman hook: {exc}; leaving the dialog to you\n")
                return 0
            text = _evaluate_here(options, payload, env, str(exc))
        if text:
            out.write(text)
            out.flush()
    except Exception as exc:  # fail-open: the dialog stays for the human
        err.write(f"yesman hook: {exc}; leaving the dialog to you\n")
    return 0


def _read_input(source: BinaryIO) -> bytes:
    payload = source.read(_wire.MAX_PAYLOAD + 1)
    if len(payload) > _wire.MAX_PAYLOAD:
        raise _Failed(f"the agent's input is larger than {_wire.MAX_PAYLOAD} bytes")
    return payload


def ask_watcher(options: HookOptions, payload: bytes, env: Mapping[str, str]) -> str:
    """The watcher's answer (what to print, maybe nothing); _NoWatcher or _Failed otherwise."""
    path = _paths.socket_from_env(env)
    if path is None:
        raise _NoWatcher("not inside tmux ($TMUX is not set)")
    try:
        problem = _paths.folder_problem(os.path.dirname(path))
    except FileNotFoundError:
        raise _NoWatcher(f"no watcher runs ({os.path.dirname(path)} does not exist)") from None
    if problem is not None:
        raise _Failed(f"{problem}; refusing to talk through it")
    header = _wire.encode_header(
        op="decide",
        agent=options.agent,
        env=_wire.forwarded_env(env),
        length=len(payload),
        sent=time.time(),
    )
    status, stdout, detail = exchange(path, header + payload, options.timeout)
    if status == "unwatched":
        raise _NoWatcher(f"the watcher does not watch this pane ({detail})")
    if status != "decided":
        raise _Failed(f"the watcher answered {status}: {detail}")
    return stdout


def exchange(path: os.PathLike[str] | str, request: bytes, timeout: float) -> tuple[str, str, str]:
    """Send one request, return the reply's (status, stdout, detail).

    _NoWatcher when nothing listens at ``path``; _Failed when the exchange breaks off after the
    connection was made (the watcher may have seen the request: it is not decided again here).
    """
    deadline = time.monotonic() + timeout
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(min(_CONNECT_TIMEOUT, timeout))
        try:
            sock.connect(os.fspath(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise _NoWatcher(f"no watcher listens on {path}") from None
        except OSError as exc:
            raise _Failed(f"cannot connect to {path}: {exc}") from None
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.sendall(request)
            sock.shutdown(_socket.SHUT_WR)
            reply = _read_all(sock, deadline)
        except TimeoutError:
            raise _Failed(f"the watcher did not answer within {timeout:g} s") from None
        except OSError as exc:
            raise _Failed(f"the connection to the watcher broke: {exc}") from None
    finally:
        sock.close()
    try:
        return _wire.parse_reply(reply)
    except _wire.WireError as exc:
        raise _Failed(f"the watcher's answer is not usable: {exc}") from None


def _read_all(sock: _socket.socket, deadline: float) -> bytes:
    """Everything the watcher sends until it closes the connection."""
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = sock.recv(65536)
        if not chunk:
            if not chunks:
                raise _Failed("the watcher closed the connection without an answer")
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > _wire.MAX_REPLY:
            raise _Failed("the watcher's answer is too large")


def _evaluate_here(options: HookOptions, payload: bytes, env: Mapping[str, str], why: str) -> str:
    # Imported only now: the policy and the agents cost ~150 ms to load.
    from yesman.hooks._local import evaluate_locally  # noqa: PLC0415

    return evaluate_locally(
        agent=options.agent,
        payload=payload,
        env=env,
        policy_file=options.policy,
        db=options.db if options.record else None,
        record=options.record,
        why=why,
    )
