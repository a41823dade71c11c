"""The simulated agent's state machine and terminal loop (the command line is in `cli`)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import termios
import time
import tty
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, Any, Final, Literal

from yesman._simagent.scenarios import Dialog, Scenario
from yesman._simagent.screen import (
    RESET,
    Line,
    answer,
    banner,
    input_box,
    outcome,
    parse_keys,
    pending,
    render_dialog,
    render_rows,
    spinner_line,
    user_message,
)

__all__ = ["SimulatedAgent", "raw_terminal"]

_SPINNER_TICK_S: Final = 0.12
_MAX_TRANSCRIPT: Final = 400  # logical lines kept; --loop runs for hours and must stay flat
_STARTUP: Final = ("trust", "api_key", "mcp_server")
_BLINK_S: Final = 0.6  # the pending tool's bullet blinks while its dialog waits
_ESC_WAIT_S: Final = 0.03  # how long a lone ESC waits for the rest of an escape sequence


State = Literal["busy", "dialog", "pause", "idle"]


@dataclass(slots=True)
class _Progress:
    """Where the agent is; mutable by design, it is the program's state machine."""

    state: State = "pause"
    scenario_index: int = -1
    deadline: float = 0.0
    highlighted: int = 0
    dialog_seq: int = 0  # sequence number of the current (or last) dialog
    logged_seq: int = 0  # the last dialog whose dialog_shown line was written
    shown_at: float = 0.0
    busy_since: float = 0.0
    transcript: list[Line] = field(default_factory=list)


