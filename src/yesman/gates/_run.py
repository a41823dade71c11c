"""`run_gates`: run gates one after another into a `GateReport`.

    report = await run_gates(default_gates(FAMILIES), context)
    sys.exit(report.exit_code)

Gates run in the order given, one at a time (the performance gates measure the machine, so
nothing else of ours may run beside them). Each is timed by the runner (its result's
``duration_s`` is the runner's measurement). A gate that raises, or returns something that is
not a `GateResult`, becomes an ``error`` result carrying the exception's text and traceback; the
gates after it still run. Cancellation and KeyboardInterrupt are not caught.
"""

from __future__ import annotations

import dataclasses
import logging
import platform
import time
import traceback
from collections.abc import Callable, Iterable, Sequence

from yesman.gates._model import (
    FAMILIES,
    Finding,
    Gate,
    GateContext,
    GateReport,
    GateResult,
    GateStatus,
)

__all__ = ["GateProgress", "run_gates"]

_log = logging.getLogger(__name__)

GateProgress = Callable[[Gate, GateResult | None], None]
"""Called with ``(gate, None)`` before a gate runs and ``(gate, result)`` after it."""


def _environment(context: GateContext) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 (rare)

    try:
        yesman = version("yesman")
    except PackageNotFoundError:
        yesman = "unknown"
    return {
        "yesman": yesman,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "policy": context.policy.source,
        "db": str(context.db_path),
        "project": str(context.project_dir),
    }


def _crashed(gate: Gate, exc: BaseException) -> GateResult:
    text = f"{type(exc).__name__}: {exc}"
    return GateResult(
        family=_attr(gate, "family"),
        name=_attr(gate, "name"),
        title=_attr(gate, "title"),
        status=GateStatus.ERROR,
        summary=f"the gate crashed ({text}); this is a bug in yesman, please report it with "
        "the traceback in the JSON report",
        findings=(Finding(text, where=_where(exc)),),
        details={"traceback": "".join(traceback.format_exception(exc))},
    )


def _attr(gate: Gate, name: str) -> str:
    try:
        return str(getattr(gate, name))
    except Exception:  # a gate broken enough to fail here still gets a row
        return f"<{type(gate).__name__}>"


def _where(exc: BaseException) -> str | None:
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


async def _one(gate: Gate, context: GateContext) -> GateResult:
    begin = time.perf_counter()
    try:
        result = await gate.run(context)
        if not isinstance(result, GateResult):
            raise TypeError(  # noqa: TRY301 (reported like any other crash of the gate)
                f"{type(gate).__name__}.run returned {type(result).__name__}, not a GateResult"
            )
    except Exception as exc:
        _log.exception("gate %s crashed", _attr(gate, "name"))
        result = _crashed(gate, exc)
    return dataclasses.replace(result, duration_s=time.perf_counter() - begin)


async def run_gates(
    gates: Iterable[Gate],
    context: GateContext,
    *,
    progress: GateProgress | None = None,
    families: Sequence[str] | None = None,
) -> GateReport:
    """Run ``gates`` in order under ``context``; the report is strict when the context is.

    ``families``: the families asked for, recorded in the report (default: those of the
    gates), so a report says so when a family asked for had no gate."""
    chosen = list(gates)
    if families is None:
        present = {_attr(g, "family") for g in chosen}
        families = [f for f in FAMILIES if f in present] + sorted(present - set(FAMILIES))
    started = time.time()
    results: list[GateResult] = []
    for gate in chosen:
        if progress is not None:
            progress(gate, None)
        result = await _one(gate, context)
        results.append(result)
        if progress is not None:
            progress(gate, result)
    return GateReport(
        results=tuple(results),
        started=started,
        finished=time.time(),
        strict=context.strict,
        families=tuple(families),
        environment=_environment(context),
    )
