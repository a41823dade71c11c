"""Charging CPU time and memory to the component whose code is running.

How it works
------------
A context variable names the innermost open `Span` (one tracked operation; spans nest through
``parent``). Asyncio copies the context into every task a span creates, so the span follows its own
work into child tasks (``gather``, ``wait_for``, ``TaskGroup``).

Each event-loop step of a task (one ``coro.send()``/``throw()``) is wrapped by `StepCoroutine`,
installed through a task factory (`install_step_accounting`, done by ``ComponentTracker`` when it is
entered). At the start of a step the open spans of the task's context are *resumed* (their
checkpoint set to the thread's CPU clock, ``time.thread_time()``); at the end they are *suspended*
(the CPU used since the checkpoint is charged to them). While a task awaits, other tasks run and
nothing is charged to its spans. A coroutine that only sleeps is therefore charged ~0 CPU, and a
span is charged only for steps that ran with it in their context. The same checkpoints charge RSS
changes (and, opt-in, tracemalloc bytes and allocated blocks).

Cost: a task step with no open span pays two context-variable reads and two ``perf_counter`` calls
(for slow-step detection); a step with open spans also reads the thread CPU clock twice (a system
call, ~0.4-1 us) and, with memory tracking on, ``/proc/self/statm`` twice, however many spans are
nested. The statm line is compared unparsed (parsing adds about a quarter to the read) and parsed
only when it changed, which most steps do not.

Limits
------
* A span opened in a task created *before* accounting was installed (typically the main task of
  ``asyncio.run``) cannot be followed step by step; it is charged the thread CPU of its whole wall
  window, which over-estimates when other tasks run during its awaits. Such operations are counted
  as approximate. Run tracked work in tasks started after the tracker, decorate the coroutine
  function (its steps are wrapped directly), or run the program under
  ``asyncio.Runner(loop_factory=instrumented_event_loop)``.
* Work done in other threads (``to_thread``, executors) is charged to nobody; callbacks that are not
  task steps (protocol ``data_received``, ``call_soon`` callbacks) are charged to nobody.
* Spans of one context are charged inclusively: a nested span's CPU also counts for its parent.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self
from weakref import WeakKeyDictionary

from yesman.metrics._memory import RssReader, allocated_blocks, resident_pages, traced_bytes

__all__ = [
    "SlowStep",
    "Span",
    "SpanConfig",
    "StepAccounting",
    "StepCoroutine",
    "active_span",
    "charge_io",
    "install_step_accounting",
    "instrumented_event_loop",
]

_active: Final[ContextVar[Span | None]] = ContextVar("yesman_metrics_span", default=None)


class _ThreadState(threading.local):
    # True while a wrapped step runs on this thread: spans opened then can be followed exactly.
    in_step: bool = False


_thread: Final = _ThreadState()
_thread_time: Final = time.thread_time


def active_span() -> Span | None:
    """The innermost open span of the current context, if any."""
    return _active.get()


@dataclass(frozen=True, slots=True)
class SpanConfig:
    """What spans measure, shared by one tracker's spans; memory is measured when ``rss`` is set."""

    rss: RssReader | None = None
    cpu: bool = True
    io: bool = True
    alloc: bool = False
    clock: Callable[[], float] = time.perf_counter
    # Anything read at span boundaries? Anything to charge at all? Timing-only skips both.
    measures: bool = field(init=False)
    contextual: bool = field(init=False)

    def __post_init__(self) -> None:
        measures = self.cpu or self.alloc or self.rss is not None
        object.__setattr__(self, "measures", measures)
        object.__setattr__(self, "contextual", measures or self.io)


