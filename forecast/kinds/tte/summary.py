"""A time-to-event model's posterior as a Forecast: P(by the deadline), the curve of
P(by each date), the median time, scenarios and swings, pools and sensitivity."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from forecast import results, summary
from forecast.inference import SamplerSettings, Timer, diagnose
from forecast.kinds.tte.density import TteDensity
from forecast.kinds.tte.grid import NotExact, TteGrid
from forecast.kinds.tte.model import TteInputs
from forecast.kinds.tte.result import CurvePoint, TteResult
from forecast.kinds.tte.sensitivity import of_draws
from forecast.kinds.tte.spec import TimeToEventQuestion
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    from xarray import DataTree


def summarise(
    q: LoadedQuestion,
    inputs: TteInputs,
    idata: DataTree,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
) -> results.Forecast:
    """Posterior of a time-to-event model -> Forecast (the curve and median in its result)."""
    spec = q.spec
    assert isinstance(spec, TimeToEventQuestion)
    post = idata["posterior"]
    seconds = float(post.attrs.get("sampling_time", 0.0) or 0.0)
    names = [n for n in ("q", "log_trend", "beta", "median_years", "shape") if n in post]
    diag = diagnose(idata, names, seconds)
    draws = inputs.posterior_draws(idata)
    prior = inputs.prior_draws(summary.PRIOR_DRAWS, np.random.default_rng(settings.seed))
    levels = [float(spec.scenario_levels(scenario)[d.id]) for d in inputs.drivers]

    def post_by(lv: list[float], day: dt.date = spec.deadline) -> np.ndarray:
        return inputs.probability_by(draws, lv, day)

    def prior_by(lv: list[float]) -> np.ndarray:
        return inputs.probability_by(prior, lv, spec.deadline)

    chain_draws = post_by(levels)
    off = [0.0] * len(levels)
    # The experts' prior and the drivers' steps are fixed inputs, not sampled: they are
    # taken by the exact method's quadrature of the prior, so they are the same numbers
    # whichever method made the posterior.
    grid = TteGrid.of(TteDensity.of(inputs), data=False)
    upto = grid.density.horizon_of(spec.deadline)

    def prior_mean(lv: list[float]) -> np.ndarray:
        return np.asarray(grid.expect(lv, upto))

    start = grid.expect(off, upto)
    steps = [results.Step("experts (pooled prior)", "experts", start, start)]
    steps += summary.driver_steps(inputs.drivers, levels, prior_mean, start)
    experts: tuple[results.ExpertView, ...] = ()
    if inputs.pooled:
        experts = summary.experts_view(
            inputs.expert_names, inputs.weights, inputs.experts, spec.experts
        )
    history = results.Step(
        inputs.history_label(), "history", steps[-1].after, float(chain_draws.mean())
    )
    steps.append(history)
    dates = inputs.dates()
    cum = inputs.cumulative(draws, levels).reshape(-1, len(dates))
    curve = []
    for j, day in enumerate(dates):
        lo, hi = results.band(cum[:, j], 0.8)
        curve.append(CurvePoint(day.isoformat(), float(cum[:, j].mean()), lo, hi))
    median = inputs.median_date(draws, levels)
    result = TteResult(
        curve=tuple(curve),
        median_time=median.isoformat() if median else "after the horizon",
        horizon=spec.horizon.isoformat(),
        as_of=spec.as_of_date.isoformat(),
        form=inputs.form,
        details=inputs.details(draws),
        effects=summary.driver_effects(spec, scenario, lambda lv: post_by(lv).reshape(-1))
        if inputs.drivers
        else None,
        sensitivity=of_draws(inputs, draws, chain_draws),
        pools=summary.swapped_pools(inputs, draws.main, chain_draws) if inputs.pooled else None,
    )
    forecast = summary.assemble(
        q, settings, diag, chain_draws, prior_by(levels), steps, experts, result
    )
    forecast = replace(forecast, prior_probability=grid.expect(levels, upto))
    try:
        lo, hi = grid.quantiles((0.025, 0.975), levels, upto)
    except NotExact:  # too many uncertain ratios for the quantiles: the prior's draws
        pass
    else:
        forecast = replace(forecast, prior_interval=results.Interval(0.95, lo, hi))
    if timer is not None:
        timer.lap("summarise")
    return forecast


__all__ = ["summarise"]
