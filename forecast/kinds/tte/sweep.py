"""What a sweep may set in a time-to-event question, and how its scenarios are answered.

Driver levels and named scenarios shift the hazard or the opportunities to come after
sampling, so every scenario is evaluated on the same draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.kinds.tte.draws import Draws
from forecast.kinds.tte.hazard import HazardInputs
from forecast.kinds.tte.model import TteInputs
from forecast.kinds.tte.scheduled import ScheduleInputs
from forecast.kinds.tte.spec import TimeToEventQuestion
from forecast.questions.drivers import DriverSet
from forecast.sweep.adapters import ScenarioLevels, current_prior, exact_diagnostics
from forecast.sweep.params import Param, Value, driver_params
from forecast.sweep.strategies import Job, Posterior

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree


def params(spec: DriverSet) -> list[Param]:
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
    def build(inputs: TteInputs) -> pm.Model:
        """The time-to-event model."""
        return inputs.build()

    @staticmethod
    def set_data(model: pm.Model, inputs: TteInputs, data: Mapping[str, Value]) -> None:
        """No data settings for this kind."""

    @staticmethod
    def posterior(job: Job) -> Posterior | None:
        """Stratified inverse-CDF draws of the exact posterior, in place of NUTS (None:
        NUTS samples, when asked for or when the quadrature error estimate of P(by the
        horizon) is past the exact method's tolerance)."""
        import time

        from forecast.kinds.tte.density import TteDensity
        from forecast.kinds.tte.exact import exact_draws
        from forecast.kinds.tte.grid import TteGrid
        from forecast.methods import exact

        s = job.settings
        if s.method == "nuts":
            return None
        start = time.perf_counter()
        inputs = job.inputs
        assert isinstance(inputs, ScheduleInputs | HazardInputs)
        density = TteDensity.of(inputs)
        grid = TteGrid.of(density)
        off = [0.0] * len(inputs.drivers)
        upto = density.horizon_of(inputs.dates()[-1])
        error = abs(grid.expect(off, upto) - grid.coarser().expect(off, upto))
        if error > exact.TOLERANCE:
            return None
        draws = exact_draws(grid, s.chains, s.draws, s.seed)
        seconds = time.perf_counter() - start
        return Posterior(draws, exact_diagnostics(s, error, seconds), seconds, job.tag)

    @staticmethod
    def extract(inputs: TteInputs, idata: DataTree) -> Draws:
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
        spec = self.spec
        assert isinstance(spec, TimeToEventQuestion)
        return np.stack(
            [inputs.probability_by(draws, self.levels(s), spec.deadline) for s in scenarios]
        )


__all__ = ["TteAdapter", "params"]
