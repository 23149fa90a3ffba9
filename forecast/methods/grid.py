"""Deterministic quadrature of the event posterior: a grid in logit p, Gauss–Hermite
over the evidence.

No data touch the evidence's log likelihood ratios, so under the posterior they stay
independent of the propensity and Normal: their sum S is Normal(μ_S, σ_S) plus the fixed
items. What remains is one dimension, u = logit of the pooled propensity (two for the
hierarchical pool, whose between-expert spread is integrated on the same kind of grid
and summed out). The density is :class:`~forecast.methods.event_density.EventDensity`,
the model's own.

* The grid: where the log density is within 46 nats of its peak (scanned on a coarse
  grid out to |u| = 300), evenly spaced at a tenth of the narrowest scale or finer. The
  trapezoid rule on an even grid over a smooth density that vanishes at both ends
  converges faster than any power of the spacing.
* E[q] = Σ_i w_i E_S[sigmoid(x_i + S)], the inner mean by Gauss–Hermite.
* The error estimate: the same numbers on a grid half as fine with half the
  Gauss–Hermite nodes (every other point of the grid used), compared with the full one.
* Quantiles of q by root finding on its CDF, Σ_i w_i Φ((t - x_i - μ_S) / σ_S) in
  t = logit q; draws by inverse CDF, stratified.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from forecast import special
from forecast.methods.event_density import EventDensity
from forecast.methods.roots import bracketed

GH_NODES = 64
"""Gauss–Hermite nodes for the evidence's summed log likelihood ratio (twice as many
on the fine grid)."""

_ALIVE = 46.0
_U_LIMIT = 300.0
_MIN_POINTS = 1001
_MAX_POINTS = 200_001


@functools.lru_cache(maxsize=8)
def hermgauss(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """NumPy's Gauss–Hermite nodes and weights (each set computed once: an eigenproblem)."""
    t, w = np.polynomial.hermite.hermgauss(nodes)
    t.setflags(write=False)
    w.setflags(write=False)
    return t, w


@dataclass(frozen=True)
class Shift:
    """The evidence's summed log likelihood ratio: Normal(mu, sigma) plus fixed items."""

    mu: float
    sigma: float

    @classmethod
    def of(cls, density: EventDensity, items: int | None = None) -> Shift:
        """The sum over the first ``items`` uncertain items (all when None), plus fixed."""
        mu, sd = density.llr_mu[:items], density.llr_sigma[:items]
        return cls(float(density.fixed_llr + mu.sum()), float(math.sqrt(np.sum(sd**2))))


def _trapezoid(logd: np.ndarray, axis: int = 0) -> np.ndarray:
    """Trapezoid weights (unnormalised, in units of the spacing) of an even grid."""
    return _halve_ends(np.exp(logd - np.max(logd)), axis)


def _halve_ends(d: np.ndarray, axis: int) -> np.ndarray:
    d = np.moveaxis(np.array(d, dtype=float), axis, 0)
    d[0] *= 0.5
    d[-1] *= 0.5
    return np.moveaxis(d, 0, axis)


def _alive_span(coarse: np.ndarray, logd: np.ndarray) -> tuple[float, float]:
    """The coarse points where the density lives, widened by one coarse step each side."""
    alive = np.flatnonzero(logd > np.max(logd) - _ALIVE)
    lo = coarse[max(int(alive[0]) - 1, 0)]
    hi = coarse[min(int(alive[-1]) + 1, len(coarse) - 1)]
    return float(lo), float(hi)


def _coarse(centres: np.ndarray, sds: np.ndarray) -> np.ndarray:
    """A coarse scan of u: everywhere to |u| = 300, finely around each component."""
    parts = [np.linspace(-_U_LIMIT, _U_LIMIT, 6001)]
    parts += [np.linspace(c - 12 * s, c + 12 * s, 241) for c, s in zip(centres, sds, strict=False)]
    pts = np.unique(np.concatenate(parts))
    return pts[np.abs(pts) <= _U_LIMIT]


def _even(lo: float, hi: float, scale: float) -> np.ndarray:
    """An even grid from lo to hi with spacing at most ``scale`` / 10, an odd count of
    points (so that every other point is a grid twice as coarse)."""
    n = int(np.clip(math.ceil((hi - lo) / (scale / 10.0)), _MIN_POINTS - 1, _MAX_POINTS - 1))
    n += n % 2
    return np.linspace(lo, hi, n + 1)


