"""The ``time-to-event`` model: P(the event by each date).

A question has one of two forms, each a class with the same methods:
:class:`~forecast.kinds.tte.scheduled.ScheduleInputs` (the event at one of a list of
opportunities) and :class:`~forecast.kinds.tte.hazard.HazardInputs` (the event at any
time, by a Weibull hazard). :func:`prepare` fits a question's judgements into the one
its file gives; the functions below call the form's method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from forecast.elicit.fit import default_cache, fit_at, fit_positive
from forecast.kinds.tte.draws import LN2, YEAR_DAYS, Draws, years
from forecast.kinds.tte.hazard import HazardInputs
from forecast.kinds.tte.scheduled import ScheduleInputs
from forecast.kinds.tte.spec import TimeToEventQuestion, add_months
from forecast.models.covariates import fit_drivers
from forecast.questions.experts import given_weights

if TYPE_CHECKING:
    import pymc as pm
    from numpy.typing import ArrayLike
    from xarray import DataTree

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


def build(inputs: TteInputs) -> pm.Model:
    """The PyMC model for a time-to-event question."""
    return inputs.build()


def set_history(model: pm.Model, inputs: TteInputs, observed: ArrayLike, seen: ArrayLike) -> None:
    """Swap the data of a compiled model.

    Scheduled: ``observed`` are the outcomes (0/1) of the passed opportunities whose
    indices (relative to the next one) are ``seen``. Hazard: ``observed`` is the time
    watched (years), ``seen`` whether the event happened at its end.
    """
    inputs.set_history(model, observed, seen)


def posterior_draws(inputs: TteInputs, idata: DataTree) -> Draws:
    """Draws (chain, draw) of the parameters from a posterior."""
    return inputs.posterior_draws(idata)


def prior_draws(inputs: TteInputs, n: int, rng: np.random.Generator) -> Draws:
    """``n`` draws of the parameters from the prior, with NumPy."""
    return inputs.prior_draws(n, rng)


def curve_dates(inputs: TteInputs) -> tuple[dt.date, ...]:
    """The dates P(by date) is given for."""
    return inputs.dates()


def cumulative(inputs: TteInputs, draws: Draws, levels: Sequence[float]) -> np.ndarray:
    """P(by each curve date | nothing by as_of) per draw: shape (..., dates)."""
    return inputs.cumulative(draws, levels)


def probability_by(
    inputs: TteInputs, draws: Draws, levels: Sequence[float], day: dt.date
) -> np.ndarray:
    """P(by ``day`` | nothing by as_of) per draw."""
    return inputs.probability_by(draws, levels, day)


def median_date(inputs: TteInputs, draws: Draws, levels: Sequence[float]) -> dt.date | None:
    """The date by which the event is as likely as not (None: after the horizon)."""
    return inputs.median_date(draws, levels)


__all__ = [
    "LN2",
    "YEAR_DAYS",
    "Draws",
    "HazardInputs",
    "ScheduleInputs",
    "TteInputs",
    "build",
    "cumulative",
    "curve_dates",
    "hazard_dates",
    "median_date",
    "posterior_draws",
    "prepare",
    "prior_draws",
    "probability_by",
    "set_history",
    "years",
]
