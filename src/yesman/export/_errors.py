"""Errors of the exporters, each saying what to do.

ExportError                 (a YesmanError)
└── OtelMissingError        the OpenTelemetry extra is not installed
"""

from __future__ import annotations

from yesman._errors import YesmanError

__all__ = ["ExportError", "OtelMissingError"]


class ExportError(YesmanError):
    """Base class of the exporters' errors."""


class OtelMissingError(ExportError, ImportError):
    """OTLP export was asked for, but the `otel` extra (the OpenTelemetry SDK) is missing."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"exporting over OTLP needs the OpenTelemetry SDK, which is not installed "
            f"(no module {missing!r}); install the extra with `pip install 'yesman[otel]'` "
            "(or, in a checkout, `uv sync --extra otel`)"
        )
