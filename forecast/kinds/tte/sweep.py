"""What a sweep may set in a time-to-event question, and how its scenarios are answered.

Driver levels and named scenarios shift the hazard or the opportunities to come after
sampling, so every scenario is evaluated on the same draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from forecast.kinds.tte.draws import Draws
from forecast.kinds.tte.model import TteInputs
from forecast.sweep.params import Param, Value, driver_params
from forecast.sweep.strategies import ScenarioLevels, current_prior


def params(spec: Any) -> list[Param]:
    """What a time-to-event question can sweep: its drivers' levels and named scenarios."""
    return driver_params(spec)


class TteAdapter(ScenarioLevels):
    """Time-to-event questions: driver levels and named scenarios on the draws."""

    diagnosed: ClassVar[tuple[str, ...]] = ("q", "log_trend", "beta", "median_years", "shape")

    @staticmethod
    def current(inputs: TteInputs) -> dict[str, Value]:
        """The file's own expert weights and a prior strength of 1."""
        return current_prior(inputs)

    @staticmethod
    def with_prior(inputs: TteInputs, prior: Mapping[str, Value]) -> TteInputs:
        """No prior settings for this kind (its parameters offer none)."""
        return inputs

    @staticmethod
    def check_data(inputs: TteInputs, data: Mapping[str, Value]) -> None:
        """No data settings for this kind."""

    @staticmethod
    def build(inputs: TteInputs) -> Any:
        """The time-to-event model."""
        return inputs.build()

    @staticmethod
    def set_data(model: Any, inputs: TteInputs, data: Mapping[str, Value]) -> None:
        """No data settings for this kind."""

    @staticmethod
    def extract(inputs: TteInputs, idata: Any) -> Draws:
        """The draws the curve needs."""
        return inputs.posterior_draws(idata)

    @staticmethod
    def log_prior(inputs: TteInputs, draws: Draws) -> np.ndarray:
        """Never needed: no prior settings for this kind, so nothing is reweighted."""
        raise NotImplementedError("time-to-event sweeps have no prior settings")

    def evaluate(
        self, inputs: TteInputs, draws: Draws, scenarios: Sequence[Mapping[str, Value]]
    ) -> np.ndarray:
        """Per-draw P(by the deadline), (scenarios, chain, draw)."""
        return np.stack(
            [inputs.probability_by(draws, self.levels(s), self.spec.deadline) for s in scenarios]
        )


__all__ = ["TteAdapter", "params"]
