"""What drivers do to a forecast: every named scenario, and each driver's swing.

A drivers question and a time-to-event question with drivers both carry a
:class:`DriverEffects` in their result; the reports read its attributes, and
:meth:`DriverEffects.to_dict` gives the keys of ``forecast.run/1`` (``docs/json.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from forecast.results import band


class ScenarioJSON(TypedDict):
    """One of ``scenarios`` in ``forecast.run/1``."""

    name: str
    levels: dict[str, float]
    probability: float
    intervals: dict[str, list[float]]


class SwingJSON(TypedDict):
    """One of ``swings`` in ``forecast.run/1``."""

    driver: str
    description: str
    level: float
    off: float
    on: float
    swing: float
    interval: list[float]


class EffectsJSON(TypedDict):
    """The keys drivers add to ``forecast.run/1``."""

    scenario: str | None
    scenario_sets: dict[str, float] | None
    scenarios: list[ScenarioJSON]
    swings: list[SwingJSON]


@dataclass(frozen=True)
class Chosen:
    """The named scenario a forecast is under, and the driver levels it sets."""

    name: str
    sets: Mapping[str, float]


@dataclass(frozen=True)
class ScenarioView:
    """One scenario's probability (the mean of its draws) with 80% and 95% intervals."""

    name: str
    levels: Mapping[str, float]
    probability: float
    i80: tuple[float, float]
    i95: tuple[float, float]

    @classmethod
    def of(cls, name: str, levels: Mapping[str, float], draws: np.ndarray) -> ScenarioView:
        """The view of per-draw probabilities under ``levels``."""
        return cls(name, dict(levels), float(np.mean(draws)), band(draws, 0.8), band(draws, 0.95))

    def to_dict(self) -> ScenarioJSON:
        """Plain data for JSON."""
        return {
            "name": self.name,
            "levels": dict(self.levels),
            "probability": self.probability,
            "intervals": {"80": list(self.i80), "95": list(self.i95)},
        }


@dataclass(frozen=True)
class SwingView:
    """One driver's swing: the probability with it on minus off, per draw, summarised."""

    driver: str
    description: str
    level: float
    off: float
    on: float
    swing: float
    interval: tuple[float, float]

    @classmethod
    def of(
        cls, driver: str, description: str, level: float, on: np.ndarray, off: np.ndarray
    ) -> SwingView:
        """The swing from per-draw probabilities with the driver on and off."""
        swing = np.asarray(on) - np.asarray(off)
        return cls(
            driver,
            description,
            level,
            float(np.mean(off)),
            float(np.mean(on)),
            float(np.mean(swing)),
            band(swing, 0.8),
        )

    def to_dict(self) -> SwingJSON:
        """Plain data for JSON."""
        return {
            "driver": self.driver,
            "description": self.description,
            "level": self.level,
            "off": self.off,
            "on": self.on,
            "swing": self.swing,
            "interval": list(self.interval),
        }


@dataclass(frozen=True)
class DriverEffects:
    """Every scenario's probability and each driver's swing, from the same draws."""

    chosen: Chosen | None
    """The scenario asked for (``--scenario``); None for the current levels."""
    scenarios: tuple[ScenarioView, ...]
    """Every scenario, starting with ``current levels``."""
    swings: tuple[SwingView, ...]
    """Each driver's swing, largest first."""

    def to_dict(self) -> EffectsJSON:
        """The ``scenario``, ``scenario_sets``, ``scenarios`` and ``swings`` keys."""
        c = self.chosen
        return {
            "scenario": c.name if c is not None else None,
            "scenario_sets": dict(c.sets) if c is not None else None,
            "scenarios": [s.to_dict() for s in self.scenarios],
            "swings": [s.to_dict() for s in self.swings],
        }


__all__ = [
    "Chosen",
    "DriverEffects",
    "EffectsJSON",
    "ScenarioJSON",
    "ScenarioView",
    "SwingJSON",
    "SwingView",
]
