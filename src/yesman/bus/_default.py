"""The process-wide default bus behind `get_event_bus()`; the only global the bus keeps."""

from __future__ import annotations

from yesman.bus._bus import AsyncEventBus

__all__ = ["get_event_bus", "reset_event_bus", "set_event_bus"]

_default_bus: AsyncEventBus | None = None


def get_event_bus() -> AsyncEventBus:
    """The process-wide default bus, created (not started) on first use."""
    global _default_bus  # noqa: PLW0603  (the one documented convenience global)
    if _default_bus is None:
        _default_bus = AsyncEventBus()
    return _default_bus


def set_event_bus(bus: AsyncEventBus) -> AsyncEventBus | None:
    """Make `bus` the default bus; returns the previous one (tests use this to swap buses)."""
    global _default_bus
    if not isinstance(bus, AsyncEventBus):
        raise TypeError(f"set_event_bus() takes an AsyncEventBus, got {type(bus).__name__}")
    previous, _default_bus = _default_bus, bus
    return previous


def reset_event_bus() -> AsyncEventBus | None:
    """Forget the default bus (the next `get_event_bus()` makes a new one); returns the old one.

    It does not stop the old bus: stop it first if it was started.
    """
    global _default_bus
    previous, _default_bus = _default_bus, None
    return previous
