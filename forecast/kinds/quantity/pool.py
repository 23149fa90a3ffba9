"""Pools of experts' fitted distributions of a quantity.

* ``linear``: the weighted mixture (SHELF's linear pool); its CDF and density are
  exact, its quantiles found by bisection.
* ``logarithmic``: the normalised weighted product, prod f_i(x)^w_i / Z with weights
  summing to 1. It is always a proper density (by the inequality of arithmetic and
  geometric means it lies below the mixture), tabulated by quadrature
  (:class:`~forecast.kinds.quantity.grid.GridDensity`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.grid import GridDensity, span


def normalise(weights: Sequence[float]) -> tuple[float, ...]:
    """Weights summing to 1 (equal when all are zero)."""
    total = float(sum(weights))
    if total <= 0:
        return tuple(1.0 / len(weights) for _ in weights)
    return tuple(float(w) / total for w in weights)


@dataclass(frozen=True)
class LinearPool:
    """The weighted mixture of the experts' distributions."""

    components: tuple[Dist, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.components) != len(self.weights) or not self.components:
            raise ValueError("a pool needs one weight per expert and at least one expert")
        object.__setattr__(self, "weights", normalise(self.weights))

    @property
    def support(self) -> Support:
        """The support the experts share."""
        return self.components[0].support

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """The weighted mean of the experts' CDFs."""
        parts = [w * d.cdf(x) for w, d in zip(self.weights, self.components, strict=True)]
        return np.asarray(np.sum(parts, axis=0))

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        return 1.0 - self.cdf(x)

    def logpdf(self, x: ArrayLike) -> np.ndarray:
        """log sum w_i f_i(x)."""
        parts = [
            math.log(w) + np.asarray(d.logpdf(x), dtype=float)
            for w, d in zip(self.weights, self.components, strict=True)
            if w > 0
        ]
        return special.logsumexp(np.stack(parts), axis=0)

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function: the mixture's CDF inverted by bisection between the
        experts' own quantiles (which bracket it), every level at once, to 1e-12 of the
        value."""
        kept = [d for w, d in zip(self.weights, self.components, strict=True) if w > 0]
        if len(kept) == 1:
            return kept[0].ppf(q)
        qs = np.asarray(q, dtype=float).reshape(-1)
        each = np.stack([np.asarray(d.ppf(qs), dtype=float) for d in kept])
        lo, hi = each.min(axis=0), each.max(axis=0)
        open_ = np.isfinite(lo) & np.isfinite(hi) & (hi > lo)
        a, b = np.where(open_, lo, 0.0), np.where(open_, hi, 0.0)
        for _ in range(200):
            if not np.any(b - a > 1e-12 * np.maximum(1.0, np.abs(b))):
                break
            mid = 0.5 * (a + b)
            below = np.asarray(self.cdf(mid)) < qs
            a, b = np.where(below, mid, a), np.where(below, b, mid)
        out = np.where(open_, 0.5 * (a + b), lo)
        return out.reshape(np.shape(q))


def log_pool(components: Sequence[Dist], weights: Sequence[float]) -> GridDensity:
    """The normalised weighted product of the experts' densities, by quadrature."""
    w = normalise(weights)
    kept = [(wi, d) for wi, d in zip(w, components, strict=True) if wi > 0]
    support = components[0].support
    lo, hi = span(support, [d for _, d in kept])

    def logpdf(x: np.ndarray) -> np.ndarray:
        return np.asarray(sum(wi * np.asarray(d.logpdf(x), dtype=float) for wi, d in kept))

    return GridDensity.from_logpdf(support, lo, hi, logpdf)


def pooled(
    method: str, components: Sequence[Dist], weights: Sequence[float]
) -> LinearPool | GridDensity:
    """The pool ``method`` (``linear`` or ``logarithmic``) of the experts' distributions."""
    if method == "logarithmic" and len(components) > 1:
        return log_pool(components, weights)
    return LinearPool(tuple(components), tuple(weights))
