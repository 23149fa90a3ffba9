"""CORP reliability: calibration that holds on little data (Dimitriadis, Gneiting & Jordan 2021).

CORP (Consistent, Optimally binned, Reproducible, PAV-based) replaces the ten fixed
bins of the classic reliability table with the isotonic regression of the outcomes on
the forecasts, fitted by the pool-adjacent-violators algorithm (SciPy's
``scipy.optimize.isotonic_regression``). The fitted values are the recalibrated
forecasts ``c``; with ``S`` the mean Brier score of a set of forecasts,

    MCB = S(p) - S(c)        miscalibration (0 for calibrated forecasts)
    DSC = S(r) - S(c)        discrimination, ``r`` the base rate given to every question
    UNC = S(r)               uncertainty of the outcomes themselves

and ``S = MCB - DSC + UNC`` exactly. Consistency bands come from resampling under the
hypothesis of calibration: outcomes drawn as Bernoulli(p) are refitted, and the 5%
and 95% quantiles of their recalibrated values at each forecast give the band a
calibrated forecaster's diagram would fall in nine times out of ten.

Dimitriadis, T., Gneiting, T. & Jordan, A. I. (2021). Stable reliability diagrams for
probabilistic classifiers. PNAS 118(8), e2016191118.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

MIN_QUESTIONS = 10
"""Fewer resolved questions than this and calibration cannot be judged yet."""

RESAMPLES = 400
"""Outcome sets drawn under calibration for the consistency bands."""

BAND = 0.90
"""The consistency band's coverage."""


@dataclass(frozen=True)
class Point:
    """One distinct forecast value on the CORP diagram."""

    forecast: float
    n: int
    calibrated: float
    """The isotonic (PAV) recalibrated probability at this forecast."""
    lo: float | None
    hi: float | None
    """The consistency band under calibration (None when not computed)."""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Corp:
    """The CORP decomposition of the Brier score and the reliability diagram's points."""

    n: int
    score: float
    mcb: float
    dsc: float
    unc: float
    points: tuple[Point, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON (``score`` is the Brier score, ``= mcb - dsc + unc``)."""
        return {
            "n": self.n,
            "score": _finite(self.score),
            "mcb": _finite(self.mcb),
            "dsc": _finite(self.dsc),
            "unc": _finite(self.unc),
            "points": [p.to_dict() for p in self.points],
        }


def recalibrate(p: ArrayLike, o: ArrayLike) -> NDArray[np.float64]:
    """The isotonic regression of the outcomes on the forecasts, at each forecast.

    Equal forecasts share one fitted value: the outcomes are pooled per distinct
    forecast first and fitted with those counts as weights.
    """
    pa = np.asarray(p, dtype=float).reshape(-1)
    oa = np.asarray(o, dtype=float).reshape(-1)
    if pa.size == 0:
        return np.empty(0)
    _, inverse, counts = np.unique(pa, return_inverse=True, return_counts=True)
    return _fit(inverse, counts, oa)[inverse]


def _fit(
    inverse: NDArray[np.intp], counts: NDArray[np.intp], o: NDArray[np.float64]
) -> NDArray[np.float64]:
    """PAV on the outcomes pooled per distinct forecast: one fitted value per forecast value."""
    from scipy.optimize import isotonic_regression

    means = np.bincount(inverse, weights=o, minlength=counts.size) / counts
    fit = isotonic_regression(means, weights=counts.astype(float), increasing=True).x
    return np.asarray(fit, dtype=float)


def decompose(p: ArrayLike, o: ArrayLike, *, bands: bool = True, seed: int = 20210216) -> Corp:
    """MCB, DSC and UNC of the Brier score, with the diagram's points and bands."""
    pa = np.asarray(p, dtype=float).reshape(-1)
    oa = np.asarray(o, dtype=float).reshape(-1)
    n = int(pa.size)
    if n == 0:
        return Corp(0, math.nan, math.nan, math.nan, math.nan, ())
    c = recalibrate(pa, oa)
    base = float(oa.mean())
    s_p = float(np.mean((pa - oa) ** 2))
    s_c = float(np.mean((c - oa) ** 2))
    s_r = float(np.mean((base - oa) ** 2))
    values, first, counts = np.unique(pa, return_index=True, return_counts=True)
    lo = hi = None
    if bands:
        lo, hi = _bands(pa, values, seed)
    points = tuple(
        Point(
            float(v),
            int(k),
            float(c[i]),
            None if lo is None else float(lo[j]),
            None if hi is None else float(hi[j]),
        )
        for j, (v, i, k) in enumerate(zip(values, first, counts, strict=True))
    )
    return Corp(n, s_p, s_p - s_c, s_r - s_c, s_r, points)


def _bands(
    p: NDArray[np.float64], values: NDArray[np.float64], seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The 90% consistency band at each distinct forecast, by resampling under calibration."""
    rng = np.random.default_rng(seed)
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    fits = np.empty((RESAMPLES, values.size))
    for k in range(RESAMPLES):
        fake = (rng.random(p.size) < p).astype(float)
        fits[k] = _fit(inverse, counts, fake)
    tail = (1.0 - BAND) / 2
    lo, hi = np.quantile(fits, [tail, 1.0 - tail], axis=0)
    return np.asarray(lo), np.asarray(hi)


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
