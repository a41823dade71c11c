"""Errors the dashboard raises on purpose, each saying what to do.

DashboardError
├── BindError          the address to serve on: unreadable, not allowed, or taken
└── HistoryOnlyError   a live action asked of a dashboard that serves the history alone
"""

from __future__ import annotations

from yesman._errors import YesmanError

__all__ = ["BindError", "DashboardError"]


class DashboardError(YesmanError):
    """Base of the dashboard's errors."""


class BindError(DashboardError, ValueError):
    """``--http`` names an address the dashboard cannot or may not serve on."""
