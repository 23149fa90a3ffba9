"""The ``time-to-event`` model: P(the event by each date).

Scheduled opportunities (``opportunities`` in the file)
    Opportunity i (numbered from the next one, i = 0; passed ones are negative) has
    ``logit q_i = logit q + i log(trend) + x . beta``. ``q`` has the experts' pooled
    prior, ``log(trend)`` ~ Normal from the fitted odds multiplier, ``beta`` are the
    drivers' log odds ratios. Passed opportunities without the event are data:
    ``sum_i log(1 - q_i)`` (more generally ``y_i log q_i + (1 - y_i) log(1 - q_i)``
    over the observed ones, which :func:`set_history` swaps without rebuilding).
    Drivers describe conditions now and shift only the opportunities still to come.
    P(by opportunity f) = 1 - prod_{i <= f} (1 - q_i), averaged over driver states.

Continuous hazard (``hazard``)
    Weibull with median ``m`` and shape ``k``: S(t) = exp(-ln 2 (t / m)^k), t in years
    from ``since``. ``m`` has the experts' pooled prior (a mixture of LogNormals),
    ``k`` is fixed or LogNormal. Time ``t0`` passed without the event is data, log S(t0)
    (an event seen at t adds log f(t) instead). P(by t | none by t0) = 1 - S(t)/S(t0).
    Drivers multiply the hazard from ``as_of`` on by exp(x . beta): their odds ratios
    are read as hazard ratios (the odds ratio of the event within a short span), so
    P(by t | none by t0) = 1 - exp(-exp(x . beta) ln 2 ((t/m)^k - (t0/m)^k)), averaged
    over driver states.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit

from forecast.elicit.distributions import Fitted
from forecast.elicit.fit import default_cache, fit_at, fit_positive
from forecast.models.covariates import (
    DriverInput,
    fit_drivers,
    log_odds_ratios,
    pooled_beta,
    shift_states,
)
from forecast.questions.event import given_weights
from forecast.questions.tte import TimeToEventQuestion, add_months

if TYPE_CHECKING:
    import pymc as pm

YEAR_DAYS = 365.25
LN2 = math.log(2.0)


def years(a: dt.date, b: dt.date) -> float:
    """Years from ``a`` to ``b``."""
    return (b - a).days / YEAR_DAYS


@dataclass(frozen=True)
class ScheduleInputs:
    """The scheduled form as plain numbers."""

    expert_names: tuple[str, ...]
    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]
    trend: Fitted | None
    drivers: tuple[DriverInput, ...]
    passed: tuple[dt.date, ...]
    future: tuple[dt.date, ...]

    form = "opportunities"

    @property
    def passed_index(self) -> np.ndarray:
        """Indices of the passed opportunities, relative to the next one (-n .. -1)."""
        return np.arange(-len(self.passed), 0, dtype=float)


@dataclass(frozen=True)
class HazardInputs:
    """The continuous-hazard form as plain numbers."""

    expert_names: tuple[str, ...]
    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]
    shape: Fitted
    since: dt.date
    as_of: dt.date
    curve_dates: tuple[dt.date, ...]

    form = "hazard"
    drivers: tuple[DriverInput, ...] = ()

    @property
    def elapsed(self) -> float:
        """Years from the start of the clock to ``as_of``, without the event."""
        return years(self.since, self.as_of)


TteInputs = ScheduleInputs | HazardInputs


def hazard_dates(spec: TimeToEventQuestion) -> tuple[dt.date, ...]:
    """Curve dates of the hazard form: each anniversary of as_of, the deadline, the horizon."""
    start = spec.as_of_date
    out = {spec.deadline, spec.horizon}
    k = 1
    while (day := add_months(start, 12 * k)) < spec.horizon:
        out.add(day)
        k += 1
    return tuple(sorted(out))


def prepare(spec: TimeToEventQuestion) -> TteInputs:
    """Fit every judgement of a time-to-event question."""
    cache = default_cache()
    if spec.hazard is not None:
        hz = spec.hazard
        fitted = tuple(
            fit_at(("hazard", "experts", i, "median_years"), fit_positive, e.median_years, cache)
            for i, e in enumerate(hz.experts)
        )
        shape = fit_at(("hazard", "shape"), fit_positive, hz.shape, cache)
        hz_drivers = fit_drivers(spec.drivers, cache)
        cache.flush()
        return HazardInputs(
            tuple(e.name for e in hz.experts),
            fitted,
            given_weights([e.weight for e in hz.experts]),
            shape,
            hz.since,
            spec.as_of_date,
            hazard_dates(spec),
            hz_drivers,
        )
    from forecast.models.judgements import fit_experts

    experts = fit_experts(spec.experts, cache)
    trend = fit_at(("trend",), fit_positive, spec.trend, cache) if spec.trend is not None else None
    drivers = fit_drivers(spec.drivers, cache)
    cache.flush()
    dates = spec.opportunity_dates()
    as_of = spec.as_of_date
    return ScheduleInputs(
        tuple(e.name for e in spec.experts),
        experts,
        given_weights([e.weight for e in spec.experts]),
        trend,
        drivers,
        tuple(d for d in dates if d <= as_of),
        tuple(d for d in dates if d > as_of),
    )


def _log_trend(trend: Fitted | None) -> Any:
    import pymc as pm

    if trend is None:
        return 0.0
    if trend.fixed:
        return float(trend.params["mu"])
    return pm.Normal("log_trend", mu=trend.params["mu"], sigma=trend.params["sigma"])


def build(inputs: TteInputs) -> pm.Model:
    """The PyMC model for a time-to-event question."""
    if isinstance(inputs, HazardInputs):
        return _build_hazard(inputs)
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        q = pooled_beta("q", inputs.experts, inputs.weights)
        log_trend = _log_trend(inputs.trend)
        if inputs.drivers:
            log_odds_ratios(inputs.drivers)
        index = pm.Data("passed_index", inputs.passed_index)
        y = pm.Data("passed_y", np.zeros(len(inputs.passed)))
        eta = pt.log(q) - pt.log1p(-q) + index * log_trend
        pm.Potential("passed", (-y * pt.softplus(-eta) - (1 - y) * pt.softplus(eta)).sum())
    return model


def _build_hazard(inputs: HazardInputs) -> pm.Model:
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        mus = np.array([f.params["mu"] for f in inputs.experts])
        sigmas = np.array([f.params["sigma"] for f in inputs.experts])
        if len(inputs.experts) == 1:
            m = pm.LogNormal("median_years", mu=mus[0], sigma=sigmas[0])
        else:
            w = np.asarray(inputs.weights) / sum(inputs.weights)
            m = pm.Mixture("median_years", w=w, comp_dists=pm.LogNormal.dist(mu=mus, sigma=sigmas))
        if inputs.shape.fixed:
            k: Any = float(math.exp(inputs.shape.params["mu"]))
        else:
            k = pm.LogNormal(
                "shape", mu=inputs.shape.params["mu"], sigma=inputs.shape.params["sigma"]
            )
        if inputs.drivers:
            log_odds_ratios(inputs.drivers)  # hazard ratios after as_of: no data on them
        t = pm.Data("elapsed", inputs.elapsed)
        seen = pm.Data("event_seen", 0.0)
        z = (t / m) ** k
        log_f = math.log(LN2) + pt.log(k) - pt.log(m) + (k - 1) * pt.log(t / m)
        pm.Potential("elapsed_without", seen * log_f - LN2 * z)
    return model


def set_history(model: pm.Model, inputs: TteInputs, observed: Any, seen: Any) -> None:
    """Swap the data of a compiled model.

    Scheduled: ``observed`` are the outcomes (0/1) of the passed opportunities whose
    indices (relative to the next one) are ``seen``. Hazard: ``observed`` is the time
    watched (years), ``seen`` whether the event happened at its end.
    """
    import pymc as pm

    with model:
        if isinstance(inputs, HazardInputs):
            pm.set_data({"elapsed": float(observed), "event_seen": float(seen)})
        else:
            y = np.asarray(observed, dtype=float)
            pm.set_data({"passed_y": y, "passed_index": np.asarray(seen, dtype=float)})


@dataclass(frozen=True)
class Draws:
    """Parameter draws of a time-to-event model, flattened or (chain, draw)."""

    main: np.ndarray  # logit q (scheduled) or median years (hazard)
    trend: np.ndarray  # log trend (scheduled) or Weibull shape (hazard)
    beta: np.ndarray  # (..., J)


def posterior_draws(inputs: TteInputs, idata: Any) -> Draws:
    """Draws (chain, draw) of the parameters from a posterior."""
    from forecast.models.covariates import assemble_beta

    post = idata["posterior"]
    if isinstance(inputs, HazardInputs):
        m = np.asarray(post["median_years"].values, dtype=float)
        if "shape" in post:
            k = np.asarray(post["shape"].values, dtype=float)
        else:
            k = np.full_like(m, math.exp(inputs.shape.params["mu"]))
        return Draws(m, k, assemble_beta(inputs.drivers, post))
    q = np.asarray(post["q"].values, dtype=float)
    lq = np.log(q) - np.log1p(-q)
    if "log_trend" in post:
        lt = np.asarray(post["log_trend"].values, dtype=float)
    else:
        lt = np.full_like(lq, inputs.trend.params["mu"] if inputs.trend else 0.0)
    return Draws(lq, lt, assemble_beta(inputs.drivers, post))


def prior_draws(inputs: TteInputs, n: int, rng: np.random.Generator) -> Draws:
    """``n`` draws of the parameters from the prior, with NumPy."""
    w = np.asarray(inputs.weights, dtype=float) / sum(inputs.weights)
    which = rng.choice(len(inputs.experts), size=n, p=w)
    if isinstance(inputs, HazardInputs):
        mu = np.array([f.params["mu"] for f in inputs.experts])[which]
        sd = np.array([f.params["sigma"] for f in inputs.experts])[which]
        m = np.exp(rng.normal(mu, sd))
        s = inputs.shape.params
        k = np.exp(rng.normal(s["mu"], s["sigma"], size=n)) if s["sigma"] > 0 else None
        ks = k if k is not None else np.full(n, math.exp(s["mu"]))
        return Draws(m, ks, _prior_beta(inputs.drivers, n, rng))
    a = np.array([f.params["alpha"] for f in inputs.experts])[which]
    b = np.array([f.params["beta"] for f in inputs.experts])[which]
    q = np.clip(rng.beta(a, b), 1e-12, 1 - 1e-12)
    t = inputs.trend.params if inputs.trend is not None else {"mu": 0.0, "sigma": 0.0}
    lt = rng.normal(t["mu"], t["sigma"], size=n)
    return Draws(np.log(q) - np.log1p(-q), lt, _prior_beta(inputs.drivers, n, rng))


def _prior_beta(drivers: Sequence[DriverInput], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` prior draws of the drivers' log odds (or hazard) ratios, (n, J)."""
    return np.column_stack(
        [rng.normal(d.fitted.params["mu"], d.fitted.params["sigma"], size=n) for d in drivers]
        or [np.zeros(n)]
    )[:, : len(drivers)]