@dataclass(frozen=True)
class GridPosterior:
    """The posterior of x = logit p on an even grid, and the evidence's shift."""

    x: np.ndarray
    weights: np.ndarray
    """Normalised trapezoid weights of the posterior density at ``x`` (sum 1)."""
    density: EventDensity
    nodes: int = GH_NODES
    coarse_weights: np.ndarray | None = None
    """The weights on every other point when they are not those of the fine grid's
    points (the hierarchical pool, whose spread's grid is halved too)."""
    spread: np.ndarray | None = None
    """The hierarchical pool: the even grid of the log spread t that is summed out."""

    @classmethod
    def of(cls, density: EventDensity) -> GridPosterior:
        """The fine grid of ``density``'s posterior."""
        if density.hierarchical:
            return cls._hierarchical(density)
        sds = density.logit_sds()
        centres = density.logit_centres()
        if density.base_rate is not None:
            k, n, wt = density.base_rate
            centre = math.log((wt * k + 1.0) / (wt * (n - k) + 1.0)) / density.extremize
            centres = np.append(centres, centre)
        coarse = _coarse(centres, sds)
        lo, hi = _alive_span(coarse, density.pool_logp(coarse) + density.base_rate_logp(coarse))
        u = _even(lo, hi, float(np.min(sds)))
        w = _trapezoid(np.asarray(density.pool_logp(u) + density.base_rate_logp(u)))
        return cls(density.logit_p(u), w / w.sum(), density, 2 * GH_NODES)

    @classmethod
    def _hierarchical(cls, density: EventDensity) -> GridPosterior:
        """The shared log-odds mu on a grid, the log spread t summed out on another."""
        sd = float(density.logit_sds()[0])
        mu_c = _coarse(density.logit_centres(), np.full(len(density.logit_centres()), sd))
        mu_c = mu_c[np.abs(mu_c) <= 40.0]
        t_c = np.linspace(-45.0, 5.0, 501)
        logd = density.pool_logp(mu_c[:, None], t_c[None, :]) + density.base_rate_logp(
            mu_c[:, None]
        )
        mlo, mhi = _alive_span(mu_c, logd.max(axis=1))
        tlo, thi = _alive_span(t_c, logd.max(axis=0))
        mu = _even(mlo, mhi, sd)
        t = np.linspace(tlo, thi, 321)
        full = density.pool_logp(mu[:, None], t[None, :]) + density.base_rate_logp(mu[:, None])
        w = _halve_ends(_trapezoid(full, axis=0), axis=1).sum(axis=1)
        half = full[::2, ::2]
        wc = _halve_ends(_trapezoid(half, axis=0), axis=1).sum(axis=1)
        return cls(density.logit_p(mu), w / w.sum(), density, 2 * GH_NODES, wc / wc.sum(), t)

    def coarser(self) -> GridPosterior:
        """The same posterior on every other grid point, with half the nodes."""
        # Even grids of odd size: every other point keeps both ends, halved alike.
        w = self.weights[::2] if self.coarse_weights is None else self.coarse_weights
        spread = None if self.spread is None else self.spread[::2]
        return GridPosterior(self.x[::2], w / w.sum(), self.density, self.nodes // 2, None, spread)

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """The unnormalised log density of x = logit p anywhere (the spread summed out on
        its grid for the hierarchical pool)."""
        d = self.density
        u = np.asarray(x, dtype=float) / d.extremize
        if self.spread is None:
            return np.asarray(d.pool_logp(u) + d.base_rate_logp(u))
        t = self.spread
        lw = np.log(_halve_ends(np.ones_like(t), 0))
        joint = d.pool_logp(u[..., None], t) + lw
        return np.asarray(special.logsumexp(joint, axis=-1) + d.base_rate_logp(u))

    @cached_property
    def _top(self) -> float:
        return float(np.max(self.log_density(self.x)))

    def _gauss(self, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
        """∫ from a to b of the (scaled) density, Gauss–Legendre with ``n`` nodes, each pair."""
        z, wz = np.polynomial.legendre.leggauss(n)
        mid, half = (a + b) / 2, (b - a) / 2
        vals = np.exp(self.log_density(mid[:, None] + half[:, None] * z) - self._top)
        return np.asarray((vals @ wz) * half)

    @cached_property
    def _cells(self) -> np.ndarray:
        """The CDF of x at the grid points, each cell's mass by 4-point Gauss–Legendre."""
        cells = self._gauss(self.x[:-1], self.x[1:], 4)
        return np.concatenate([[0.0], np.cumsum(cells)])

    def cdf_x(self, t: float) -> float:
        """P(x <= t), to the precision of the quadrature (no interpolation)."""
        if t <= self.x[0]:
            return 0.0
        if t >= self.x[-1]:
            return 1.0
        j = int(np.searchsorted(self.x, t, side="right")) - 1
        part = self._gauss(np.array([self.x[j]]), np.array([t]), 8)[0]
        return float((self._cells[j] + part) / self._cells[-1])

    def expect_sigmoid(self, shift: Shift) -> float:
        """E[sigmoid(x + S)] for the shift S (Gauss–Hermite over its Normal part)."""
        keep = self.weights > 1e-300
        x, w = self.x[keep], self.weights[keep]
        if shift.sigma == 0.0:
            return float(np.dot(w, special.expit(x + shift.mu)))
        t, wt = hermgauss(self.nodes)
        s = shift.mu + math.sqrt(2.0) * shift.sigma * t
        inner = special.expit(x[:, None] + s[None, :]) @ (wt / math.sqrt(math.pi))
        return float(np.dot(w, inner))

    def mean_sigmoid_at_nodes(self, shift: Shift) -> np.ndarray:
        """E_S[sigmoid(x + S)] at each grid point (Gauss–Hermite over S's Normal part):
        the forecast given x, whose mean under any weights on the grid is a forecast."""
        return sigmoid_means(self.x, shift, self.nodes)

    def mean_p(self) -> float:
        """The posterior mean of the propensity p before the evidence."""
        return self.expect_sigmoid(Shift(0.0, 0.0))

    def _cum(self) -> np.ndarray:
        """The CDF of x at the grid points (piecewise linear between them)."""
        d = self.weights.copy()
        d[[0, -1]] *= 2.0
        cum = np.concatenate([[0.0], np.cumsum(0.5 * (d[1:] + d[:-1]))])
        return np.asarray(cum / cum[-1])

    def cdf_logit_q(self, t: float, shift: Shift) -> float:
        """P(logit q <= t), q = sigmoid(x + S)."""
        if shift.sigma == 0.0:
            return self.cdf_x(t - shift.mu)
        z = (t - self.x - shift.mu) / shift.sigma
        return float(np.dot(self.weights, special.ndtr(z)))

    def quantile_q(self, prob: float, shift: Shift) -> float:
        """The quantile of q = sigmoid(x + S) at ``prob``."""
        if shift.sigma == 0.0:
            cum = self._cells / self._cells[-1]
            j = int(np.clip(np.searchsorted(cum, prob), 1, len(cum) - 1))
            a, b = float(self.x[j - 1]), float(self.x[j])
            x = bracketed(lambda v: self.cdf_x(v) - prob, a, b, xtol=1e-12)
            return float(special.expit(x + shift.mu))
        lo = float(self.x[0] + shift.mu - 12 * shift.sigma)
        hi = float(self.x[-1] + shift.mu + 12 * shift.sigma)
        t = bracketed(lambda v: self.cdf_logit_q(v, shift) - prob, lo, hi, xtol=1e-10)
        return float(special.expit(t))

    def quantiles_q(self, probs: list[float], shift: Shift) -> list[float]:
        """:meth:`quantile_q` at each of ``probs``, each root searched in one step of the
        grid: the CDF of logit q at t_j = x_0 + mu + j h (h the grid's spacing) is a
        discrete convolution of the weights with Φ(k h / sigma), one Φ per lag."""
        h = float(self.x[1] - self.x[0])
        if shift.sigma == 0.0 or not np.allclose(np.diff(self.x), h, rtol=1e-9, atol=0.0):
            return [self.quantile_q(p, shift) for p in probs]
        from forecast.methods.power_scaling import convolve_valid

        n, extra = len(self.x), math.ceil(12.0 * shift.sigma / h)
        j = np.arange(-extra, n + extra)
        kern = special.ndtr(np.arange(j[0] - (n - 1), j[-1] + 1) * h / shift.sigma)
        cdf = convolve_valid(self.weights, kern)
        t = self.x[0] + shift.mu + j * h
        out = []
        for prob in probs:
            k = int(np.clip(np.searchsorted(cdf, prob), 1, len(t) - 1))
            lo, hi = float(t[k - 1]) - h, float(t[k]) + h  # a step of slack for rounding

            def gap(v: float, prob: float = prob) -> float:
                return self.cdf_logit_q(v, shift) - prob

            try:
                out.append(float(special.expit(bracketed(gap, lo, hi, xtol=1e-10))))
            except ValueError:  # pragma: no cover - the lattice's CDF is this CDF
                out.append(self.quantile_q(prob, shift))
        return out

    def draw_x(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` stratified draws of x by inverse CDF, in random order."""
        u = (rng.permutation(n) + rng.random(n)) / n
        cum = self._cum()
        keep = np.concatenate([[True], np.diff(cum) > 0])
        return np.asarray(np.interp(u, cum[keep], self.x[keep]))


def sigmoid_means(x: np.ndarray, shift: Shift, nodes: int = 2 * GH_NODES) -> np.ndarray:
    """E[sigmoid(x + S)] at each of ``x``, S the evidence's shift, by Gauss–Hermite with
    ``nodes`` nodes over its Normal part (exact when it has none)."""
    x = np.asarray(x, dtype=float)
    if shift.sigma == 0.0:
        return np.asarray(special.expit(x + shift.mu))
    t, wt = hermgauss(nodes)
    s = shift.mu + math.sqrt(2.0) * shift.sigma * t
    return np.asarray(special.expit(x[:, None] + s[None, :]) @ (wt / math.sqrt(math.pi)))


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """The standard Normal CDF Φ(z)."""
    return np.asarray(special.ndtr(z))


def stratified_normal(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` stratified standard Normal draws by inverse CDF, in random order."""
    return np.asarray(special.ndtri((rng.permutation(n) + rng.random(n)) / n))


__all__ = ["GH_NODES", "GridPosterior", "Shift", "normal_cdf", "sigmoid_means", "stratified_normal"]
