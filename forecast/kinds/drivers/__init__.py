"""Drivers questions: the event's chance as a logistic function of named drivers."""

from forecast.kinds.drivers.kind import KIND, DriversKind

__all__ = ["KIND", "DriversKind"]
