"""What a sweep may set in a time-to-event question, and how its scenarios are answered.

Driver levels and named scenarios shift the hazard or the opportunities to come after
sampling, so every scenario is answered on the same posterior (the kind has no prior or
data settings).

When the question is forecast exactly (``--method auto`` or ``exact``), that posterior is
the exact one (:class:`ExactTtePosterior`), and a row's ``probability`` is E[P(by the
deadline)] at the scenario's driver levels by the quadrature ``forecast run`` uses
(:meth:`~forecast.kinds.tte.grid.TteGrid.expect`), its ``mcse`` the quadrature error
estimate of that number: its change on the grid half as fine with half the
Gauss–Hermite nodes. Only the row's intervals come from draws: stratified inverse-CDF
draws of the same exact posterior (their quantiles have a Monte Carlo error that
``mcse`` does not state). Under ``--method nuts`` every number comes from NUTS's draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.kinds.protocol import ExactSummaries
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

    from forecast.kinds.tte.grid import TteGrid


def params(spec: DriverSet) -> list[Param]:
    """What a time-to-event question can sweep: its drivers' levels and named scenarios."""
    return driver_params(spec)


@dataclass(frozen=True)
class ExactTtePosterior:
    """The exact posterior as a sweep's rows read it: the quadrature grid of ``forecast
    run``'s exact method, the grid half as fine, and stratified draws of it for the
    intervals."""

    grid: TteGrid
    chains: int
    draws: int
    seed: int

    @cached_property
    def coarse(self) -> TteGrid:
        """The grid half as fine, with half the Gauss–Hermite nodes."""
        return self.grid.coarser()

    @cached_property
    def sampled(self) -> Draws:
        """Stratified inverse-CDF draws (chain, draw), as an exact run keeps them."""
        from forecast.kinds.tte.exact import exact_draws

        return exact_draws(self.grid, self.chains, self.draws, self.seed)

    def probability(self, levels: Sequence[float], upto: tuple[int, float]) -> tuple[float, float]:
        """E[P(by the date ``upto`` describes)] at the driver ``levels`` on the grid, and
        its change on the grid half as fine (the quadrature error estimate).

        Levels only weight the drivers' states (:func:`~forecast.models.covariates.states`),
        so the mean is the states' means weighted: each state's is computed once on each
        grid, however many scenarios mix it (what :meth:`TteGrid.expect` sums, in another
        order)."""
        from forecast.models.covariates import states

        x, ws = states(levels)
        fine = coarse = 0.0
        for xs, w in zip(x, ws, strict=True):
            state = [float(v) for v in xs]
            fine += float(w) * self.grid.expect(state, upto)
            coarse += float(w) * self.coarse.expect(state, upto)
        return fine, abs(fine - coarse)


class TteAdapter(ScenarioLevels, ExactSummaries[TteInputs]):
    """Time-to-event questions: driver levels and named scenarios on one posterior."""

    diagnosed: ClassVar[tuple[str, ...]] = ("q", "log_trend", "beta", "median_years", "shape")
    methods: ClassVar[tuple[str, ...]] = ("exact", "nuts")

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
        """The exact posterior (:class:`ExactTtePosterior`), in place of NUTS (None: NUTS
        samples, when asked for or, under ``auto``, when the quadrature error estimate of
        P(by the horizon) is past the exact method's tolerance; under ``exact`` the rows
        say it is past)."""
        import time

        from forecast.kinds.tte.density import TteDensity
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
        coarse = grid.coarser()
        error = abs(grid.expect(off, upto) - coarse.expect(off, upto))
        if error > exact.TOLERANCE and s.method != "exact":
            return None
        made = ExactTtePosterior(grid, s.chains, s.draws, s.seed)
        made.__dict__["coarse"] = coarse  # the cached property, already at hand
        seconds = time.perf_counter() - start
        return Posterior(made, exact_diagnostics(s, error, seconds), seconds, job.tag)

    def exact_summaries(
        self,
        inputs: TteInputs,
        posterior: object,
        scenarios: Sequence[Mapping[str, Value]],
    ) -> list[dict[str, float]]:
        """Each scenario's probability and its quadrature error read off the exact
        posterior; its intervals from the posterior's stratified draws."""
        from forecast.sweep.strategies import summaries

        assert isinstance(posterior, ExactTtePosterior)
        spec = self.spec
        assert isinstance(spec, TimeToEventQuestion)
        upto = posterior.grid.density.horizon_of(spec.deadline)
        rows = summaries(self.evaluate(inputs, posterior, scenarios), independent=True)
        for row, scenario in zip(rows, scenarios, strict=True):
            row["probability"], row["mcse"] = posterior.probability(self.levels(scenario), upto)
        return rows

    @staticmethod
    def extract(inputs: TteInputs, idata: DataTree) -> Draws:
        """The draws the curve needs."""
        return inputs.posterior_draws(idata)

    @staticmethod
    def log_prior(inputs: TteInputs, draws: Draws) -> np.ndarray:
        """Never needed: no prior settings for this kind, so nothing is reweighted."""
        raise NotImplementedError("time-to-event sweeps have no prior settings")

    def evaluate(
        self,
        inputs: TteInputs,
        draws: Draws | ExactTtePosterior,
        scenarios: Sequence[Mapping[str, Value]],
    ) -> np.ndarray:
        """Per-draw P(by the deadline), (scenarios, chain, draw) (of an exact posterior,
        on its stratified draws)."""
        if isinstance(draws, ExactTtePosterior):
            draws = draws.sampled
        spec = self.spec
        assert isinstance(spec, TimeToEventQuestion)
        return np.stack(
            [inputs.probability_by(draws, self.levels(s), spec.deadline) for s in scenarios]
        )


__all__ = ["ExactTtePosterior", "TteAdapter", "params"]
