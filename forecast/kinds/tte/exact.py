"""A time-to-event question's :class:`~forecast.results.Forecast` by the exact method.

The same Forecast the sampled path makes (:func:`forecast.kinds.tte.summary.summarise`),
with these numbers by quadrature (:mod:`forecast.kinds.tte.quadrature`): the headline and
its intervals, the experts' prior and its interval, every step of what moved it, P(by
each date) on the curve, the median time, every scenario's probability and each
driver's swing, and a hazard's posterior median years. The curve's bands and
the scenarios' and swings' intervals come from stratified inverse-CDF draws of the
exact posterior, as many as NUTS would have made. The pool comparison and the
sensitivity rows reweight the quadrature grid (:mod:`forecast.kinds.tte.reweight`):
exact, with no Monte Carlo error. Nothing here imports PyMC, PyTensor, ArviZ or
``scipy.optimize``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from forecast import results, summary
from forecast.effects import DriverEffects
from forecast.headline import measured_from
from forecast.inference import SamplerSettings, Timer
from forecast.kinds.fields import question_fields
from forecast.kinds.tte.draws import YEAR_DAYS, Draws, half_time, years
from forecast.kinds.tte.grid import TteGrid
from forecast.kinds.tte.lines import draw
from forecast.kinds.tte.model import TteInputs
from forecast.kinds.tte.quadrature import ExactTte
from forecast.kinds.tte.result import CurvePoint, Hazard, TteResult
from forecast.kinds.tte.sensitivity import of_grid
from forecast.kinds.tte.spec import TimeToEventQuestion
from forecast.methods.exact import diagnostics, used
from forecast.questions.loader import LoadedQuestion


def exact_draws(grid: TteGrid, chains: int, n: int, seed: int) -> Draws:
    """Stratified inverse-CDF draws (chain, draw) of the model's parameters."""
    a, b, beta = draw(grid, chains * n, np.random.default_rng(seed))
    if grid.density.form == "hazard":
        a, b = np.exp(a), np.exp(b)
    return Draws(a.reshape(chains, n), b.reshape(chains, n), beta.reshape(chains, n, -1))


def _median(
    grid: TteGrid, inputs: TteInputs, levels: list[float], means: list[float]
) -> dt.date | None:
    """The date by which the event is as likely as not, by quadrature (None: after the
    horizon); ``means``: P(by each date of the curve)."""
    d = grid.density
    dates = inputs.dates()
    if d.rising:  # the first opportunity past one half
        return next((day for day, m in zip(dates, means, strict=True) if m >= 0.5), None)
    assert d.since is not None
    # the curve's dates bracket the median: the first past one half, and the one before
    k = next((i for i, m in enumerate(means) if m >= 0.5), None)
    if k is None:
        return None
    lo = years(d.since, dates[k - 1]) if k > 0 else d.elapsed
    hi = years(d.since, dates[k])

    def mean_by(ts: np.ndarray) -> np.ndarray:
        return np.asarray(grid.expect_all(levels, [(0, float(x)) for x in ts]))

    t = half_time(mean_by, max(lo, d.elapsed), hi)
    return d.since + dt.timedelta(days=round(t * YEAR_DAYS))


def _exact_effects(
    effects: DriverEffects, grid: TteGrid, spec: TimeToEventQuestion, scenario: str | None
) -> DriverEffects:
    """The scenario and swing rows made from draws, with the quadrature's means."""
    d = grid.density
    upto = d.horizon_of(spec.deadline)
    ids = [x.id for x in spec.drivers]
    now = spec.scenario_levels(scenario)

    def mean(levels: Mapping[str, float]) -> float:
        return grid.expect([float(levels[i]) for i in ids], upto)

    views = tuple(replace(v, probability=mean(v.levels)) for v in effects.scenarios)
    swings = []
    for row in effects.swings:
        on, off = mean({**now, row.driver: 1.0}), mean({**now, row.driver: 0.0})
        swings.append(replace(row, on=on, off=off, swing=on - off))
    swings.sort(key=lambda s: -abs(s.swing))
    return replace(effects, scenarios=views, swings=tuple(swings))


