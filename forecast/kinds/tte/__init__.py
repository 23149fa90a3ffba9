"""Time-to-event questions: when will the event happen, by opportunities or a hazard?"""

from forecast.kinds.tte.kind import KIND, TimeToEventKind

__all__ = ["KIND", "TimeToEventKind"]
