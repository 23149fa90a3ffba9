"""What both time-to-event forms share: years between dates, and the parameter draws."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from forecast.models.covariates import DriverInput

YEAR_DAYS = 365.25
LN2 = math.log(2.0)


def years(a: dt.date, b: dt.date) -> float:
    """Years from ``a`` to ``b``."""
    return (b - a).days / YEAR_DAYS


@dataclass(frozen=True)
class Draws:
    """Parameter draws of a time-to-event model, flattened or (chain, draw)."""

    main: np.ndarray  # logit q (scheduled) or median years (hazard)
    trend: np.ndarray  # log trend (scheduled) or Weibull shape (hazard)
    beta: np.ndarray  # (..., J)


def prior_beta(drivers: Sequence[DriverInput], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` prior draws of the drivers' log odds (or hazard) ratios, (n, J)."""
    return np.column_stack(
        [rng.normal(d.fitted.params["mu"], d.fitted.params["sigma"], size=n) for d in drivers]
        or [np.zeros(n)]
    )[:, : len(drivers)]


def half_time(mean_by: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> float:
    """Where ``mean_by`` (increasing in t) reaches one half in [lo, hi], to a hundredth
    of a day, the caller having checked that it is below at ``lo`` and reached by
    ``hi`` (:func:`~forecast.methods.roots.bracketed`)."""
    from forecast.methods.roots import bracketed

    def f(t: float) -> float:
        return float(np.asarray(mean_by(np.array([t])))[0]) - 0.5

    return bracketed(f, lo, hi, xtol=0.01 / YEAR_DAYS)


__all__ = ["LN2", "YEAR_DAYS", "Draws", "half_time", "prior_beta", "years"]