def forecast_tte(
    q: LoadedQuestion,
    inputs: TteInputs,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
) -> results.Forecast:
    """The Forecast of a time-to-event question by quadrature.

    Raises
    ------
    NotExact
        When the drivers' uncertain ratios are too many to integrate at once.
    """

    spec = q.spec
    assert isinstance(spec, TimeToEventQuestion)
    levels = [float(spec.scenario_levels(scenario)[d.id]) for d in inputs.drivers]
    exact = ExactTte.of(inputs, levels, spec.deadline)
    if timer is not None:
        timer.lap("quadrature")
    grid, prior = exact.grid, exact.prior
    d = grid.density
    draws = exact_draws(grid, settings.chains, settings.draws, settings.seed)

    def post_by(lv: list[float]) -> np.ndarray:
        return inputs.probability_by(draws, lv, spec.deadline)

    upto = d.horizon_of(spec.deadline)
    chain_draws = post_by(levels)
    off = [0.0] * len(levels)
    start = prior.expect(off, upto)
    steps = [results.Step("experts (pooled prior)", "experts", start, start)]
    steps += summary.driver_steps(
        inputs.drivers, levels, lambda lv: np.asarray(prior.expect(lv, upto)), start
    )
    steps.append(
        results.Step(inputs.history_label(), "history", steps[-1].after, exact.probability)
    )
    experts: tuple[results.ExpertView, ...] = ()
    if inputs.pooled:
        experts = summary.experts_view(
            inputs.expert_names, inputs.weights, inputs.experts, spec.experts
        )
    dates = inputs.dates()
    cum = inputs.cumulative(draws, levels).reshape(-1, len(dates))
    means = grid.expect_all(levels, [d.horizon_of(day) for day in dates])
    curve = []
    for j, (day, mean) in enumerate(zip(dates, means, strict=True)):
        lo, hi = results.band(cum[:, j], 0.8)
        curve.append(CurvePoint(day.isoformat(), mean, lo, hi))
    median = _median(grid, inputs, levels, means)
    details = inputs.details(draws)
    if isinstance(details, Hazard):
        mid, lo80, hi80 = (math.exp(grid.mean_a_quantile(p)) for p in (0.5, 0.1, 0.9))
        details = replace(details, median_years=mid, median_interval=(lo80, hi80))
    effects = None
    if inputs.drivers:
        made = summary.driver_effects(spec, scenario, lambda lv: post_by(lv).reshape(-1))
        effects = _exact_effects(made, grid, spec, scenario)
    pools = None
    if inputs.pooled:
        from forecast.kinds.tte.reweight import pools as grid_pools

        values = grid.point_values(levels, [upto])[0]
        pools = measured_from(
            grid_pools(inputs, grid, values, exact.probability), exact.probability
        )
    result = TteResult(
        curve=tuple(curve),
        median_time=median.isoformat() if median else "after the horizon",
        horizon=spec.horizon.isoformat(),
        as_of=spec.as_of_date.isoformat(),
        form=inputs.form,
        details=details,
        effects=effects,
        sensitivity=of_grid(inputs, grid, levels, upto, settings.chains * settings.draws),
        pools=pools,
    )
    settings = used(settings, "exact")
    plo, phi = exact.prior_interval
    forecast = results.Forecast(
        **question_fields(q, settings),
        probability=exact.probability,
        mcse=0.0,
        intervals=tuple(results.Interval(m, lo, hi) for m, lo, hi in exact.intervals),
        prior_probability=exact.prior_probability,
        prior_interval=results.Interval(0.95, plo, phi),
        steps=tuple(steps),
        experts=experts,
        evidence=(),
        base_rate=None,
        diagnostics=diagnostics(exact, settings),
        result=result,
        draws={"q": chain_draws.reshape(-1)},
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast


__all__ = ["exact_draws", "forecast_tte"]
