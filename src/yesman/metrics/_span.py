"""Charging CPU time and memory to the component whose code is running.

How it works
------------
A context variable names the innermost open `Span` (the resource side of one tracked operation;
spans nest through ``parent``). Asyncio copies the context into every task a span creates, so the
span follows its own work into child tasks (``gather``, ``wait_for``, ``TaskGroup``).

Each event-loop step of an *accounted* task (one ``coro.send()``/``throw()``) is wrapped by
`yesman.metrics._steps.StepCoroutine`, installed through the loop's task factory. At the start of a
step the open spans of the task's context are resumed (`resume`: their checkpoint set to the
thread's CPU clock, ``time.thread_time()``); at the end they are suspended (`suspend`: the CPU used
since the checkpoint is charged to them). While a task awaits, other tasks run and nothing is
charged to its spans: a coroutine that only sleeps is charged ~0 CPU. The same checkpoints charge
RSS changes (and, opt-in, tracemalloc bytes and allocated blocks).

Which spans are measured
------------------------
* Opened inside an accounted step, or in a coroutine decorated with ``tracker.track(name)`` (its
  steps are wrapped directly): exact, charged step by step.
* A plain ``with`` block anywhere: exact, charged over its window. Nothing else can run on the
  thread inside a synchronous block.
* ``async with`` in a task that is *not* accounted (created before accounting was installed; the
  main task of ``asyncio.run`` is the usual one): other tasks run during its awaits and nothing
  separates their CPU from its own, so CPU and memory are *unknown* (None), never estimated. The
  tracker logs this once, and installs accounting on first use so tasks created later are exact.

Cost: a task step with no open span pays two context-variable reads and two ``perf_counter`` calls
(for slow-step detection); a step with open spans also reads the thread CPU clock twice (a system
call, ~0.5 us) and, for spans measuring memory, ``/proc/self/statm`` twice, however many spans are
nested. The statm line is compared unparsed and parsed only when it changed.

Work in other threads (``to_thread``, executors) and callbacks that are not task steps (protocol
``data_received``, ``call_soon``) are charged to nobody. Spans of one context are charged
inclusively: a nested span's CPU also counts for its parent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Final

from yesman.metrics._memory import RssReader, allocated_blocks, resident_pages, traced_bytes

__all__ = [
    "Span",
    "SpanConfig",
    "active_span",
    "charge_io",
    "current",
    "resume",
    "suspend",
    "thread_state",
]

current: Final[ContextVar[Span | None]] = ContextVar("yesman_metrics_span", default=None)
"""The innermost open span of the context."""


class _ThreadState(threading.local):
    # True while a wrapped step runs on this thread: spans opened then can be followed exactly.
    in_step: bool = False


thread_state: Final = _ThreadState()
_thread_time: Final = time.thread_time


def active_span() -> Span | None:
    """The innermost open span of the current context, if any."""
    return current.get()


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
    """The resource counters of one tracked operation; `yesman.metrics._operation` fills them.

    ``exact`` spans are charged at step boundaries; ``unknown`` ones are not charged at all (see the
    module docstring); the others are charged their whole window. ``mem`` says whether this span
    reads memory. Counters exist only for what is measured (unset slots are never read).
    """

    __slots__ = (
        "_token",
        "blocks",
        "config",
        "cpu",
        "exact",
        "is_open",
        "mem",
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
        "unknown",
    )

    config: SpanConfig
    is_open: bool
    exact: bool
    unknown: bool
    mem: bool
    parent: Span | None
    _token: Token[Span | None]
    started: float
    cpu: float
    since_cpu: float
    pages: int
    since_statm: bytes
    sent: int
    received: int
    traced: int
    blocks: int
    since_traced: int
    since_blocks: int

    def charge_allocations(self) -> None:
        traced = traced_bytes()
        blocks = allocated_blocks()
        self.traced += traced - self.since_traced
        self.blocks += blocks - self.since_blocks
        self.since_traced = traced
        self.since_blocks = blocks


def resume(head: Span) -> None:
    """A step starts: set the checkpoints of the exact open spans from ``head`` outwards."""
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
            if span.mem:
                if statm is None:
                    statm = cfg.rss.statm()  # type: ignore[union-attr]  # mem implies rss
                span.since_statm = statm
            if cfg.alloc:
                span.since_traced = traced_bytes()
                span.since_blocks = allocated_blocks()
        span = span.parent


def suspend(head: Span) -> None:
    """A step ends: charge the exact open spans from ``head`` outwards for it."""
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
            if span.mem:
                if statm is None:
                    statm = cfg.rss.statm()  # type: ignore[union-attr]  # mem implies rss
                if statm != span.since_statm:
                    span.pages += resident_pages(statm) - resident_pages(span.since_statm)
                    span.since_statm = statm
            if cfg.alloc:
                span.charge_allocations()
        span = span.parent


def charge_io(sent: int = 0, received: int = 0) -> bool:
    """Charge bytes to every open span of the current context; False when none is open."""
    span = current.get()
    charged = False
    while span is not None:
        if span.is_open and span.config.io:
            span.sent += sent
            span.received += received
            charged = True
        span = span.parent
    return charged
