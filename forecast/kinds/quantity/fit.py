"""Fit each judgement of a quantity to every family of its support, as SHELF's ``fitdist``.

A judgement is a set of probability statements P(lo < X <= hi) = p (a quantile is one
with lo = -inf; a median and an interval are two; roulette chips give the share of
chips left of each edge, trimmed as SHELF's ``roulette``). Each family's two parameters
minimise the sum of squared differences between the stated and the fitted
probabilities (SHELF's objective; PreliZ has no call for an arbitrary set of
statements), with SciPy's ``least_squares`` started from a regression of the values on
the family's standard quantiles, as SHELF starts. The fit error of every family is
kept; the best one (the least error) is used unless the file fixes the family.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from forecast.errors import FitError
from forecast.kinds.quantity.families import T_DF, Dist, Family, Support
from forecast.kinds.quantity.spec import QuantityJudgement

Statement = tuple[float, float, float]
"""(lo, hi, p): P(lo < X <= hi) = p."""


def roulette_points(bins: Sequence[float], chips: Sequence[int]) -> list[tuple[float, float]]:
    """Roulette chips as (edge, P(X <= edge)), from the last edge with no chips to its
    left to the first with every chip to its left (SHELF's ``roulette``)."""
    total = sum(chips)
    counts = [0, *np.cumsum(chips).tolist()]
    first = max(i for i, c in enumerate(counts) if c == 0)
    last = min(i for i, c in enumerate(counts) if c == total)
    return [(float(bins[i]), counts[i] / total) for i in range(first, last + 1)]


def statements(j: QuantityJudgement) -> list[Statement]:
    """The judgement as probability statements."""
    if j.quantiles is not None:
        return [(-math.inf, v, p) for p, v in j.quantiles.items()]
    if j.roulette is not None:
        return [(-math.inf, x, p) for x, p in roulette_points(j.roulette.bins, j.roulette.chips)]
    assert j.median is not None and j.interval is not None
    return [(-math.inf, j.median, 0.5), (j.interval[0], j.interval[1], j.interval_mass)]


def _cumulative(j: QuantityJudgement) -> list[tuple[float, float]]:
    """(value, cumulative probability) pairs strictly inside (0, 1), for starting values."""
    if j.median is not None and j.interval is not None:
        m = j.interval_mass
        return [(j.interval[0], (1 - m) / 2), (j.median, 0.5), (j.interval[1], (1 + m) / 2)]
    pts = [(hi, p) for _, hi, p in statements(j)]
    inner = [(x, p) for x, p in pts if 0 < p < 1]
    if len(inner) >= 2:
        return inner
    # Two bins used: the outer edges stand for the 1% and 99% points.
    return [(pts[0][0], 0.01), *inner, (pts[-1][0], 0.99)]


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted to one judgement, with SHELF's fit error (sum of squares)."""

    dist: Dist
    sse: float

    @property
    def family(self) -> Family:
        """The family."""
        return self.dist.family


@dataclass(frozen=True)
class JudgementFit:
    """Every family's fit to one judgement, and the one used."""

    fits: tuple[FamilyFit, ...]
    chosen: Family
    statements: tuple[Statement, ...]

    @property
    def best(self) -> FamilyFit:
        """The fit used: the file's family, or the least fit error."""
        return next(f for f in self.fits if f.family == self.chosen)

    @property
    def dist(self) -> Dist:
        """The distribution used."""
        return self.best.dist


def _scale(family: Family, support: Support, x: np.ndarray) -> np.ndarray:
    """Values on the scale the family's location and scale live on."""
    if family in ("lognormal", "logt"):
        return np.log(np.maximum(x - support.lower, 1e-300))
    return x


def _start(family: Family, support: Support, pts: list[tuple[float, float]]) -> np.ndarray:
    """Unconstrained starting parameters: a regression of values on standard quantiles."""
    x = np.array([v for v, _ in pts], dtype=float)
    p = np.array([q for _, q in pts], dtype=float)
    if family == "beta":
        u = np.clip((x - support.lower) / (support.upper - support.lower), 1e-6, 1 - 1e-6)
        m = float(np.interp(0.5, p, u))
        sd = max(float(np.ptp(u)) / max(float(np.ptp(special.ndtri(p))), 0.5), 1e-3)
        var = min(sd**2, m * (1 - m) * 0.9)
        n = max(m * (1 - m) / var - 1, 0.5)
        return np.log([max(m * n, 0.05), max((1 - m) * n, 0.05)])
    z = special.stdtrit(T_DF, p) if family in ("t", "logt") else special.ndtri(p)
    y = _scale(family, support, x)
    slope, loc = np.polyfit(z, y, 1) if len(set(z)) > 1 else (1.0, float(y[0]))
    scale = max(float(slope), 1e-6 * max(1.0, abs(float(loc))))
    if family == "gamma":
        mean, var = max(loc - support.lower, 1e-9), scale**2
        return np.log([mean**2 / var, mean / var])
    return np.array([float(loc), math.log(scale)])


def _dist(family: Family, support: Support, theta: np.ndarray) -> Dist:
    if family in ("gamma", "beta"):
        a, b = np.exp(theta)
        return Dist(family, float(a), float(b), support)
    return Dist(family, float(theta[0]), float(math.exp(theta[1])), support)


def fit_family(
    family: Family, support: Support, sts: Sequence[Statement], start: np.ndarray
) -> FamilyFit:
    """Least squares on the stated probabilities for one family."""
    lo = np.array([s[0] for s in sts])
    hi = np.array([s[1] for s in sts])
    p = np.array([s[2] for s in sts])
    finite_lo = np.isfinite(lo)
    logs = slice(0, 2) if family in ("gamma", "beta") else slice(1, 2)

    def resid(theta: np.ndarray) -> np.ndarray:
        if not (np.all(np.isfinite(theta)) and np.all(np.abs(theta[logs]) < 200)):
            return np.full(len(p), 10.0)
        d = _dist(family, support, theta)
        below = np.where(finite_lo, d.cdf(np.where(finite_lo, lo, hi)), 0.0)
        return np.asarray(d.cdf(hi) - below - p, dtype=float)

    from scipy import optimize  # only when fitting: a cached fit needs none

    best = optimize.least_squares(resid, start, method="lm", xtol=1e-14, ftol=1e-14, gtol=1e-14)
    if not np.all(np.isfinite(best.x)):
        raise FitError(f"could not fit a {family} distribution to the stated probabilities")
    sse = float(np.sum(resid(best.x) ** 2))
    return FamilyFit(_dist(family, support, best.x), sse)


def fit_judgement(
    j: QuantityJudgement, support: Support, families: Sequence[Family], fixed: Family | None = None
) -> JudgementFit:
    """Fit ``j`` to every family in ``families``; the one used is ``fixed`` or the best.

    Raises
    ------
    FitError
        When no family could be fitted.
    """
    sts = statements(j)
    pts = _cumulative(j)
    fits: list[FamilyFit] = []
    for fam in families:
        try:
            fits.append(fit_family(fam, support, sts, _start(fam, support, pts)))
        except (FitError, ArithmeticError, ValueError):
            continue
    if not fits:
        raise FitError(
            "could not fit any distribution to the stated probabilities",
            hint="check that the values and their probabilities tell one consistent story",
        )
    if fixed is not None and all(f.family != fixed for f in fits):
        raise FitError(f"could not fit the {fixed} distribution the file asks for")
    chosen = fixed or min(fits, key=lambda f: f.sse).family
    return JudgementFit(tuple(fits), chosen, tuple(sts))
