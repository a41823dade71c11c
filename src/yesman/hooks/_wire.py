"""The hook protocol between ``yesman hook`` and the watcher, version 1.

One request per connection over the watcher's Unix socket (``_paths``)::

    request  = header line, then exactly ``length`` bytes of payload
    header   = one JSON object, UTF-8, ending in "\n", at most 64 KiB:
               {"yesman_hook": 1, "op": "decide" | "ping", "agent": "<agent name>",
                "env": {"TMUX": "...", "TMUX_PANE": "%3", "AI_AGENT": "...",
                        "<X>_PROJECT_DIR": "..."},
                "length": <payload bytes>, "sent": <client wall clock, seconds>}
    payload  = what the agent wrote to the hook's stdin, unchanged (at most 8 MiB)
    reply    = "yesman-hook 1 <status>\n" "<detail, one line>\n" <stdout bytes up to EOF>
               (the watcher closes the connection after it)

Statuses: ``decided``: the watcher took (and recorded) a decision; the hook prints the stdout
bytes as they are, which may be none (hold, dry run, a dialog the screen watcher already
answered). ``unwatched``: the watcher does not watch the hook's pane; the hook acts as if no
watcher ran. ``refused``: the request was malformed or too large, or the watcher failed; no
decision. ``pong`` answers ``ping`` (``yesman hooks status``); its detail names the watcher.

The payload is passed through, not parsed, by the hook: the agent's own format is read by the
watcher (``yesman.agents.<agent>``), so this client stays the same for every agent. The
environment forwarded is agent-neutral: tmux's server and pane (the watcher answers only for
panes of its own server), the ``AI_AGENT`` convention, and any ``*_PROJECT_DIR``.

The hook's side of this module imports nothing: the header is written by hand and the reply is
plain lines, because importing ``json`` (with ``re``, ``enum`` ...) would be half the hook's
import time (~5 ms of ~10 ms, measured with ``python -X importtime``). The watcher's side parses
headers with ``json``, imported when first needed.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: ~6 ms on the hook's start-up path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Final

__all__ = [
    "MAX_HEADER",
    "MAX_PAYLOAD",
    "MAX_REPLY",
    "VERSION",
    "WireError",
    "encode_header",
    "encode_reply",
    "forwarded_env",
    "parse_header",
    "parse_reply",
]

VERSION: Final = 1
MAX_HEADER: Final = 64 * 1024
MAX_PAYLOAD: Final = 8 * 1024 * 1024
MAX_REPLY: Final = 16 * 1024 * 1024
_MAGIC: Final = "yesman-hook"
OPS: Final = ("decide", "ping")
STATUSES: Final = ("decided", "unwatched", "refused", "pong")
_FORWARD: Final = ("TMUX", "TMUX_PANE", "AI_AGENT")
_FORWARD_SUFFIX: Final = "_PROJECT_DIR"


class WireError(ValueError):
    """A header or reply that does not follow the protocol (the message says how)."""


def forwarded_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables the hook passes on to the watcher."""
    return {k: v for k, v in environ.items() if k in _FORWARD or k.endswith(_FORWARD_SUFFIX)}


def encode_header(
    *, op: str, agent: str, env: Mapping[str, str], length: int, sent: float
) -> bytes:
    """The request header (written by hand, see the module docstring)."""
    pairs = ",".join(f"{_string(k)}:{_string(v)}" for k, v in env.items())
    text = (
        f'{{"yesman_hook":{VERSION},"op":{_string(op)},"agent":{_string(agent)},'
        f'"env":{{{pairs}}},"length":{int(length)},"sent":{float(sent)!r}}}'
    )
    return text.encode("utf-8") + b"\n"


def _string(value: str) -> str:
    """``value`` as a JSON string literal: quotes, backslashes, control characters and lone
    surrogates (undecodable bytes in the environment) escaped, everything else as it is."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_ESCAPES: Final = {'"': '\\"', "\\": "\\\\"}


def parse_header(line: bytes) -> dict[str, Any]:
    """A request header, checked; WireError names what is wrong."""
    import json  # noqa: PLC0415 (the watcher's side only; see the module docstring)

    try:
        data = json.loads(line)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"the header is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise WireError("the header is not a JSON object")
    if data.get("yesman_hook") != VERSION:
        raise WireError(
            f"the header speaks hook protocol {data.get('yesman_hook')!r}, not {VERSION}"
        )
    if data.get("op") not in OPS:
        raise WireError(f"unknown op {data.get('op')!r}")
    agent, env, length = data.get("agent"), data.get("env"), data.get("length")
    if not isinstance(agent, str) or (not agent and data["op"] == "decide"):
        raise WireError("the header names no agent")
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    ):
        raise WireError("the header's env is not an object of strings")
    if type(length) is not int or not 0 <= length <= MAX_PAYLOAD:
        raise WireError(f"payload length {length!r} is not between 0 and {MAX_PAYLOAD}")
    sent = data.get("sent")
    if isinstance(sent, bool) or not isinstance(sent, int | float):
        raise WireError("the header has no send time")
    return data


def encode_reply(status: str, *, stdout: str = "", detail: str = "") -> bytes:
    if status not in STATUSES:
        raise ValueError(f"unknown reply status {status!r}")
    line = " ".join(detail.split())  # one line, whatever the detail holds
    return f"{_MAGIC} {VERSION} {status}\n{line}\n".encode() + stdout.encode("utf-8")


def parse_reply(data: bytes) -> tuple[str, str, str]:
    """(status, stdout, detail) of a whole reply; WireError when it is not a version-1 reply."""
    first, nl1, rest = data.partition(b"\n")
    detail, nl2, stdout = rest.partition(b"\n")
    words = first.split(b" ")
    if not nl1 or not nl2 or len(words) != 3 or words[0] != _MAGIC.encode():
        raise WireError("the reply does not start with a yesman-hook status line")
    if words[1] != str(VERSION).encode():
        raise WireError(f"the reply speaks hook protocol {words[1]!r}, not {VERSION}")
    status = words[2].decode("ascii", "replace")
    if status not in STATUSES:
        raise WireError(f"unknown status {status!r}")
    try:
        return status, stdout.decode("utf-8"), detail.decode("utf-8", "replace")
    except UnicodeDecodeError:
        raise WireError("the reply's output is not UTF-8") from None
