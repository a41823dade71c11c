"""Step accounting: wrapping each event-loop step of a task so open spans are charged exactly.

`install_step_accounting` puts a task factory on a loop; every task created from then on runs its
coroutine through `StepCoroutine`, which resumes the open spans of the task's context before each
step and suspends them after it (see `yesman.metrics._span`), counts steps and logs slow ones.
`AccountingLease` is one tracker's hold on it: taken when the tracker starts or, lazily, at its
first operation in a task that is not accounted; given back when the tracker stops.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from weakref import WeakKeyDictionary

from yesman.metrics._span import Span, current, resume, suspend, thread_state

__all__ = [
    "AccountingLease",
    "SlowStep",
    "StepAccounting",
    "StepCoroutine",
    "install_step_accounting",
    "instrumented_event_loop",
]


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


class AccountingLease:
    """One tracker's hold on step accounting, for one loop at a time.

    `acquire` is idempotent per loop (a tracker moved to another loop, e.g. a second
    ``asyncio.run``, lets go of the first); `release` restores the loop's task factory once no
    other tracker holds it.
    """

    __slots__ = ("_namer", "_slow_threshold", "accounting", "loop")

    def __init__(self, *, slow_threshold: float, namer: Callable[[Span], str | None]) -> None:
        self._slow_threshold = slow_threshold
        self._namer = namer
        self.accounting: StepAccounting | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def acquire(self, loop: asyncio.AbstractEventLoop) -> StepAccounting:
        if self.accounting is not None and self.loop is loop:
            return self.accounting
        self.release()
        acct = install_step_accounting(loop, slow_threshold=self._slow_threshold)
        acct.namer = self._namer
        self.accounting, self.loop = acct, loop
        return acct

    def release(self) -> None:
        acct, self.accounting, self.loop = self.accounting, None, None
        if acct is not None:
            acct.uninstall()


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
        state = thread_state
        outer = state.in_step
        state.in_step = True
        first = current.get()
        if first is not None:
            resume(first)
        acct = self._acct
        started = time.perf_counter() if acct is not None else 0.0
        try:
            return fn(arg)
        finally:
            head = current.get()
            if head is not None:
                suspend(head)
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
