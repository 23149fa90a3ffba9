"""What a drivers forecast adds to the shared :class:`~forecast.results.Forecast`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from forecast.effects import Chosen, DriverEffects, ScenarioJSON, SwingJSON
    from forecast.headline import Pools, PoolsJSON
    from forecast.sensitivity import Sensitivity, SensitivityJSON


class CasesJSON(TypedDict):
    """The ``cases`` object: how many coded cases, and how many had the event."""

    n: int
    with_event: int


class DriversJSON(TypedDict):
    """The keys a drivers question adds to ``forecast.run/1``."""

    scenario: str | None
    scenario_sets: dict[str, float] | None
    scenarios: list[ScenarioJSON]
    swings: list[SwingJSON]
    cases: CasesJSON
    sensitivity: SensitivityJSON
    pools: PoolsJSON


@dataclass(frozen=True)
class DriversResult:
    """Every scenario and each driver's swing, the cases, sensitivity and pools."""

    effects: DriverEffects
    cases: int
    """Coded cases that update the baseline and the odds ratios."""
    with_event: int
    """Of those, the cases with the event."""
    sensitivity: Sensitivity
    pools: Pools

    @property
    def scenario(self) -> Chosen | None:
        """The scenario asked for (``--scenario``)."""
        return self.effects.chosen

    def to_dict(self) -> DriversJSON:
        """The scenarios and swings, ``cases``, ``sensitivity`` and ``pools``."""
        e = self.effects.to_dict()
        return {
            "scenario": e["scenario"],
            "scenario_sets": e["scenario_sets"],
            "scenarios": e["scenarios"],
            "swings": e["swings"],
            "cases": {"n": self.cases, "with_event": self.with_event},
            "sensitivity": self.sensitivity.to_dict(),
            "pools": self.pools.to_dict(),
        }


__all__ = ["CasesJSON", "DriversJSON", "DriversResult"]
