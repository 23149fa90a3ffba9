"""The exact method for a quantity: the posterior in closed form or by quadrature, no
sampling (``forecast run --method exact``; ``auto`` takes it when its error is small).

The draws the report and plots need are inverse-CDF draws of the exact posterior (seeded,
``chains`` x ``draws``). The diagnostic is the quadrature error estimate: the largest
change of P(X > t) for each threshold and of the 2.5%, 50% and 97.5% points (relative to
the 50% interval's width) on a grid half as fine; 0 in closed form.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.quantity.inputs import QuantityInputs

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings, Timer
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast

TOLERANCE = 1e-6


def _error(inputs: QuantityInputs) -> tuple[float, int | None]:
    """The quadrature error estimate, and the grid's points (None in closed form)."""
    from forecast.kinds.quantity import grid, update

    exact = inputs.exact_posterior
    if not isinstance(exact, grid.GridDensity):
        return 0.0, None
    assert inputs.data is not None
    coarse = update.posterior(inputs.prior, inputs.support, inputs.data, (len(exact.u) + 1) // 2)
    levels = np.array([0.025, 0.25, 0.5, 0.75, 0.975])
    fine_q, coarse_q = exact.ppf(levels), coarse.ppf(levels)
    width = max(float(fine_q[3] - fine_q[1]), 1e-300)
    t = np.asarray(inputs.thresholds, dtype=float)
    errs = [float(np.max(np.abs(exact.cdf(t) - coarse.cdf(t))))]
    errs.append(float(np.max(np.abs(fine_q - coarse_q))) / width)
    return max(errs), len(exact.u)


def forecast(
    q: LoadedQuestion, inputs: QuantityInputs, settings: SamplerSettings, timer: Timer | None = None
) -> Forecast:
    """The Forecast of a quantity question from its exact posterior."""
    from arviz_base import from_dict

    from forecast.inference import Diagnostics
    from forecast.kinds.quantity.result import QuantityResult
    from forecast.kinds.quantity.summarise import summarise

    start = time.perf_counter()
    exact = inputs.exact_posterior
    rng = np.random.default_rng(settings.seed)
    u = rng.uniform(size=(settings.chains, settings.draws))
    x = np.asarray(exact.ppf(u), dtype=float).reshape(settings.chains, settings.draws)
    idata = from_dict(
        {"posterior": {"x": x}, "sample_stats": {"diverging": np.zeros(x.shape, bool)}}
    )
    error, points = _error(inputs)
    settings = replace(settings, method="exact")
    f = summarise(q, inputs, idata, settings, timer)
    p = float(1 - exact.cdf(inputs.thresholds[0]))
    notes: tuple[str, ...] = ()
    if error > TOLERANCE:
        notes = (
            f"quadrature error estimate {error:.1e} > {TOLERANCE:.0e}: the grid does not "
            "resolve the posterior; try --method nuts",
        )
    nan = float("nan")
    diag = Diagnostics(
        nan,
        nan,
        nan,
        0,
        settings.draws,
        settings.chains,
        time.perf_counter() - start,
        notes,
        method="exact",
        quadrature_error=error,
        grid_points=points,
    )
    steps = f.steps if inputs.data is None else (*f.steps[:-1], replace(f.steps[-1], after=p))
    result = f.result
    assert isinstance(result, QuantityResult), type(result)
    table = None if result.pools is None else replace(result.pools, headline=p)
    exact_result = replace(result, posterior=result.exact, pools=table)
    return replace(
        f,
        probability=p,
        mcse=0.0,
        diagnostics=diag,
        steps=steps,
        result=exact_result,
        intervals=tuple(replace(i, lo=p, hi=p) for i in f.intervals),
    )
