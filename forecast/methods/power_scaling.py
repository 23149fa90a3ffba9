"""Power-scaling sensitivity of a posterior held on a grid, by quadrature (no draws).

A posterior on the nodes of a grid is a set of weights; raising its prior or its
likelihood to a power alpha multiplies each weight by exp((alpha - 1) · log density) at
its node and normalises again, exactly: nothing is resampled, so there is no Pareto k
to check, only whether the grid still covers the power-scaled posterior (its mass at the
grid's two ends).

The sensitivity of a quantity is the one ArviZ's ``psense_summary`` reports
(Kallioinen et al. 2024): the cumulative Jensen-Shannon distance between the quantity's
distribution and its power-scaled one at alpha 0.99 and 1.01, its gradient in log2
alpha, the larger of the distances of x and of -x. ArviZ computes it from draws, on
their empirical CDFs over the range the draws span; here it is computed on the exact
CDFs over the range S draws span on average (the quantiles 1/(S + 1) and S/(S + 1)),
so the two estimate the same number and the grid's has no Monte Carlo error.

Everything is NumPy: any kind whose posterior is a grid (the event's logit p, a
time-to-event question's grid) can use :func:`scaled`, :func:`sense` and
:class:`GridQuantity`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ALPHAS = (0.99, 1.01)
"""The powers the sensitivity's gradient is taken between (ArviZ's ``psense`` defaults)."""

EDGE_MASS = 1e-9
"""The most mass a power-scaled posterior may put on the grid's end nodes and still be
said to be covered by the grid."""


def scaled(weights: np.ndarray, log_density: np.ndarray, alpha: float) -> np.ndarray:
    """The grid's weights with ``log_density`` (per node) raised to ``alpha``, normalised."""
    lw = np.log(np.asarray(weights, dtype=float)) + (alpha - 1.0) * np.asarray(log_density)
    with np.errstate(invalid="ignore"):
        w = np.exp(lw - np.max(lw[np.isfinite(lw)]))
    w = np.where(np.isfinite(w), w, 0.0)
    return np.asarray(w / w.sum())


def covered(weights: np.ndarray) -> bool:
    """True when normalised ``weights`` leave next to no mass on the grid's end nodes."""
    return bool(weights[0] + weights[-1] <= EDGE_MASS)


def node_cdf(weights: np.ndarray) -> np.ndarray:
    """The CDF at the nodes of a density whose trapezoid weights (of an even grid) are
    ``weights`` (along the first axis): each cell's mass by the cubic through the four
    nearest nodes (the trapezoid rule in the two end cells, where the density is nil)."""
    d = np.array(weights, dtype=float)
    d[[0, -1]] *= 2.0
    cells = 0.5 * (d[1:] + d[:-1])
    if len(d) >= 4:
        cells[1:-1] -= (d[:-3] - d[1:-2] - d[2:-1] + d[3:]) / 24.0
    cum = np.concatenate([np.zeros((1, *d.shape[1:])), np.cumsum(cells, axis=0)])
    return np.asarray(cum / cum[-1])


@dataclass(frozen=True)
class GridQuantity:
    """A posterior quantity whose CDF, at increasing ``values``, is a function of the
    grid's weights (``cdf(weights)``)."""

    name: str
    values: np.ndarray
    cdf: Callable[[np.ndarray], np.ndarray]

    @classmethod
    def monotone(cls, name: str, values: np.ndarray) -> GridQuantity:
        """A quantity that is an increasing function of the node (its value at each)."""
        return cls(name, np.asarray(values, dtype=float), node_cdf)

    @classmethod
    def kernel(cls, name: str, values: np.ndarray, kernel: np.ndarray) -> GridQuantity:
        """A quantity with P(quantity <= values[j] | node i) = ``kernel[j, i]``."""
        k = np.asarray(kernel, dtype=float)
        return cls(name, np.asarray(values, dtype=float), lambda w: np.asarray(k @ w))

    @classmethod
    def plus_normal(
        cls,
        name: str,
        x: np.ndarray,
        mu: float,
        sigma: float,
        normal_cdf: Callable[[np.ndarray], np.ndarray],
        transform: Callable[[np.ndarray], np.ndarray] = np.asarray,
        pad: float = 9.0,
    ) -> GridQuantity:
        """transform(x + S), S ~ Normal(mu, sigma) independent of the node x, on an even
        grid ``x``: its CDF at t_j = x_0 + mu + j h (h the grid's spacing, out to ``pad``
        sigma past either end) is a discrete convolution of the weights with
        Φ(k h / sigma), so it costs one ``normal_cdf`` per lag, not per pair."""
        x = np.asarray(x, dtype=float)
        n, h = len(x), float(x[1] - x[0])
        extra = math.ceil(pad * sigma / h)
        j = np.arange(-extra, n + extra)
        lags = np.arange(j[0] - (n - 1), j[-1] + 1)
        kern = np.asarray(normal_cdf(lags * h / sigma))
        t = x[0] + mu + j * h
        return cls(name, np.asarray(transform(t), dtype=float), lambda w: convolve_valid(w, kern))


