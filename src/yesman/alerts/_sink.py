"""The `Sink` protocol, and the sinks that stay on this machine: desktop, tmux, command, log.

A sink delivers one `Notification` per `deliver()` call and raises `DeliveryError` when that
attempt failed (``permanent=True`` when trying again cannot help, such as a program that is not
installed). It may return a note for the delivery record ("no tmux client attached ..."). It
does not retry, queue or time itself out: the dispatcher (`yesman.alerts._dispatch`) does that
for every sink alike, cancelling a `deliver()` that outlives the sink's ``timeout``; sinks that
start programs kill them when cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from yesman.alerts._config import AlertConfig, SinkConfig, SinkType
from yesman.alerts._errors import DeliveryError
from yesman.alerts._model import Notification, NotificationStatus, Severity
from yesman.tmux import TmuxError, TmuxServer

__all__ = [
    "CommandSink",
    "DesktopSink",
    "LogSink",
    "Sink",
    "TmuxSink",
    "build_sinks",
    "run_program",
]

_log = logging.getLogger("yesman.alerts")


@runtime_checkable
class Sink(Protocol):
    """Somewhere notifications go. `start()` before the first delivery, `aclose()` after."""

    @property
    def config(self) -> SinkConfig: ...

    async def start(self) -> None: ...

    async def deliver(self, notification: Notification) -> str | None: ...

    async def aclose(self) -> None: ...


class _LocalSink:
    def __init__(self, config: SinkConfig) -> None:
        self._config = config

    @property
    def config(self) -> SinkConfig:
        return self._config

    async def start(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


async def run_program(
    argv: Sequence[str], stdin: bytes = b"", env: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    """Run `argv` (no shell) with `stdin`; (exit code, stderr). Killed if cancelled."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=None if env is None else {**os.environ, **env},
            start_new_session=True,  # its children die with it on a timeout
        )
    except FileNotFoundError:
        raise DeliveryError(f"{argv[0]}: program not found", permanent=True) from None
    except PermissionError:
        raise DeliveryError(f"{argv[0]}: not executable", permanent=True) from None
    try:
        _, err = await proc.communicate(stdin)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await asyncio.shield(proc.wait())
        raise
    assert proc.returncode is not None
    return proc.returncode, err


def _failed(argv: Sequence[str], code: int, err: bytes) -> DeliveryError:
    tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
    detail = ": " + " / ".join(tail) if tail else ""
    return DeliveryError(f"{argv[0]} exited with status {code}{detail}")


_URGENCY = {Severity.INFO: "low", Severity.WARNING: "normal", Severity.CRITICAL: "critical"}


class DesktopSink(_LocalSink):
    """A desktop notification with notify-send (libnotify), urgency from the severity."""

    async def deliver(self, notification: Notification) -> str | None:
        alert = notification.alert
        urgency = _URGENCY[alert.severity]
        if notification.status is NotificationStatus.RESOLVED:
            urgency = "low"
        body = alert.summary
        if notification.dashboard_url:
            body += f"\n{notification.dashboard_url}"
        argv = [*self.config.command, "-a", "yesman", "-u", urgency, notification.title(), body]
        try:
            code, err = await run_program(argv)
        except DeliveryError as exc:
            if exc.permanent and argv[0] == "notify-send":
                raise DeliveryError(
                    "notify-send is not installed (Debian/Ubuntu: apt install libnotify-bin)",
                    permanent=True,
                ) from None
            raise
        if code != 0:
            raise _failed(argv, code, err)
        return None


class TmuxSink(_LocalSink):
    """``display-message`` on every tmux client attached to the alert's session (every client
    of the server for alerts about yesman itself), shown for ``display`` seconds."""

    def __init__(self, config: SinkConfig, server: TmuxServer | None) -> None:
        super().__init__(config)
        self._server = server

    async def deliver(self, notification: Notification) -> str | None:
        server = self._server
        if server is None:
            raise DeliveryError("no tmux server to show alerts on", permanent=True)
        try:
            code, out, err = await server.run(
                "list-clients", "-F", "#{client_name}\t#{session_name}", timeout=self.config.timeout
            )
        except TmuxError as exc:
            raise DeliveryError(f"tmux: {exc}") from exc
        if code != 0:
            raise DeliveryError(f"tmux list-clients failed: {err or code}")
        session = notification.alert.session
        clients = [
            name
            for name, _, attached_to in (line.partition("\t") for line in out.splitlines())
            if name and (session is None or attached_to == session)
        ]
        if not clients:
            where = f"session {session}" if session else server.describe()
            return f"no tmux client is attached to {where}"
        # display-message expands formats and then strftime: '#' and '%' are written twice.
        text = notification.title().replace("#", "##").replace("%", "%%")
        millis = str(round(self.config.display * 1000))
        failed: list[str] = []
        for client in clients:
            code, _, err = await server.run(
                "display-message", "-c", client, "-d", millis, text, timeout=self.config.timeout
            )
            if code != 0:
                failed.append(f"{client}: {err or code}")
        if failed and len(failed) == len(clients):
            raise DeliveryError("tmux display-message failed on " + "; ".join(failed))
        return f"shown on {len(clients) - len(failed)} client(s)"


class CommandSink(_LocalSink):
    """Runs a program with the notification's JSON on stdin and a few YESMAN_ALERT_* variables;
    a non-zero exit is a failed delivery."""

    async def deliver(self, notification: Notification) -> str | None:
        alert = notification.alert
        env = {
            "YESMAN_ALERT_STATUS": notification.status.value,
            "YESMAN_ALERT_RULE": alert.rule,
            "YESMAN_ALERT_SEVERITY": alert.severity.value,
            "YESMAN_ALERT_SUMMARY": alert.summary,
            "YESMAN_ALERT_ID": "" if alert.id is None else str(alert.id),
            "YESMAN_ALERT_FINGERPRINT": alert.fingerprint,
        }
        body = json.dumps(notification.as_json()).encode()
        argv = self.config.command
        code, err = await run_program(argv, body, env)
        if code != 0:
            raise _failed(argv, code, err)
        return None


class LogSink(_LocalSink):
    """One line per notification: JSON lines appended to ``path``, else the ``yesman.alerts``
    logger (WARNING for firing, INFO for resolved)."""

    async def deliver(self, notification: Notification) -> str | None:
        if not self.config.path:
            level = (
                logging.INFO
                if notification.status is NotificationStatus.RESOLVED
                else logging.WARNING
            )
            _log.log(
                level, "alert %s", notification.title(), extra={"rule": notification.alert.rule}
            )
            return None
        line = json.dumps(notification.as_json(), ensure_ascii=False) + "\n"
        await asyncio.to_thread(_append, Path(self.config.path), line)
        return None


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(line)


def build_sinks(config: AlertConfig, tmux: TmuxServer | None = None) -> dict[str, Sink]:
    """One sink object per ``[[sink]]`` of `config` (`tmux`: the server for tmux sinks)."""
    return {sink.name: _make_sink(sink, tmux) for sink in config.sinks}


def _make_sink(config: SinkConfig, tmux: TmuxServer | None) -> Sink:
    if config.type is SinkType.WEBHOOK:
        from yesman.alerts._webhook import WebhookSink  # noqa: PLC0415 (aiohttp on demand)

        return WebhookSink(config)
    if config.type is SinkType.DESKTOP:
        return DesktopSink(config)
    if config.type is SinkType.TMUX:
        return TmuxSink(config, tmux)
    if config.type is SinkType.COMMAND:
        return CommandSink(config)
    return LogSink(config)