def _hazard_by(
    inputs: HazardInputs, draws: Draws, levels: Sequence[float], t: np.ndarray
) -> np.ndarray:
    """P(by each time t (years from since) | none by as_of) per draw, (..., T), averaged
    over the drivers' states, each multiplying the hazard after as_of."""
    t0 = inputs.elapsed
    m, k = draws.main[..., None], draws.trend[..., None]
    added = LN2 * ((t / m) ** k - (t0 / m) ** k)  # (..., T) cumulative hazard since as_of
    shifts, w = shift_states(draws.beta, levels)  # (..., S), (S,)
    survive = np.exp(-np.exp(shifts)[..., :, None] * added[..., None, :])  # (..., S, T)
    return np.asarray(1.0 - np.einsum("...st,s->...t", survive, w))


def curve_dates(inputs: TteInputs) -> tuple[dt.date, ...]:
    """The dates P(by date) is given for."""
    return inputs.future if isinstance(inputs, ScheduleInputs) else inputs.curve_dates


def cumulative(inputs: TteInputs, draws: Draws, levels: Sequence[float]) -> np.ndarray:
    """P(by each curve date | nothing by as_of) per draw: shape (..., dates)."""
    if isinstance(inputs, HazardInputs):
        t = np.array([years(inputs.since, d) for d in inputs.curve_dates])
        return _hazard_by(inputs, draws, levels, t)
    i = np.arange(len(inputs.future), dtype=float)
    eta = draws.main[..., None] + i * draws.trend[..., None]  # (..., F)
    shifts, w = shift_states(draws.beta, levels)  # (..., S), (S,)
    q = expit(eta[..., None, :] + shifts[..., :, None])  # (..., S, F)
    survive = np.cumprod(1.0 - q, axis=-1)
    return np.asarray(1.0 - np.einsum("...sf,s->...f", survive, w))


