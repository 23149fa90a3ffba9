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
from functools import cached_property
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

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
        return cls.of_log(support, u, np.asarray(logpdf(x), dtype=float) + log_jac, x)

    @classmethod
    def of_log(
        cls, support: Support, u: np.ndarray, log_w: np.ndarray, x: np.ndarray | None = None
    ) -> GridDensity:
        """Normalise the density whose log in ``u`` is ``log_w`` at the points ``u``."""
        log_w = np.where(np.isfinite(log_w), log_w, -np.inf)
        top = float(np.max(log_w))
        if not math.isfinite(top):
            raise ValueError("the density is zero everywhere on the grid")
        w = np.exp(log_w - top)
        w /= np.trapezoid(w, u)
        return cls(support, u, from_u(support, u)[0] if x is None else x, w)

    @cached_property
    def _cum(self) -> np.ndarray:
        """The CDF at the points: trapezoid sums with the Euler-Maclaurin end correction
        (-h^2/12 times the change of the density's slope), accurate to O(h^4); the plain
        sums where the correction would make it decrease."""
        w, u = self.weight, self.u
        c = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(u))])
        if len(u) > 2:
            h = float(u[1] - u[0])
            slope = np.gradient(w, u)
            better = c - h * h / 12 * (slope - slope[0])
            if np.all(np.diff(better) >= 0) and better[-1] > 0:
                c = better
        return np.asarray(c / c[-1])

    @property
    def cdf_points(self) -> np.ndarray:
        """P(X <= x) at the grid's points."""
        return self._cum

    def total(self) -> float:
        """The integral of the density (1 up to rounding)."""
        return float(np.trapezoid(self.weight, self.u))

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(X <= x), interpolated in ``u``."""
        x = np.asarray(x, dtype=float)
        inside = (x > self.support.lower) & (x < self.support.upper)
        safe = np.where(inside, x, self.x[len(self.x) // 2])
        out = self._cdf_u(np.asarray(to_u(self.support, safe), dtype=float))
        return np.where(inside, out, np.where(x >= self.support.upper, 1.0, 0.0))

    def _cdf_u(self, v: np.ndarray) -> np.ndarray:
        """P(U <= v): the exact integral of the density interpolated linearly between
        points, so the CDF is consistent with the trapezoid sums at the points."""
        u, w, cum = self.u, self.weight, self._cum
        i = np.clip(np.searchsorted(u, v, side="right") - 1, 0, len(u) - 2)
        h = u[i + 1] - u[i]
        s = np.clip(v - u[i], 0.0, h)
        part = s * w[i] + s * s * (w[i + 1] - w[i]) / (2 * h)
        whole = h * (w[i] + w[i + 1]) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(whole > 0, part / whole, 0.0)
        out = cum[i] + (cum[i + 1] - cum[i]) * frac
        return np.where(v < u[0], 0.0, np.where(v >= u[-1], 1.0, out))

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        return 1.0 - self.cdf(x)

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function, by inverting the tabulated CDF."""
        return from_u(self.support, self._ppf_u(np.asarray(q, dtype=float)))[0]

    def _ppf_u(self, q: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`_cdf_u`: a quadratic solved in the cell holding ``q``."""
        u, w, cum = self.u, self.weight, self._cum
        i = np.clip(np.searchsorted(cum, q, side="left") - 1, 0, len(u) - 2)
        h = u[i + 1] - u[i]
        whole = h * (w[i] + w[i + 1]) / 2
        step = cum[i + 1] - cum[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.clip(np.where(step > 0, (q - cum[i]) / step, 0.0), 0.0, 1.0)
            a = (w[i + 1] - w[i]) / (2 * h)
            root = np.sqrt(np.maximum(w[i] ** 2 + 4 * a * r * whole, 0.0))
            s = np.where(w[i] + root > 0, 2 * r * whole / (w[i] + root), r * h)
        return np.asarray(u[i] + np.clip(s, 0.0, h))

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
        return float(np.trapezoid(self.weight * f(self.x), self.u))
