"""The exact method for a quantity: its posterior in closed form or by quadrature on an
adaptive grid (:mod:`forecast.kinds.quantity.quadrature`), no sampling.

Every number comes from the exact posterior: the headline P(X > t), the median and
intervals (the distribution's quantiles), the CDF, every threshold, the power-scaling
sensitivity (the grid re-weighted), the other pool and each expert left out (the grid's
variants). The draws kept for plots and portfolios are stratified inverse-CDF draws of
the exact posterior, as many as NUTS would have made. The diagnostic is the quadrature
error estimate: the largest change of P(X > t) for each threshold and of the 2.5, 25, 50,
75 and 97.5% points (relative to the 50% interval) on a grid half as fine; 0 in closed
form. Nothing here imports PyMC, PyTensor or ArviZ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.quantity.inputs import QuantityInputs

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.quantity.grid import Density
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast


class NotExact(ValueError):
    """The quadrature grid cannot resolve this posterior."""


@dataclass(frozen=True)
class Quadrature:
    """What the exact method's diagnostics report (:func:`forecast.methods.exact.diagnostics`)."""

    error: float
    points: int
    seconds: float


def quadrature(inputs: QuantityInputs) -> Quadrature:
    """The exact posterior's error estimate (0 in closed form) and the grid's points.

    Raises
    ------
    NotExact
        When the density is zero everywhere the grid looks, or the finest grid still
        misses the tolerance.
    """
    from forecast.kinds.quantity.quadrature import TOLERANCE

    start = time.perf_counter()
    try:
        grid = inputs.grid
    except ValueError as exc:
        raise NotExact(str(exc)) from exc
    if inputs.closed_form is not None:
        return Quadrature(0.0, grid.points, time.perf_counter() - start)
    if grid.error > TOLERANCE:
        raise NotExact(
            f"the quadrature error estimate {grid.error:.1e} on {grid.points} points is "
            f"above {TOLERANCE:.0e}: the grid does not resolve the posterior"
        )
    return Quadrature(grid.error, grid.points, time.perf_counter() - start)


def draws(inputs: QuantityInputs, chains: int, n: int, seed: int) -> np.ndarray:
    """Stratified inverse-CDF draws (chain, draw) of the exact posterior, in random order."""
    return stratified(inputs.grid.posterior, chains, n, seed)


def stratified(density: Density, chains: int, n: int, seed: int) -> np.ndarray:
    """Stratified inverse-CDF draws (chain, draw) of ``density``, in random order."""
    rng = np.random.default_rng(seed)
    total = chains * n
    levels = (rng.permutation(total) + rng.random(total)) / total
    return np.asarray(density.ppf(levels), dtype=float).reshape(chains, n)


def forecast(
    q: LoadedQuestion, inputs: QuantityInputs, settings: SamplerSettings, timer: Timer | None = None
) -> Forecast:
    """The Forecast of a quantity question from its exact posterior.

    Raises
    ------
    NotExact
        When the posterior cannot be resolved by quadrature (:func:`quadrature`).
    """
    from forecast import results
    from forecast.kinds.fields import question_fields
    from forecast.kinds.quantity.power import power_scaling_exact
    from forecast.kinds.quantity.spec import QuantityQuestion
    from forecast.kinds.quantity.summarise import data_label, result_of
    from forecast.methods.exact import diagnostics, used

    spec = q.spec
    assert isinstance(spec, QuantityQuestion)
    made = quadrature(inputs)
    if timer is not None:
        timer.lap("quadrature")
    settings = used(settings, "exact")
    x = draws(inputs, settings.chains, settings.draws, settings.seed)
    exact = inputs.exact_posterior
    t = inputs.thresholds[0]
    p = float(1 - exact.cdf(t))
    prior_p = float(1 - inputs.prior.cdf(t))
    label = data_label(inputs)
    sense = power_scaling_exact(inputs, inputs.grid, t, label, settings.chains * settings.draws)
    result = result_of(spec, inputs, None, sense, p)
    steps = [results.Step(f"experts (pooled prior): P(X > {t:g})", "experts", prior_p, prior_p)]
    if inputs.data is not None:
        steps.append(results.Step(label, "data", prior_p, p))
    forecast = results.Forecast(
        **question_fields(q, settings),
        probability=p,
        mcse=0.0,
        intervals=tuple(results.Interval(m, p, p) for m in (0.8, 0.95)),
        prior_probability=prior_p,
        prior_interval=results.Interval(0.95, prior_p, prior_p),
        steps=tuple(steps),
        experts=(),
        evidence=(),
        base_rate=None,
        diagnostics=diagnostics(made, settings),
        draws={"q": (x > t).astype(float).reshape(-1), "x": x.reshape(-1)},
        result=result,
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast


__all__ = ["NotExact", "Quadrature", "draws", "forecast", "quadrature", "stratified"]
