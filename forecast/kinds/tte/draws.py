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
    """Where ``mean_by`` (increasing in t, given many t at once) reaches one half in [lo,
    hi]: 16 points at a time narrow the bracket 16-fold, until it is under a
    hundredth of a day (the caller checks that it is reached by ``hi``)."""
    while hi - lo > 0.01 / YEAR_DAYS:
        ts = np.linspace(lo, hi, 17)
        k = int(np.clip(np.searchsorted(np.asarray(mean_by(ts)), 0.5), 1, 16))
        lo, hi = float(ts[k - 1]), float(ts[k])
    return 0.5 * (lo + hi)


__all__ = ["LN2", "YEAR_DAYS", "Draws", "half_time", "prior_beta", "years"]