class Span:
    """Resource accounting for one tracked operation.

    ``exact`` spans are charged at step boundaries; the others (opened outside a wrapped step) are
    charged the whole window between `open` and `close`. Counters exist only for what ``config``
    measures (unset slots are never read), which keeps a span cheap to make.
    """

    __slots__ = (
        "_token",
        "blocks",
        "config",
        "cpu",
        "exact",
        "is_open",
        "pages",
        "parent",
        "received",
        "sent",
        "since_blocks",
        "since_cpu",
        "since_statm",
        "since_traced",
        "started",
        "traced",
    )

    def __init__(self, config: SpanConfig) -> None:
        self.config = config
        self.is_open = False

    def open(self) -> Self:
        """Make this the innermost span of the current context and start charging it.

        ``started`` is set last, from ``config.clock``, so the wall time excludes this set-up. A
        span that measures nothing and counts no I/O stays out of the context: it has nothing to be
        charged.
        """
        if self.is_open:
            raise RuntimeError(
                "this tracked operation is already running; call track() again for a new one"
            )
        self.is_open = True
        cfg = self.config
        if cfg.contextual:
            self.exact = _thread.in_step
            self.parent = _active.get()
            self._token = _active.set(self)
            if cfg.io:
                self.sent = self.received = 0
            if cfg.cpu:
                self.cpu = 0.0
                self.since_cpu = _thread_time()
            if cfg.rss is not None:
                self.pages = 0
                self.since_statm = cfg.rss.statm()
            if cfg.alloc:
                self.traced = self.blocks = 0
                self.since_traced = traced_bytes()
                self.since_blocks = allocated_blocks()
        self.started = cfg.clock()
        return self

    def close(self) -> None:
        """Charge the last segment and leave the context. Idempotent."""
        if not self.is_open:
            return
        self.is_open = False
        cfg = self.config
        if not cfg.contextual:
            return
        # The last segment, charged as _suspend charges a step.
        if cfg.cpu:
            self.cpu += _thread_time() - self.since_cpu
        if cfg.rss is not None:
            statm = cfg.rss.statm()
            if statm != self.since_statm:
                self.pages += resident_pages(statm) - resident_pages(self.since_statm)
        if cfg.alloc:
            self._charge_allocations()
        try:
            _active.reset(self._token)
        except ValueError:
            # Closed from another context (entered in one task, exited in another): do not
            # disturb that context's own spans.
            if _active.get() is self:
                _active.set(self.parent)

    def _charge_allocations(self) -> None:
        traced = traced_bytes()
        blocks = allocated_blocks()
        self.traced += traced - self.since_traced
        self.blocks += blocks - self.since_blocks
        self.since_traced = traced
        self.since_blocks = blocks


def _resume(head: Span) -> None:
    # Nested spans share one reading of each clock: same figures, one system call per kind.
    cpu = -1.0
    statm: bytes | None = None
    span: Span | None = head
    while span is not None:
        if span.is_open and span.exact:
            cfg = span.config
            if cfg.cpu:
                if cpu < 0.0:
                    cpu = _thread_time()
                span.since_cpu = cpu
            if cfg.rss is not None:
                if statm is None:
                    statm = cfg.rss.statm()
                span.since_statm = statm
            if cfg.alloc:
                span.since_traced = traced_bytes()
                span.since_blocks = allocated_blocks()
        span = span.parent


def _suspend(head: Span) -> None:
    cpu = -1.0
    statm: bytes | None = None
    span: Span | None = head
    while span is not None:
        if span.is_open and span.exact:
            cfg = span.config
            if cfg.cpu:
                if cpu < 0.0:
                    cpu = _thread_time()
                span.cpu += cpu - span.since_cpu
                span.since_cpu = cpu
            if cfg.rss is not None:
                if statm is None:
                    statm = cfg.rss.statm()
                if statm != span.since_statm:
                    span.pages += resident_pages(statm) - resident_pages(span.since_statm)
                    span.since_statm = statm
            if cfg.alloc:
                span._charge_allocations()
        span = span.parent


def charge_io(sent: int = 0, received: int = 0) -> bool:
    """Charge bytes to every open span of the current context; False when none is open."""
    span = _active.get()
    charged = False
    while span is not None:
        if span.is_open and span.config.io:
            span.sent += sent
            span.received += received
            charged = True
        span = span.parent
    return charged


@dataclass(frozen=True, slots=True)
class SlowStep:
    """One task step that held the event loop longer than the threshold."""

    component: str | None
    task_name: str
    duration_ms: float
    at: float


