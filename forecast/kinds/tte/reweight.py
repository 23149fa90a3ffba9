"""Another prior, or the data counted otherwise, by reweighting the quadrature grid.

A change of the experts' pool, an expert left out, or the prior or the passed history
raised to a power changes only the density of (a, b), not P(by a date) at a point: the
forecast under the change is the grid's points reweighted by the ratio of the two
densities, with P at each point (:meth:`~forecast.kinds.tte.grid.TteGrid.point_values`)
computed once. Nothing is sampled, so there is no Pareto k: a row is marked rough when
the reweighted posterior keeps more than :data:`EDGE` of its mass on the grid's edges
(the grid would be missing part of it).

The power-scaling sensitivities (ArviZ's ``psense``: the cumulative Jensen–Shannon
distance between the posterior and the posterior with the prior or the likelihood
raised to 0.99 and to 1.01, as a derivative in log2 of the power) are computed on the
same weighted points in place of draws: each quantity's exact CDF, base and reweighted,
integrated by the trapezoid rule, over the range ArviZ's estimate would span with the
run's number of draws S (from the posterior's 1/(S+1) to its S/(S+1) quantile). On the
grid's spacing that is within 1% of the exact value (a test checks it against SciPy's
``quad`` on Beta CDFs), against the 5 to 20% Monte Carlo error of the estimate from 4,000
draws; the threshold it is compared with is 0.05.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from forecast.elicit.pool import Comparison, LogDensity, PoolSpec, pooled_logpdf
from forecast.elicit.swap import alternatives
from forecast.kinds.tte.draws import Draws
from forecast.kinds.tte.grid import TteGrid
from forecast.kinds.tte.model import TteInputs

EDGE = 1e-9
"""The most mass a reweighted posterior may keep on the grid's edges for a trusted row."""

NODES_PER_DIM = 4
"""Gauss–Hermite nodes per uncertain driver ratio for the forecast's distribution."""

ROUGH = "the grid misses part of the reweighted posterior"

_ALPHAS = (0.99, 1.01)  # ArviZ's psense powers


def grid_draws(grid: TteGrid) -> Draws:
    """Every point of the grid as a 'draw' (a, b) of the model's parameters, shaped as
    the grid, for the kind's log densities."""
    aa, bb = np.meshgrid(grid.a, grid.b, indexing="ij")
    if grid.density.form == "hazard":
        aa, bb = np.exp(aa), np.exp(bb)
    return Draws(aa, bb, np.zeros((*aa.shape, 0)))


class Reweighted:
    """The grid's posterior reweighted by exp(``log_ratio``) at each point."""

    def __init__(self, grid: TteGrid, log_ratio: np.ndarray) -> None:
        lr = np.broadcast_to(np.asarray(log_ratio, dtype=float), grid.weights.shape)
        with np.errstate(divide="ignore"):
            lw = np.log(grid.weights) + lr
        finite = lw[np.isfinite(lw)]
        w = np.exp(lw - (finite.max() if finite.size else 0.0))
        w = np.where(np.isfinite(w), w, 0.0)
        w = w / w.sum()
        edges = w[[0, -1], :].sum() + (w[1:-1, [0, -1]].sum() if w.shape[1] > 1 else 0.0)
        self.weights = w
        self.reliable = bool(edges <= EDGE)

    def at_alive(self, grid: TteGrid) -> np.ndarray:
        """The weights at :attr:`~forecast.kinds.tte.grid.TteGrid.alive`, summing to 1."""
        w = self.weights.reshape(-1)[grid.alive]
        return np.asarray(w / w.sum())

    def mean(self, grid: TteGrid, values: np.ndarray) -> float:
        """E[values] (one per alive point) under the reweighted posterior."""
        return float(values @ self.at_alive(grid))


def pools(inputs: TteInputs, grid: TteGrid, values: np.ndarray, reference: float) -> Comparison:
    """Each pool method and each expert left out, by reweighting the grid in ``a`` =
    logit q; ``values``: P(by the deadline) at the alive points."""
    spec = PoolSpec()
    used, _ = pooled_logpdf(inputs.experts, inputs.weights, spec)
    base = np.asarray(used(grid.a), dtype=float)[:, None]

    def row(logpdf: LogDensity) -> tuple[float, str | None]:
        r = Reweighted(grid, np.asarray(logpdf(grid.a), dtype=float)[:, None] - base)
        return r.mean(grid, values), None if r.reliable else ROUGH

    return alternatives(inputs.expert_names, inputs.experts, inputs.weights, spec, reference, row)


