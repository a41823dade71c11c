"""Errors of `yesman.baseline`, each saying what happened and what to do.

YesmanError
 └── BaselineError            a baseline could not be made, read or compared
      ├── BaselineNotFoundError    no saved baseline or file by that name
      ├── BaselineFormatError      a document that is not a baseline this yesman can read
      └── HistoryUnavailableError  the figures asked for live in the metric history, which
                                   this build cannot read yet
"""

from __future__ import annotations

from yesman._errors import YesmanError

__all__ = [
    "BaselineError",
    "BaselineFormatError",
    "BaselineNotFoundError",
    "HistoryUnavailableError",
]


class BaselineError(YesmanError):
    """A baseline could not be made, read or compared."""


class BaselineNotFoundError(BaselineError, LookupError):
    """No saved baseline and no readable file by that name."""


class BaselineFormatError(BaselineError, ValueError):
    """The document is not a baseline (or is of a newer schema than this yesman reads)."""


class HistoryUnavailableError(BaselineError):
    """The request needs the metric history (``yesman history``), which is not in this build."""
