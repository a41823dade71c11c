"""yesman.baseline: performance baselines, their comparison, and optimisation suggestions.

    from yesman.baseline import get_performance_monitor

    monitor = get_performance_monitor()
    await monitor.start_monitoring()
    baseline = await monitor.establish_baseline(duration_seconds=60)
    verdicts = compare(reference, baseline)      # Mann-Whitney U + a 10 % practical threshold
    for s in suggest(baseline): print(s.title, s.change)

Layering: ``_model`` (the frozen records and their JSON schema) and ``_errors`` are the leaves;
``_system`` reads the process and host, ``_collect`` folds samples into a baseline,
``_monitor`` is the sampling service. ``_compare``, ``_suggest`` and ``_policy_rules`` read
finished baselines (or dialog outcomes); ``_persist`` keeps them in `yesman.store`. This package
sits above metrics, bus, store and policy and below the CLI.
"""

from yesman.baseline._collect import summarize_samples
from yesman.baseline._compare import (
    Comparison,
    ComponentComparison,
    FigureChange,
    Verdict,
    compare,
)
from yesman.baseline._errors import (
    BaselineError,
    BaselineFormatError,
    BaselineNotFoundError,
    HistoryUnavailableError,
)
from yesman.baseline._history import (
    SessionRank,
    baseline_from_history,
    rank_sessions,
    read_history_baseline,
    read_session_ranking,
)
from yesman.baseline._model import (
    SCHEMA_VERSION,
    BusSummary,
    ComponentSummary,
    Environment,
    MonitoringSample,
    PerformanceBaseline,
    SystemMetrics,
)
from yesman.baseline._monitor import (
    PerformanceMonitor,
    establish_baseline,
    get_performance_monitor,
)
from yesman.baseline._persist import load_baseline, resolve_baseline, save_baseline
from yesman.baseline._policy_rules import HeldAnswer, HumanChoice, suggest_policy_rules
from yesman.baseline._scaling import ScalingThresholds, suggest_pane_scaling
from yesman.baseline._suggest import SuggestThresholds, suggest
from yesman.baseline._suggestion import Suggestion, SuggestionKind

__all__ = [
    "SCHEMA_VERSION",
    "BaselineError",
    "BaselineFormatError",
    "BaselineNotFoundError",
    "BusSummary",
    "Comparison",
    "ComponentComparison",
    "ComponentSummary",
    "Environment",
    "FigureChange",
    "HeldAnswer",
    "HistoryUnavailableError",
    "HumanChoice",
    "MonitoringSample",
    "PerformanceBaseline",
    "PerformanceMonitor",
    "ScalingThresholds",
    "SessionRank",
    "SuggestThresholds",
    "Suggestion",
    "SuggestionKind",
    "SystemMetrics",
    "Verdict",
    "baseline_from_history",
    "compare",
    "establish_baseline",
    "get_performance_monitor",
    "load_baseline",
    "rank_sessions",
    "read_history_baseline",
    "read_session_ranking",
    "resolve_baseline",
    "save_baseline",
    "suggest",
    "suggest_pane_scaling",
    "suggest_policy_rules",
    "summarize_samples",
]
