"""Argument checks shared by the tracker's recording methods: one wording for every bad value."""

from __future__ import annotations

import math

__all__ = ["check_name", "check_number"]


def check_name(component: object) -> str:
    if not isinstance(component, str) or not component.strip():
        raise ValueError(f"component name must be a non-empty string, got {component!r}")
    return component


def check_number(what: str, value: object, *, minimum: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be >= {minimum:g}, got {value!r}")
    return float(value)