def convolve_valid(w: np.ndarray, kern: np.ndarray) -> np.ndarray:
    """Σ_i w_i kern[m - i] for every m at which all of ``w`` overlaps ``kern``."""
    if w.size * kern.size <= 4_000_000:
        return np.asarray(np.convolve(w, kern, mode="valid"))
    size = 1 << (w.size + kern.size - 1).bit_length()
    full = np.fft.irfft(np.fft.rfft(w, size) * np.fft.rfft(kern, size), size)
    return np.asarray(np.clip(full[w.size - 1 : kern.size], 0.0, 1.0))


def _integral(f: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(x)))


def cjs_distance(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """The cumulative Jensen-Shannon distance between CDFs ``p`` and ``q`` at ``x``
    (ArviZ's ``_cjs_dist`` of draws, with the CDFs' integrals by the trapezoid rule)."""
    m = 0.5 * (p + q)

    def xlog2(a: np.ndarray) -> np.ndarray:
        return np.where(a > 0, a * np.log2(np.where(a > 0, a, 1.0)), 0.0)

    def cross(a: np.ndarray) -> np.ndarray:
        return np.where(a > 0, a * np.log2(np.where(m > 0, m, 1.0)), 0.0)

    ip, iq = _integral(p, x), _integral(q, x)
    # Each term's integrand whole (it is second order in q - p), not as ArviZ sums it
    # (two first-order integrals that nearly cancel), so the quadrature error stays small.
    pq = _integral(xlog2(p) - cross(p) + (q - p) / (2 * math.log(2)), x)
    qp = _integral(xlog2(q) - cross(q) + (p - q) / (2 * math.log(2)), x)
    bound = ip + iq
    return math.sqrt((max(pq, 0.0) + max(qp, 0.0)) / bound) if bound > 0 else 0.0


def draws_range(quantity: GridQuantity, weights: np.ndarray, draws: int) -> tuple[float, float]:
    """Where ``draws`` draws of the quantity lie on average: its quantiles 1/(S + 1) and
    S/(S + 1) under ``weights``."""
    cdf = quantity.cdf(weights)
    keep = np.concatenate([[True], np.diff(cdf) > 0])
    ends = np.array([1.0, float(draws)]) / (draws + 1.0)
    lo, hi = np.interp(ends, cdf[keep], quantity.values[keep])
    return float(lo), float(hi)


def _restricted(x: np.ndarray, cdfs: list[np.ndarray], lo: float, hi: float) -> list[np.ndarray]:
    """The points of ``x`` inside [lo, hi] with both ends, and each CDF there."""
    inner = x[(x > lo) & (x < hi)]
    pts = np.concatenate([[lo], inner, [hi]])
    return [pts] + [np.interp(pts, x, c) for c in cdfs]


def sense(
    quantity: GridQuantity, weights: np.ndarray, log_density: np.ndarray, draws: int
) -> float:
    """Power-scaling sensitivity of ``quantity`` to ``log_density`` (per node), as
    ArviZ's ``power_scale_sense`` defines it for ``draws`` draws (see the module doc)."""
    if not np.ptp(quantity.values) > 0 or not np.ptp(log_density) > 0:
        return 0.0
    lo, hi = draws_range(quantity, weights, draws)
    if not hi > lo:
        return 0.0
    base = quantity.cdf(weights)
    grads = []
    for alpha in ALPHAS:
        other = quantity.cdf(scaled(weights, log_density, alpha))
        x, p, q = _restricted(quantity.values, [base, other], lo, hi)
        dist = max(cjs_distance(p, q, x), cjs_distance(1.0 - p, 1.0 - q, x))
        grads.append(dist / abs(math.log2(alpha)))
    return float(np.mean(grads))


__all__ = [
    "ALPHAS",
    "EDGE_MASS",
    "GridQuantity",
    "cjs_distance",
    "convolve_valid",
    "covered",
    "draws_range",
    "node_cdf",
    "scaled",
    "sense",
]