# -- power-scaling sensitivity -------------------------------------------------------


def _trapezoid(x: np.ndarray, f: np.ndarray) -> float:
    return float(np.sum(np.diff(x) * (f[1:] + f[:-1])) / 2.0)


def _cjs(x: np.ndarray, p: np.ndarray, q: np.ndarray, lo: float, hi: float) -> float:
    """ArviZ's cumulative Jensen–Shannon distance between the distributions with
    weights ``p`` and ``q`` on the distinct increasing values ``x``, over [lo, hi]; each
    CDF at an atom counts half the atom's own weight (the trapezoid rule's CDF)."""
    fp = np.cumsum(p) - p / 2
    fq = np.cumsum(q) - q / 2
    inside = (x >= lo) & (x <= hi)
    x, fp, fq = x[inside], fp[inside], fq[inside]
    if x.size < 2:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        lm = np.log2(0.5 * (fp + fq))
        pq = np.where(fp > 0, fp * (np.log2(fp) - lm), 0.0)
        qp = np.where(fq > 0, fq * (np.log2(fq) - lm), 0.0)
    ip, iq = _trapezoid(x, fp), _trapezoid(x, fq)
    half = 0.5 / math.log(2.0)
    cjs_pq = max(0.0, _trapezoid(x, pq) + half * (iq - ip))
    cjs_qp = max(0.0, _trapezoid(x, qp) + half * (ip - iq))
    bound = ip + iq
    return math.sqrt((cjs_pq + cjs_qp) / bound) if bound > 0 else 0.0


def sense(
    values: np.ndarray, base: np.ndarray, log_densities: Sequence[np.ndarray], draws: int
) -> list[float]:
    """ArviZ's power-scaling sensitivity of a quantity to each of ``log_densities``,
    with the posterior's exact CDF in place of the draws' (``values``, the ``base``
    weights and each log density per atom; ``draws``: S, which sets the range)."""
    v = np.asarray(values, dtype=float).reshape(-1)
    w = np.asarray(base, dtype=float).reshape(-1)
    keep = w > 0
    v, w = v[keep], w[keep]
    if not np.ptp(v) > 0:  # a constant quantity moves with nothing
        return [0.0] * len(log_densities)
    x, inverse = np.unique(v, return_inverse=True)
    p = np.bincount(inverse, weights=w, minlength=x.size)
    p = p / p.sum()
    cdf = np.cumsum(p) - p / 2
    lo = float(np.interp(1.0 / (draws + 1), cdf, x))
    hi = float(np.interp(draws / (draws + 1), cdf, x))
    out = []
    for log_density in log_densities:
        ld = np.asarray(log_density, dtype=float).reshape(-1)[keep]
        grads = []
        for alpha in _ALPHAS:
            lw = np.log(w) + (alpha - 1.0) * ld
            t = np.exp(lw - lw.max())
            q = np.bincount(inverse, weights=t, minlength=x.size)
            q = q / q.sum()
            # ArviZ takes the larger of the distances of x and of -x
            d = max(_cjs(x, p, q, lo, hi), _cjs(-x[::-1], p[::-1], q[::-1], -hi, -lo))
            grads.append(d / abs(math.log2(alpha)))
        out.append(float(sum(grads) / 2))
    return out


def forecast_atoms(
    grid: TteGrid, levels: Sequence[float], upto: tuple[int, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(by the date ``upto`` describes) at every alive point and Gauss–Hermite node of
    the drivers' log ratios (:data:`NODES_PER_DIM` a dimension), as (points, nodes)
    values, the nodes' weights, and the points' flat indices in the grid."""
    a, b, _ = grid._alive
    sh = grid.shifts(levels, NODES_PER_DIM)
    p = grid.density.by(a[:, None, None], b[:, None, None], sh.shift[None, :, :], upto)
    return np.asarray(p @ sh.state_weights), sh.node_weights, grid.alive


__all__ = ["EDGE", "ROUGH", "Reweighted", "forecast_atoms", "grid_draws", "pools", "sense"]
