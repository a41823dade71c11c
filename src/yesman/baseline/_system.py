"""Process and host readings for the monitor's samples, and the environment record.

Every reading is non-blocking (psutil's CPU percents compare against the previous call), about
0.1 ms in all at one sample a second, so it runs on the event loop.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import psutil

from yesman.baseline._model import Environment

__all__ = ["SystemReader", "SystemReading", "environment"]

_MB = 1048576.0


@dataclass(frozen=True, slots=True)
class SystemReading:
    cpu_percent: float
    host_cpu_percent: float
    memory_used_mb: float
    host_memory_used_mb: float
    load_1m: float


class SystemReader:
    """Reads this process's CPU and memory and the host's; CPU percents are since the last read."""

    __slots__ = ("_process",)

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.reset()

    def reset(self) -> None:
        """Start the CPU percents afresh (the next read covers the time since now)."""
        self._process.cpu_percent(None)
        psutil.cpu_percent(None)

    def read(self) -> SystemReading:
        vm = psutil.virtual_memory()
        try:
            load = os.getloadavg()[0]
        except OSError:  # not available on this platform
            load = 0.0
        return SystemReading(
            cpu_percent=self._process.cpu_percent(None),
            host_cpu_percent=psutil.cpu_percent(None),
            memory_used_mb=self._process.memory_info().rss / _MB,
            host_memory_used_mb=(vm.total - vm.available) / _MB,
            load_1m=load,
        )


@cache
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _yesman_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 (rarely used)

    try:
        return version("yesman")
    except PackageNotFoundError:
        return "unknown"


def environment(workload: str, agent_versions: Mapping[str, str] | None = None) -> Environment:
    """The record of where a baseline is taken."""
    return Environment(
        yesman=_yesman_version(),
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.release()} {platform.machine()}",
        cpu_model=_cpu_model(),
        cores=os.cpu_count() or 0,
        agent_versions=dict(agent_versions or {}),
        workload=workload,
    )
