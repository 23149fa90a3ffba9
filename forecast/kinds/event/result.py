"""What an event forecast adds to the shared :class:`~forecast.results.Forecast`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from forecast.effects import Chosen
    from forecast.headline import Pools, PoolsJSON
    from forecast.sensitivity import Sensitivity, SensitivityJSON


class EventJSON(TypedDict):
    """The keys an event question adds to ``forecast.run/1``."""

    pools: PoolsJSON
    sensitivity: SensitivityJSON


@dataclass(frozen=True)
class EventResult:
    """The pool comparison (exact, by quadrature) and the power-scaling sensitivity."""

    pools: Pools
    sensitivity: Sensitivity
    scenario: Chosen | None = None
    """An event question has no scenarios."""

    def to_dict(self) -> EventJSON:
        """``pools`` and ``sensitivity``."""
        return {"pools": self.pools.to_dict(), "sensitivity": self.sensitivity.to_dict()}


__all__ = ["EventJSON", "EventResult"]
