"""Quadrature over u = logit p: where a Beta needs points, a density held on a grid, and
the mean over the evidence's draws of sigmoid(u + shift).

The pools (:mod:`forecast.elicit.pool`) and the comparison of pools
(:mod:`forecast.elicit.influence`) integrate with these. NumPy/SciPy only.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from forecast import special

LogDensity = Callable[[np.ndarray], np.ndarray]

_U_LIMIT = 300.0
_SHIFT_POINTS = 200


def log_sum_exp(x: np.ndarray, axis: int) -> np.ndarray:
    """log Σ exp(x) along ``axis``, stable (SciPy's ``logsumexp`` without its array-API
    checks, which cost more than the sum on the small arrays of the quadrature)."""
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x - top), axis=axis)) + np.squeeze(top, axis=axis)


_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def norm_logpdf(x: np.ndarray, sd: float) -> np.ndarray:
    """log N(x; 0, sd), as ``scipy.stats.norm.logpdf`` computes it."""
    z = np.asarray(x, dtype=float) / sd
    return np.asarray(-(z**2) / 2.0 - _LOG_SQRT_2PI - math.log(sd))


def halfnorm_logpdf(x: np.ndarray, sd: float) -> np.ndarray:
    """log HalfNormal(x; sd) for x >= 0, as ``scipy.stats.halfnorm.logpdf`` computes it."""
    z = np.asarray(x, dtype=float) / sd
    return np.asarray(0.5 * math.log(2.0 / math.pi) - z * z / 2.0 - math.log(sd))


@functools.lru_cache(maxsize=4096)
def beta_knots(a: float, b: float, n: int = 101) -> np.ndarray:
    """Points of u = logit p covering a Beta's mass: ``n`` out to its 1e-10 tails and ``n``
    within 8 sd of its centre.

    Each set is snapped to a lattice of spacing a power of two just below its own
    spacing, so experts alike share their points: the union over many experts grows with
    how different they are, not with how many (the quadrature adds a fine even grid over
    the mass on top, :meth:`LogitDensity.build`).
    """
    lo = float(special.betaincinv(a, b, 1e-10))  # the Beta's 1e-10 quantile and its mirror
    hi = float(special.betainccinv(a, b, 1e-10))
    ulo = max(_logit(lo) if lo > 0 else -_U_LIMIT, -_U_LIMIT)
    uhi = min(_logit(hi) if hi < 1 else _U_LIMIT, _U_LIMIT)
    mode_sd = math.sqrt(float(special.trigamma(a) + special.trigamma(b)))
    centre = float(special.digamma(a) - special.digamma(b))
    return np.concatenate(
        [_lattice(ulo, uhi, n), _lattice(centre - 8 * mode_sd, centre + 8 * mode_sd, n)]
    )


def _lattice(lo: float, hi: float, n: int) -> np.ndarray:
    """About ``n`` or more points from lo to hi on multiples of a power of two."""
    step = 2.0 ** math.floor(math.log2(max(hi - lo, 1e-9) / (n - 1)))
    return np.arange(math.floor(lo / step), math.ceil(hi / step) + 1) * step


def _logit(p: float) -> float:
    return math.log(p) - math.log1p(-p)


@dataclass(frozen=True)
class LogitDensity:
    """A normalised density of u = logit p held on a sorted grid (for quadrature)."""

    u: np.ndarray
    logd: np.ndarray

    @classmethod
    def build(cls, logpdf: LogDensity, knots: np.ndarray) -> LogitDensity:
        """Evaluate ``logpdf`` on the knots, refine where the mass is, and normalise."""
        knots = np.clip(knots[np.isfinite(knots)], -_U_LIMIT, _U_LIMIT)
        coarse = np.unique(np.concatenate([knots, np.linspace(-60, 60, 1201)]))
        lc = logpdf(coarse)
        top = float(np.max(lc))
        alive = coarse[lc > top - 45.0]
        lo, hi = float(alive.min()), float(alive.max())
        span = max(hi - lo, 1e-6)
        lo, hi = lo - 0.05 * span, hi + 0.05 * span
        inside = coarse[(coarse >= lo) & (coarse <= hi)]
        u = np.unique(np.concatenate([inside, np.linspace(lo, hi, 2001)]))
        logd = logpdf(u)
        return cls._normalised(u, logd)

    @classmethod
    def _normalised(cls, u: np.ndarray, logd: np.ndarray) -> LogitDensity:
        top = float(np.max(logd))
        mass = float(np.trapezoid(np.exp(logd - top), u))
        return cls(u, logd - top - math.log(mass))

    @property
    def density(self) -> np.ndarray:
        """The density of u on the grid."""
        return np.exp(self.logd)

    def reweighted(self, loglik: np.ndarray) -> LogitDensity:
        """The density times a likelihood evaluated on the grid, normalised again."""
        return self._normalised(self.u, self.logd + loglik)

    def expect(self, fn: Callable[[np.ndarray], np.ndarray]) -> float:
        """E[fn(u)]."""
        return float(np.trapezoid(fn(self.u) * self.density, self.u))

    def mean(self) -> float:
        """E[p]."""
        return self.expect(special.expit)

    def _cum(self) -> np.ndarray:
        d = self.density
        steps = 0.5 * (d[1:] + d[:-1]) * np.diff(self.u)
        cum = np.concatenate([[0.0], np.cumsum(steps)])
        return cum / cum[-1]

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(p <= x)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            ux = np.log(x) - np.log1p(-x)
        return np.interp(ux, self.u, self._cum(), left=0.0, right=1.0)

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function of p."""
        cum = self._cum()
        keep = np.concatenate([[True], np.diff(cum) > 0])
        return special.expit(np.interp(np.asarray(q, dtype=float), cum[keep], self.u[keep]))


