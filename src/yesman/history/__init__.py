"""yesman.history: every performance report and dialog outcome, kept in the audit database.

Writing: `HistoryWriter` subscribes to a bus and stores each ``PERFORMANCE_METRICS`` report
(process, per-component interval sketches and raw samples, bus) and each dialog outcome into an
open `yesman.store.AuditStore`, on the store's thread; it rolls up complete hours and prunes
expired rows in the background (`HistorySettings`: raw rows 14 days, hourly roll-ups a year).

Reading (coroutines, typed frozen results; see `yesman.history._read` for the exact semantics):

    read_components(db, since, until, component=None, *, max_samples=1000)
        -> tuple[ComponentSummary, ...]      p50/p95/p99, errors, CPU, memory, I/O, raw samples
    read_series(db, since, until, component=None, *, points=40) -> tuple[ComponentSeries, ...]
    read_dialogs(db, since, until, session=None) -> tuple[DialogSummary, ...]   per session/pane
    read_dialog_records(db, since, until, session=None) -> tuple[DialogRecord, ...]
    read_process(db, since, until) -> ProcessSummary
    read_bus(db, since, until) -> BusSummary
    read_time_range(db) -> TimeRange | None
    read_pane_scaling(db, since, until, component=None) -> tuple[PaneScaling, ...]
        latency per number of panes watched (raw rows only)
    read_pane_activity(db, since, until, session=None) -> tuple[PaneActivity, ...]
        restarts, exits, API errors, usage limits per session/pane
    read_gate_runs(db, *, limit=20, since=None, with_reports=False) -> tuple[GateRun, ...]

Runs of `yesman gates`: `record_gate_run(store, GateRun(...))` keeps one (its counts and the
whole JSON report); `read_gate_runs` lists them, newest first.

Layering: imports `yesman.store`, `yesman.metrics` and `yesman.bus`; the layers above read it.
"""

from yesman.history._gate_runs import GATE_STATUSES, GateRun, read_gate_runs, record_gate_run
from yesman.history._maintain import MaintenanceResult
from yesman.history._pane_events import PaneActivity, read_pane_activity
from yesman.history._read import (
    BusSummary,
    ComponentSeries,
    ComponentSummary,
    DialogRecord,
    DialogSummary,
    HistoryDB,
    ProcessSummary,
    SeriesPoint,
    TimeRange,
    read_bus,
    read_components,
    read_dialog_records,
    read_dialogs,
    read_process,
    read_series,
    read_time_range,
)
from yesman.history._rows import DialogOutcome
from yesman.history._scaling import PaneLoad, PaneScaling, read_pane_scaling
from yesman.history._settings import HistorySettings
from yesman.history._writer import HistoryWriter

__all__ = [
    "GATE_STATUSES",
    "BusSummary",
    "ComponentSeries",
    "ComponentSummary",
    "DialogOutcome",
    "DialogRecord",
    "DialogSummary",
    "GateRun",
    "HistoryDB",
    "HistorySettings",
    "HistoryWriter",
    "MaintenanceResult",
    "PaneActivity",
    "PaneLoad",
    "PaneScaling",
    "ProcessSummary",
    "SeriesPoint",
    "TimeRange",
    "read_bus",
    "read_components",
    "read_dialog_records",
    "read_dialogs",
    "read_gate_runs",
    "read_pane_activity",
    "read_pane_scaling",
    "read_process",
    "read_series",
    "read_time_range",
    "record_gate_run",
]