def probability_by(
    inputs: TteInputs, draws: Draws, levels: Sequence[float], day: dt.date
) -> np.ndarray:
    """P(by ``day`` | nothing by as_of) per draw."""
    dates = curve_dates(inputs)
    if isinstance(inputs, HazardInputs):
        return _hazard_by(inputs, draws, levels, np.array([years(inputs.since, day)]))[..., 0]
    upto = [j for j, d in enumerate(dates) if d <= day]
    if not upto:
        return np.zeros(draws.main.shape)
    return cumulative(inputs, draws, levels)[..., upto[-1]]


def median_date(inputs: TteInputs, draws: Draws, levels: Sequence[float]) -> dt.date | None:
    """The date by which the event is as likely as not (None: after the horizon)."""
    dates = curve_dates(inputs)
    if isinstance(inputs, HazardInputs):
        from scipy import optimize

        t0 = inputs.elapsed
        n = draws.main.size
        flat = Draws(
            draws.main.reshape(n),
            draws.trend.reshape(n),
            draws.beta.reshape(n, len(inputs.drivers)),
        )

        def excess(t: float) -> float:
            return float(np.mean(_hazard_by(inputs, flat, levels, np.array([t])))) - 0.5

        end = years(inputs.since, dates[-1])
        if excess(end) < 0:
            return None
        t = optimize.brentq(excess, t0, end, xtol=1e-6)
        return inputs.since + dt.timedelta(days=round(t * YEAR_DAYS))
    mean = cumulative(inputs, draws, levels).reshape(-1, len(dates)).mean(axis=0)
    hit = np.nonzero(mean >= 0.5)[0]
    return dates[int(hit[0])] if hit.size else None


__all__ = [
    "Draws",
    "HazardInputs",
    "ScheduleInputs",
    "build",
    "cumulative",
    "median_date",
    "posterior_draws",
    "prepare",
    "prior_draws",
    "probability_by",
    "set_history",
]