class StepAccounting:
    """Per-loop state of the step wrapper: counters and the slow-step log."""

    def __init__(self, *, slow_threshold: float = 0.1, keep_slow: int = 50) -> None:
        self.slow_threshold = slow_threshold
        self.steps = 0
        self.slow_count = 0
        self.slow_steps: deque[SlowStep] = deque(maxlen=keep_slow)
        self.namer: Callable[[Span], str | None] = lambda _span: None
        self._users = 0
        self._previous_factory: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _on_slow(self, head: Span | None, wall: float) -> None:
        task = asyncio.current_task()
        self.slow_count += 1
        self.slow_steps.append(
            SlowStep(
                component=self.namer(head) if head is not None else None,
                task_name=task.get_name() if task is not None else "?",
                duration_ms=wall * 1000.0,
                at=time.time(),
            )
        )

    def _factory(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Future[Any]:
        if asyncio.iscoroutine(coro) and not isinstance(coro, StepCoroutine):
            coro = StepCoroutine(coro, self)
        if self._previous_factory is not None:
            return self._previous_factory(loop, coro, **kwargs)  # type: ignore[no-any-return]
        return asyncio.Task(coro, loop=loop, **kwargs)

    def uninstall(self) -> None:
        """Drop one user; the last one restores the loop's previous task factory."""
        self._users -= 1
        if self._users > 0 or self._loop is None:
            return
        loop, self._loop = self._loop, None
        _installed.pop(loop, None)
        if not loop.is_closed():
            loop.set_task_factory(self._previous_factory)


_installed: WeakKeyDictionary[asyncio.AbstractEventLoop, StepAccounting] = WeakKeyDictionary()


def install_step_accounting(
    loop: asyncio.AbstractEventLoop | None = None, *, slow_threshold: float = 0.1
) -> StepAccounting:
    """Wrap the steps of tasks created from now on in ``loop`` (default: the running loop).

    Reference counted: each call must be paired with `StepAccounting.uninstall`. The loop's own
    task factory, if any, still creates the tasks.
    """
    loop = loop if loop is not None else asyncio.get_running_loop()
    acct = _installed.get(loop)
    if acct is None:
        acct = StepAccounting(slow_threshold=slow_threshold)
        acct._previous_factory = loop.get_task_factory()
        acct._loop = loop
        loop.set_task_factory(acct._factory)
        _installed[loop] = acct
    acct._users += 1
    return acct


def instrumented_event_loop() -> asyncio.AbstractEventLoop:
    """A new event loop whose every task, the main one included, is step-accounted.

    For ``asyncio.Runner(loop_factory=instrumented_event_loop)``.
    """
    loop = asyncio.new_event_loop()
    install_step_accounting(loop)
    return loop


class StepCoroutine(Coroutine[Any, Any, Any]):
    """Wraps a coroutine so that each of its steps resumes and suspends the open spans."""

    __slots__ = ("_acct", "_coro")

    def __init__(self, coro: Coroutine[Any, Any, Any], acct: StepAccounting | None = None) -> None:
        self._coro = coro
        self._acct = acct

    def send(self, value: Any, /) -> Any:
        return self._step(self._coro.send, value)

    def throw(self, typ: Any, val: Any = None, tb: TracebackType | None = None, /) -> Any:
        if val is None and tb is None:
            return self._step(self._coro.throw, typ)
        return self._step(lambda exc: self._coro.throw(typ, exc, tb), val)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self

    def __iter__(self) -> StepCoroutine:
        return self

    def __next__(self) -> Any:
        return self.send(None)

    def _step(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        state = _thread
        outer = state.in_step
        state.in_step = True
        first = _active.get()
        if first is not None:
            _resume(first)
        acct = self._acct
        started = time.perf_counter() if acct is not None else 0.0
        try:
            return fn(arg)
        finally:
            head = _active.get()
            if head is not None:
                _suspend(head)
            state.in_step = outer
            if acct is not None:
                acct.steps += 1
                wall = time.perf_counter() - started
                if wall > acct.slow_threshold:
                    # Name the operation still open, else the one the step started in.
                    acct._on_slow(head if head is not None else first, wall)

    def __getattr__(self, name: str) -> Any:
        # cr_frame, cr_code, __qualname__ ... for Task.__repr__, debuggers and introspection.
        if name in StepCoroutine.__slots__:
            raise AttributeError(name)
        return getattr(self._coro, name)
