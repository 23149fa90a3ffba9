"""What a time-to-event forecast adds to the shared :class:`~forecast.results.Forecast`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from forecast.effects import Chosen, DriverEffects
    from forecast.elicit.distributions import Fitted
    from forecast.headline import Pools
    from forecast.sensitivity import Sensitivity


class CurvePointJSON(TypedDict):
    """One of ``curve`` in ``forecast.run/1``."""

    date: str
    probability: float
    lo: float
    hi: float


@dataclass(frozen=True)
class CurvePoint:
    """P(the event by one date) with its 80% band."""

    date: str
    probability: float
    lo: float
    hi: float

    def to_dict(self) -> CurvePointJSON:
        """Plain data for JSON."""
        return {"date": self.date, "probability": self.probability, "lo": self.lo, "hi": self.hi}


@dataclass(frozen=True)
class HazardExpert:
    """One expert's fitted judgement of the median years to the event."""

    name: str
    weight: float
    fit: Fitted


@dataclass(frozen=True)
class Hazard:
    """A hazard question's clock, Weibull shape, experts and posterior median time."""

    since: str
    elapsed_years: float
    shape: Fitted
    experts: tuple[HazardExpert, ...]
    median_years: float
    median_interval: tuple[float, float]

    def to_dict(self) -> dict[str, object]:
        """The ``hazard`` object."""
        return {
            "hazard": {
                "since": self.since,
                "elapsed_years": self.elapsed_years,
                "shape": self.shape.to_dict(),
                "experts": [
                    {"name": e.name, "weight": e.weight, "fit": e.fit.to_dict()}
                    for e in self.experts
                ],
                "posterior_median_years": {
                    "median": self.median_years,
                    "interval": list(self.median_interval),
                },
            }
        }


@dataclass(frozen=True)
class Opportunities:
    """A scheduled question's opportunities: those passed and those to come."""

    passed: tuple[dt.date, ...]
    future: tuple[dt.date, ...]

    def to_dict(self) -> dict[str, object]:
        """The ``opportunities`` object."""
        return {
            "opportunities": {
                "passed": [d.isoformat() for d in self.passed],
                "future": [d.isoformat() for d in self.future],
            }
        }


@dataclass(frozen=True)
class TteResult:
    """P(by each date), the median time, the form's details, and with drivers every
    scenario and each driver's swing; sensitivity, and pools when experts are pooled."""

    curve: tuple[CurvePoint, ...]
    median_time: str
    """A date, or ``after the horizon``."""
    horizon: str
    as_of: str
    form: str
    details: Hazard | Opportunities
    effects: DriverEffects | None
    sensitivity: Sensitivity
    pools: Pools | None

    @property
    def scenario(self) -> Chosen | None:
        """The scenario asked for (``--scenario``), with drivers."""
        return self.effects.chosen if self.effects is not None else None

    @property
    def hazard(self) -> Hazard | None:
        """The hazard form's details (None: scheduled opportunities)."""
        return self.details if isinstance(self.details, Hazard) else None

    def to_dict(self) -> dict[str, object]:
        """The keys of ``forecast.run/1`` for a time-to-event question, in order."""
        out: dict[str, object] = {
            "curve": [p.to_dict() for p in self.curve],
            "median_time": self.median_time,
            "horizon": self.horizon,
            "as_of": self.as_of,
            "form": self.form,
            **self.details.to_dict(),
        }
        if self.effects is not None:
            out.update(self.effects.to_dict())
        out["sensitivity"] = self.sensitivity.to_dict()
        if self.pools is not None:
            out["pools"] = self.pools.to_dict()
        return out


__all__ = ["CurvePoint", "CurvePointJSON", "Hazard", "HazardExpert", "Opportunities", "TteResult"]
