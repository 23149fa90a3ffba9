"""The quantity kind: a continuous uncertain amount judged by experts (see :mod:`.kind`)."""

from forecast.kinds.quantity.kind import KIND

__all__ = ["KIND"]
