"""The asyncio event bus: prioritised, bounded, and honest about its queue.

`get_event_bus()` gives the process-wide default; everything else takes a bus as an argument.
"""

from yesman.bus._bus import AsyncEventBus
from yesman.bus._default import get_event_bus, reset_event_bus, set_event_bus
from yesman.bus._events import Event, EventPriority, EventType
from yesman.bus._handlers import EventHandler, HandlerResult, Subscription
from yesman.bus._metrics import EventMetrics
from yesman.bus._payloads import (
    AutomationObserved,
    BusReport,
    DialogInfo,
    OptionInfo,
    PaneEvent,
    Payload,
    PromptDecided,
    PromptDetected,
    PromptHeld,
    ResponseSent,
    SessionCreated,
    SessionRenamed,
    SessionStopped,
    StatusChanged,
    SystemFault,
)
from yesman.bus._queue import OverflowPolicy

__all__ = [
    "AsyncEventBus",
    "AutomationObserved",
    "BusReport",
    "DialogInfo",
    "Event",
    "EventHandler",
    "EventMetrics",
    "EventPriority",
    "EventType",
    "HandlerResult",
    "OptionInfo",
    "OverflowPolicy",
    "PaneEvent",
    "Payload",
    "PromptDecided",
    "PromptDetected",
    "PromptHeld",
    "ResponseSent",
    "SessionCreated",
    "SessionRenamed",
    "SessionStopped",
    "StatusChanged",
    "Subscription",
    "SystemFault",
    "get_event_bus",
    "reset_event_bus",
    "set_event_bus",
]