class SimulatedAgent:
    """The terminal program. `run()` blocks until it is told to stop and returns an exit code."""

    def __init__(
        self,
        scenarios: Sequence[Scenario],
        *,
        stdin_fd: int,
        stdout_fd: int,
        log: IO[str] | None = None,
        speed: float = 1.0,
        pause_s: float = 0.5,
        hold_timeout_s: float | None = None,
        loop: bool = False,
        blink: bool = True,
        cwd: str = "",
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self._scenarios = tuple(scenarios)
        self._in = stdin_fd
        self._out = stdout_fd
        self._log = log
        self._speed = speed
        self._pause_s = pause_s
        self._hold_timeout_s = hold_timeout_s
        self._loop = loop
        self._blink = blink
        self._cwd = cwd or os.getcwd()
        self._p = _Progress()
        self._stop_reason: str | None = None
        self._resized = False
        self._last_frame: list[tuple[str, str]] = []

    # -- log

    def _emit(self, event: str, **data: Any) -> None:
        if self._log is None:
            return
        record = {"t": time.time(), "event": event, **data}
        self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._log.flush()

    # -- drawing

    def _size(self) -> tuple[int, int]:
        try:
            size = os.get_terminal_size(self._out)
        except OSError:
            return (80, 24)
        return (max(size.columns, 10), max(size.lines, 5))

    def _current(self) -> Scenario | None:
        if 0 <= self._p.scenario_index < len(self._scenarios):
            return self._scenarios[self._p.scenario_index]
        return None

    def _dialog(self) -> Dialog:
        """The dialog on screen; only called in the "dialog" state."""
        scenario = self._current()
        assert scenario is not None
        assert scenario.dialog is not None
        return scenario.dialog

    def _bullet_on(self, now: float) -> bool:
        return not self._blink or int((now - self._p.shown_at) / _BLINK_S) % 2 == 0

    def _frame(self, now: float) -> list[tuple[str, str]]:
        """The screen as (style, text) rows: transcript on top, the live part at the bottom."""
        width, height = self._size()
        p = self._p
        scenario = self._current()
        top = [*banner(self._cwd), *p.transcript]
        if p.state == "dialog" and scenario is not None and scenario.dialog is not None:
            top.extend(pending(scenario, self._bullet_on(now)))
            bottom = render_dialog(scenario.dialog, p.highlighted, width)
        elif p.state == "busy" and scenario is not None:
            frame = int(now / _SPINNER_TICK_S)
            busy_for = now - p.busy_since
            bottom = [
                spinner_line(frame, scenario.busy_word, busy_for),
                *input_box(width, busy=True),
            ]
        else:
            bottom = input_box(width)
        if (
            p.state == "dialog"
            and scenario
            and scenario.dialog
            and scenario.dialog.kind in _STARTUP
        ):
            # Start-up dialogs stand alone at the top of an otherwise empty screen.
            return [("", ""), *render_rows(bottom, width, height - 1)]
        top_rows = render_rows(top, width, height)
        bottom_rows = render_rows(bottom, width, height)
        # Claude Code keeps its live area on the last rows of the screen; blank rows fill the gap.
        gap = max(1, height - len(top_rows) - len(bottom_rows))
        return [*top_rows, *([("", "")] * gap), *bottom_rows][-height:]

    def _draw(self, now: float, *, force: bool = False) -> None:
        rows = self._frame(now)
        if rows == self._last_frame and not force:
            return  # nothing changed: stay silent, as an idle Claude Code does
        self._last_frame = rows
        parts = ["\x1b[?25l\x1b[H"]  # hide the cursor while drawing, start at the top left
        for index, (style, text) in enumerate(rows):
            parts.append(f"{style}{text}{RESET if style else ''}\x1b[K")
            if index < len(rows) - 1:
                parts.append("\r\n")
        parts.append("\x1b[J")
        self._write("".join(parts).encode())

    def _write(self, data: bytes) -> None:
        try:
            while data:
                written = os.write(self._out, data)
                data = data[written:]
        except OSError:  # the terminal went away: nothing left to draw on
            self._stop_reason = self._stop_reason or "output closed"

    # -- transitions

    def _add(self, lines: Sequence[Line]) -> None:
        self._p.transcript.extend(lines)
        del self._p.transcript[:-_MAX_TRANSCRIPT]

    def _start_next(self, now: float) -> None:
        p = self._p
        p.scenario_index += 1
        if p.scenario_index >= len(self._scenarios) and self._loop and self._scenarios:
            p.scenario_index = 0
        scenario = self._current()
        if scenario is None:
            p.state = "idle"
            self._emit("idle")
            return
        self._add(user_message(scenario.prompt))
        if scenario.intro:
            self._add([Line(f"● {scenario.intro}", hang=2), Line("")])
        p.state = "busy"
        p.busy_since = now
        p.deadline = now + scenario.busy_s / self._speed

    def _finish(self, choice: int | None, now: float, note: str = "") -> None:
        """Close the dialog with option `choice` (0-based) or cancelled (None)."""
        p = self._p
        scenario = self._current()
        assert scenario is not None
        label: str | None = None
        if choice is None:
            self._emit("cancelled", scenario=scenario.name, dialog=p.dialog_seq, note=note)
        else:
            chosen = self._dialog().choices[choice]
            self._emit(
                "answered",
                scenario=scenario.name,
                dialog=p.dialog_seq,
                option=choice + 1,
                label=chosen,
                latency_ms=round((now - p.shown_at) * 1000, 3),
            )
            label = None if chosen.startswith("No") else chosen
        self._add(outcome(scenario, label, note))
        p.state = "pause"
        p.deadline = now + self._pause_s / self._speed

    def _on_key(self, key: str, now: float) -> None:
        p = self._p
        scenario = self._current()
        self._emit(
            "key",
            key=key,
            state=p.state,
            scenario=scenario.name if scenario else None,
            dialog=p.dialog_seq if p.state == "dialog" else None,
        )
        if key in ("C-c", "C-d"):
            self._stop_reason = key
            return
        if p.state != "dialog" or scenario is None:
            return  # nothing on screen takes keys: logged above, otherwise ignored
        dialog = self._dialog()
        count = len(dialog.choices)
        if key.isdigit() and dialog.numbered and 1 <= int(key) <= count:
            self._finish(int(key) - 1, now)
        elif key == "Enter":
            self._finish(p.highlighted, now)
        elif key == "Escape":
            self._finish(None, now)
        elif key == "Up":
            p.highlighted = (p.highlighted - 1) % count
        elif key == "Down":
            p.highlighted = (p.highlighted + 1) % count

    def _tick(self, now: float) -> None:
        p = self._p
        if p.state == "pause" and now >= p.deadline:
            self._start_next(now)
        if p.state == "busy" and now >= p.deadline:
            scenario = self._current()
            assert scenario is not None
            if scenario.dialog is None:  # a text reply: nothing waits for a key
                self._add(answer(scenario, scenario.busy_s / self._speed))
                self._emit("text_shown", scenario=scenario.name)
                p.state = "pause"
                p.deadline = now + self._pause_s / self._speed
            else:
                p.state = "dialog"
                p.highlighted = scenario.dialog.default
                p.dialog_seq += 1
                p.shown_at = now
        hold = self._hold_timeout_s
        if p.state == "dialog" and hold is not None and now - p.shown_at >= hold:
            self._emit("hold_timeout", scenario=self._scenarios[p.scenario_index].name)
            self._finish(None, now, note=f"nobody answered in {hold:g}s; the demo moved on")

    def _timeout(self, now: float) -> float | None:
        """How long the main loop may sleep before the screen or the state must change."""
        p = self._p
        waits: list[float] = []
        if p.state == "busy":
            waits += [p.deadline - now, _SPINNER_TICK_S - now % _SPINNER_TICK_S]
        elif p.state == "pause":
            waits.append(p.deadline - now)
        elif p.state == "dialog":
            if self._blink:
                waits.append(_BLINK_S - (now - p.shown_at) % _BLINK_S)
            if self._hold_timeout_s is not None:
                waits.append(p.shown_at + self._hold_timeout_s - now)
        return max(0.0, min(waits)) if waits else None

    # -- main loop

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGWINCH:
            self._resized = True
        else:
            self._stop_reason = signal.Signals(signum).name

    def _read_keys(self) -> list[str]:
        try:
            data = os.read(self._in, 4096)
        except BlockingIOError:
            return []
        except OSError:  # EIO: the terminal went away (pane closed)
            data = b""
        if not data:
            self._stop_reason = "eof"
            return []
        if data.endswith(b"\x1b"):
            # A lone ESC may be the first byte of an arrow key split across reads.
            ready, _, _ = select.select([self._in], [], [], _ESC_WAIT_S)
            if ready:
                data += os.read(self._in, 4096)
        return parse_keys(data)

    def _step(self, ready: list[int]) -> None:
        if self._in in ready:
            keys = self._read_keys()
            now = time.monotonic()
            for key in keys:
                self._on_key(key, now)
        now = time.monotonic()
        self._tick(now)
        force = self._resized
        if self._resized:
            self._resized = False
            width, height = self._size()
            self._emit("resize", columns=width, lines=height)
            self._write(b"\x1b[2J")
        self._draw(now, force=force)
        p = self._p
        if p.state == "dialog" and p.logged_seq != p.dialog_seq:
            # Logged only now that its last byte is written: the start of any latency figure.
            p.logged_seq = p.dialog_seq
            dialog = self._dialog()
            self._emit(
                "dialog_shown",
                scenario=self._scenarios[p.scenario_index].name,
                dialog=p.dialog_seq,
                kind=dialog.kind,
                options=list(dialog.choices),
                holds=self._scenarios[p.scenario_index].holds,
            )

    def run(self) -> int:
        """Run the scenarios; return 0 on SIGTERM/SIGHUP/end of input, 130 on Ctrl-C."""
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        old_wakeup = signal.set_wakeup_fd(wake_w)
        old_handlers = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGWINCH, signal.SIGTERM, signal.SIGHUP)
        }
        try:
            self._emit("start", pid=os.getpid(), scenarios=[s.name for s in self._scenarios])
            self._p.deadline = time.monotonic()
            self._write(b"\x1b[2J")
            self._step([])
            while self._stop_reason is None:
                timeout = self._timeout(time.monotonic())
                ready, _, _ = select.select([self._in, wake_r], [], [], timeout)
                if wake_r in ready:
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_r, 512)
                self._step(ready)
        finally:
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(old_wakeup)
            os.close(wake_r)
            os.close(wake_w)
            self._emit("exit", reason=self._stop_reason)
            with contextlib.suppress(OSError):
                os.write(self._out, b"\x1b[?25h\r\n")
        return 130 if self._stop_reason == "C-c" else 0


@contextlib.contextmanager
def raw_terminal(fd: int) -> Iterator[None]:
    """Raw mode (no echo, no line buffering, Ctrl-C as a byte) while inside; restored after."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