def shift_means(
    u: np.ndarray, shifts: np.ndarray | None, weights: np.ndarray | None = None
) -> np.ndarray:
    """E[sigmoid(u + shift)] over the draws of the evidence's summed log likelihood ratio,
    at each point of ``u`` (sigmoid(u) without evidence).

    ``weights``, when given, are the shifts' probabilities (any positive numbers, the same
    shape as ``shifts``): a drivers question's shifts are every draw in every state of
    its drivers, each state with its chance at the scenario's levels.
    """
    if shifts is None or not len(shifts):
        return special.expit(u)
    s = np.asarray(shifts, dtype=float).reshape(-1)
    w: np.ndarray | None = None
    if weights is None:
        s = np.sort(s)
        if len(s) > _SHIFT_POINTS:
            # Evenly spaced order statistics stand for the draws: the error is far below
            # the draws' own Monte Carlo error, the cost a fraction.
            s = s[np.linspace(0, len(s) - 1, _SHIFT_POINTS).round().astype(int)]
    else:
        w = np.broadcast_to(np.asarray(weights, dtype=float), np.shape(shifts)).reshape(-1)
        if len(s) > _SHIFT_POINTS:
            # The same for weighted shifts: their quantiles at evenly spaced levels.
            order = np.argsort(s)
            cum = np.cumsum(w[order])
            levels = (np.arange(_SHIFT_POINTS) + 0.5) / _SHIFT_POINTS * cum[-1]
            picks = np.minimum(np.searchsorted(cum, levels), len(s) - 1)
            s, w = s[order][picks], None
        else:
            w = w / w.sum()

    def rows(block: tuple[np.ndarray, np.ndarray | None]) -> np.ndarray:
        values, probs = block
        e = special.expit(u[None, :] + values[:, None])
        return e.sum(axis=0) if probs is None else probs @ e

    # A few shifts at a time (they stay in the CPU cache) and on two threads (NumPy lets
    # go of the GIL): the same numbers, sooner.
    blocks = [
        (s[i : i + _SHIFT_BLOCK], None if w is None else w[i : i + _SHIFT_BLOCK])
        for i in range(0, len(s), _SHIFT_BLOCK)
    ]
    total = np.sum(list(_threads().map(rows, blocks)), axis=0)
    return np.asarray(total / len(s) if w is None else total)


_SHIFT_BLOCK = 16
_THREADS: list[ThreadPoolExecutor] = []


def _threads() -> ThreadPoolExecutor:
    """Two worker threads for the quadrature (made on first use)."""
    if not _THREADS:
        _THREADS.append(ThreadPoolExecutor(min(2, os.cpu_count() or 1), "forecast-quadrature"))
    return _THREADS[0]


__all__ = [
    "LogDensity",
    "LogitDensity",
    "beta_knots",
    "halfnorm_logpdf",
    "log_sum_exp",
    "norm_logpdf",
    "shift_means",
]
