"""Densities of a quantity on a quadrature grid, in a coordinate where they are smooth.

The grid is uniform in ``u``: the value itself on the real line, log(x - lower) above a
lower bound, logit((x - lower) / (upper - lower)) on a bounded support, so a right-
skewed amount or a mass near a bound is resolved as finely as the middle. Integrals
are trapezoid sums in ``u`` with the Jacobian dx/du.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, special

from forecast.kinds.quantity.families import Support

GRID_POINTS = 20001


class Density(Protocol):
    """What the pools, the data update and the summary need of a distribution."""

    def cdf(self, x: ArrayLike) -> np.ndarray: ...

    def ppf(self, q: ArrayLike) -> np.ndarray: ...

    def logpdf(self, x: ArrayLike) -> np.ndarray: ...


def to_u(support: Support, x: ArrayLike) -> np.ndarray:
    """The grid coordinate of ``x``."""
    x = np.asarray(x, dtype=float)
    if support.name == "real":
        return x
    if support.name == "positive":
        return np.log(x - support.lower)
    return np.asarray(special.logit((x - support.lower) / (support.upper - support.lower)))


def from_u(support: Support, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` at ``u`` and log dx/du."""
    if support.name == "real":
        return u, np.zeros_like(u)
    if support.name == "positive":
        return support.lower + np.exp(u), u
    width = support.upper - support.lower
    s = special.expit(u)
    return support.lower + width * s, math.log(width) + np.log(s) + np.log1p(-s)


def span(support: Support, dists: Sequence[Density], tail: float = 1e-6) -> tuple[float, float]:
    """A range of ``u`` holding all but ``tail`` of each distribution, on both sides."""
    lows = [float(to_u(support, d.ppf(tail))) for d in dists]
    highs = [float(to_u(support, d.ppf(1 - tail))) for d in dists]
    lo, hi = min(lows), max(highs)
    lo = lo if math.isfinite(lo) else min(v for v in lows + highs if math.isfinite(v)) - 30
    hi = hi if math.isfinite(hi) else max(v for v in lows + highs if math.isfinite(v)) + 30
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


@dataclass(frozen=True)
class GridDensity:
    """A normalised density tabulated on a grid uniform in ``u``."""

    support: Support
    u: np.ndarray
    x: np.ndarray
    weight: np.ndarray
    """density in ``u`` at each grid point (integrates to 1 by the trapezoid rule)."""

    @classmethod
    def from_logpdf(
        cls,
        support: Support,
        lo: float,
        hi: float,
        logpdf: Callable[[np.ndarray], np.ndarray],
        n: int = GRID_POINTS,
    ) -> GridDensity:
        """Normalise ``exp(logpdf(x))`` on ``n`` points from ``u = lo`` to ``hi``."""
        u = np.linspace(lo, hi, n)
        x, log_jac = from_u(support, u)
        log_w = np.asarray(logpdf(x), dtype=float) + log_jac
        log_w = np.where(np.isfinite(log_w), log_w, -np.inf)
        top = float(np.max(log_w))
        if not math.isfinite(top):
            raise ValueError("the density is zero everywhere on the grid")
        w = np.exp(log_w - top)
        w /= integrate.trapezoid(w, u)
        return cls(support, u, x, w)

    @property
    def _cum(self) -> np.ndarray:
        c = integrate.cumulative_trapezoid(self.weight, self.u, initial=0.0)
        return np.asarray(c / c[-1])

    def total(self) -> float:
        """The integral of the density (1 up to rounding)."""
        return float(integrate.trapezoid(self.weight, self.u))

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(X <= x), interpolated in ``u``."""
        x = np.asarray(x, dtype=float)
        inside = (x > self.support.lower) & (x < self.support.upper)
        safe = np.where(inside, x, self.x[len(self.x) // 2])
        out = np.interp(to_u(self.support, safe), self.u, self._cum, left=0.0, right=1.0)
        return np.where(inside, out, np.where(x >= self.support.upper, 1.0, 0.0))

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        return 1.0 - self.cdf(x)

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function, by inverting the tabulated CDF."""
        cum = self._cum
        keep = np.concatenate([[True], np.diff(cum) > 0])
        u = np.interp(np.asarray(q, dtype=float), cum[keep], self.u[keep])
        return from_u(self.support, np.asarray(u))[0]

    def logpdf(self, x: ArrayLike) -> np.ndarray:
        """The log density in ``x``, interpolated."""
        x = np.asarray(x, dtype=float)
        inside = (x > self.support.lower) & (x < self.support.upper)
        safe = np.where(inside, x, self.x[len(self.x) // 2])
        u = to_u(self.support, safe)
        _, log_jac = from_u(self.support, u)
        with np.errstate(divide="ignore"):
            log_w = np.log(np.interp(u, self.u, self.weight, left=0.0, right=0.0))
        return np.where(inside, log_w - log_jac, -np.inf)

    def expect(self, f: Callable[[np.ndarray], np.ndarray]) -> float:
        """E[f(X)] by quadrature."""
        return float(integrate.trapezoid(self.weight * f(self.x), self.u))
