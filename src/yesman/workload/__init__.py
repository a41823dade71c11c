"""Standard workloads: the same work on every version and machine, so figures compare.

`record_demo_workload(duration, name)` runs the demo's simulated Claude Code in a private tmux
server under the real watcher and returns a `PerformanceBaseline` (not saved). `yesman baseline
record --workload demo` and the performance gate of `yesman gates` both use it.
"""

from yesman.workload._demo import DEMO_SPEED, WARM_UP, record_demo_workload

__all__ = ["DEMO_SPEED", "WARM_UP", "record_demo_workload"]
