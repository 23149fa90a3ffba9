"""Event questions: will the event happen by the deadline?"""

from forecast.kinds.event.kind import KIND, EventKind

__all__ = ["KIND", "EventKind"]
