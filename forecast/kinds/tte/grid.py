"""Deterministic quadrature of the time-to-event posterior.

After the drivers' prior-only log ratios are integrated out exactly, the posterior has
at most two continuous dimensions, ``a`` and ``b`` of
:class:`~forecast.kinds.tte.density.TteDensity` (one when the trend or the shape is
fixed). The drivers act through each state's shift x . beta, Normal under the posterior.

* The grid: an even grid in ``a`` and one in ``b`` over where the joint log density is
  within 46 nats of its peak (found on a coarse scan), spaced at a quarter of the
  narrowest expert's spread in ``a`` and a third of the prior's in ``b``, each with an
  odd count (every other point is a grid twice as coarse). The trapezoid rule on such
  a grid converges faster than any power of the spacing.
* E[P(by a date)] = sum over the grid, the driver states and Gauss–Hermite nodes of the
  state's Normal shift.
* Quantiles of P(by a date): P increases (scheduled) or decreases (hazard) in ``a`` at
  every ``b`` and shift, so its CDF at c is a sum over *lines* (a row ``b`` of the grid
  times a Gauss–Hermite node of the drivers' log ratios) of the conditional CDF of
  ``a`` at the root a* of P = c on the line; the conditional CDF is Gauss–Legendre over
  the cells of the ``a`` grid, on the model's density. The quantile is found by
  Newton's method in c on that CDF (its slope is the density of P).
* Draws: stratified inverse-CDF draws of ``b``, of ``a`` given ``b``, and of each
  uncertain log ratio.

When more than :data:`MAX_DRIVER_DIMS` uncertain log ratios enter the forecast at once
(several drivers of uncertain level, each with an uncertain ratio), the lines would be
too many: :class:`NotExact` says so and ``auto`` samples with NUTS.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from forecast.kinds.tte.density import TteDensity
from forecast.models.covariates import states

GH_NODES = 16
"""Gauss–Hermite nodes for one state's shift in the expectations (half as many on the
coarse grid)."""

LINE_NODES = {1: 24, 2: 12}
"""Gauss–Hermite nodes per uncertain log ratio for the lines of the quantiles."""

MAX_DRIVER_DIMS = 2
"""The most uncertain log ratios the quantiles integrate over at once."""

_ALIVE = 46.0
_A_STEP, _B_STEP = 4.0, 3.0
_A_POINTS = (301, 3001)
_B_POINTS = (41, 301)


@functools.cache
def _hermgauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Hermite nodes and weights (NumPy solves an eigenproblem for each)."""
    return np.polynomial.hermite.hermgauss(n)


class NotExact(ValueError):
    """The configuration is outside what the quadrature integrates."""


def _odd(lo: float, hi: float, step: float, bounds: tuple[int, int]) -> np.ndarray:
    n = int(np.clip(math.ceil((hi - lo) / step), bounds[0] - 1, bounds[1] - 1))
    n += n % 2
    return np.linspace(lo, hi, n + 1)


def _span(coarse: np.ndarray, logd: np.ndarray) -> tuple[float, float]:
    alive = np.flatnonzero(logd > np.max(logd) - _ALIVE)
    lo = coarse[max(int(alive[0]) - 1, 0)]
    hi = coarse[min(int(alive[-1]) + 1, len(coarse) - 1)]
    return float(lo), float(hi)


def _halve(w: np.ndarray, axis: int) -> np.ndarray:
    w = np.moveaxis(np.array(w, dtype=float), axis, 0)
    if len(w) > 1:
        w[0] *= 0.5
        w[-1] *= 0.5
    return np.moveaxis(w, 0, axis)


@dataclass(frozen=True)
class Shifts:
    """The drivers' shifts per line and state, for one set of levels."""

    shift: np.ndarray
    """(nodes, states) log-ratio shift of each state at each Gauss–Hermite node."""
    node_weights: np.ndarray
    state_weights: np.ndarray


@dataclass(frozen=True)
class TteGrid:
    """The posterior (or, without data, the prior) of (a, b) on an even grid."""

    density: TteDensity
    a: np.ndarray
    b: np.ndarray
    weights: np.ndarray
    """(a, b) normalised trapezoid weights."""
    data: bool = True
    nodes: int = GH_NODES
    fine: bool = True
    _memo: dict[tuple[tuple[float, ...], tuple[tuple[int, float], ...]], np.ndarray] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def of(cls, density: TteDensity, *, data: bool = True) -> TteGrid:
        """The fine grid of the posterior (``data``) or the prior."""
        sds, centres = density.a_sds(), density.a_centres()
        # The scan only finds where the density is alive (within 46 nats of its peak,
        # a wide margin): 0.2 apart in a, finer near each expert's centre.
        parts = [np.linspace(-60.0, 60.0, 601)]
        parts += [
            np.linspace(c - 14 * s, c + 14 * s, 281) for c, s in zip(centres, sds, strict=True)
        ]
        a_c = np.unique(np.concatenate(parts))
        if density.two_dimensional:
            bs = density.b_sigma
            b_c = np.linspace(density.b_mu - 12 * bs, density.b_mu + 12 * bs, 121)
        else:
            b_c = np.array([density.b_mu])
        logd = density.log_post(a_c[:, None], b_c[None, :], data)
        alo, ahi = _span(a_c, logd.max(axis=1))
        a = _odd(alo, ahi, float(np.min(sds)) / _A_STEP, _A_POINTS)
        if density.two_dimensional:
            blo, bhi = _span(b_c, logd.max(axis=0))
            b = _odd(blo, bhi, density.b_sigma / _B_STEP, _B_POINTS)
        else:
            b = b_c
        return cls._on(density, a, b, data, GH_NODES, True)

    @classmethod
    def _on(
        cls, density: TteDensity, a: np.ndarray, b: np.ndarray, data: bool, nodes: int, fine: bool
    ) -> TteGrid:
        logd = density.log_post(a[:, None], b[None, :], data)
        w = _halve(_halve(np.exp(logd - logd.max()), 0), 1)
        grid = cls(density, a, b, w / w.sum(), data, nodes, fine)
        grid.__dict__["_top"] = float(logd.max())  # the cached property, already at hand
        return grid

    def coarser(self) -> TteGrid:
        """The same on every other point of both grids, with half the nodes."""
        b = self.b[::2] if len(self.b) > 1 else self.b
        return self._on(self.density, self.a[::2], b, self.data, self.nodes // 2, False)

    @property
    def points(self) -> int:
        """Points of the grid."""
        return int(self.weights.size)

    # -- expectations --------------------------------------------------------------

    @cached_property
    def alive(self) -> np.ndarray:
        """Flat indices of the points that carry the mass: the lightest, together at
        most 1e-12 of it, are left out of the expectations."""
        w = self.weights.reshape(-1)
        order = np.argsort(w)
        light = np.cumsum(w[order]) <= 1e-12
        return np.sort(order[~light])

    @cached_property
    def _alive(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        aa, bb = np.meshgrid(self.a, self.b, indexing="ij")
        keep = self.alive
        w = self.weights.reshape(-1)[keep]
        return aa.reshape(-1)[keep], bb.reshape(-1)[keep], w / w.sum()

    def expect(self, levels: Sequence[float], upto: tuple[int, float]) -> float:
        """E[P(by the date ``upto`` describes)] with the drivers at ``levels``."""
        return self.expect_all(levels, [upto])[0]

    def expect_all(
        self, levels: Sequence[float], uptos: Sequence[tuple[int, float]]
    ) -> list[float]:
        """E[P(by each date ``uptos`` describe)] with the drivers at ``levels``."""
        _, _, w = self._alive
        # one dot product per date, so a date's mean is the same bit for bit whichever
        # other dates are asked for with it
        return [float(v @ w) for v in self.point_values(levels, uptos)]

    def point_values(
        self, levels: Sequence[float], uptos: Sequence[tuple[int, float]]
    ) -> np.ndarray:
        """(dates, points of :attr:`alive`): P(by each date) at each point, averaged over
        the drivers' states and their log ratios (Gauss–Hermite over each state's
        Normal shift). Reweighting the points gives the forecast under another prior."""
        key = (tuple(levels), tuple(uptos))
        if key in self._memo:
            return self._memo[key]
        a, b, _ = self._alive
        x, ws = states(levels)
        d = self.density
        t, wt = _hermgauss(self.nodes)
        out = np.zeros((len(uptos), len(a)))
        for xs, wsi in zip(x, ws, strict=True):
            mu = float(xs @ d.beta_mu)
            sd = float(math.sqrt(float((xs * xs) @ (d.beta_sigma**2))))
            s = np.array([mu]) if sd == 0.0 else mu + math.sqrt(2.0) * sd * t
            sw = np.ones(1) if sd == 0.0 else wt / math.sqrt(math.pi)
            vals = d.by_each(a[:, None], b[:, None], s[None, :], uptos)  # (dates, points, nodes)
            out += float(wsi) * (vals @ sw)
        self._memo[key] = out
        return out

    def mean_a_quantile(self, prob: float) -> float:
        """The quantile of ``a`` at ``prob`` (its marginal)."""
        marginal = self._row_cells.sum(axis=1)
        cum = np.concatenate([[0.0], np.cumsum(marginal)])
        cum /= cum[-1]
        return float(np.interp(prob, cum, self.a))

    # -- the conditional CDF of a along each row b -----------------------------------

    @cached_property
    def _top(self) -> float:
        return float(np.max(self.density.log_post(self.a[:, None], self.b[None, :], self.data)))

    def _mass(self, lo: np.ndarray, hi: np.ndarray, b: np.ndarray) -> np.ndarray:
        """∫ from lo to hi of the (scaled) density at b, 4-point Gauss–Legendre, each."""
        z, wz = np.polynomial.legendre.leggauss(4)
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        pts = mid[..., None] + half[..., None] * z
        vals = np.exp(self.density.log_post(pts, b[..., None], self.data) - self._top)
        return np.asarray((vals @ wz) * half)

    @cached_property
    def _row_cells(self) -> np.ndarray:
        """(cells, rows) the mass of each cell of ``a`` on each row, trapezoid-weighted
        in ``b``."""
        lo = np.broadcast_to(self.a[:-1, None], (len(self.a) - 1, len(self.b)))
        hi = np.broadcast_to(self.a[1:, None], lo.shape)
        cells = self._mass(lo, hi, np.broadcast_to(self.b[None, :], lo.shape))
        return np.asarray(_halve(cells, 1))

    @cached_property
    def _row_cum(self) -> tuple[np.ndarray, np.ndarray]:
        cells = self._row_cells
        cum = np.concatenate([np.zeros((1, cells.shape[1])), np.cumsum(cells, axis=0)])
        total = cum[-1]
        return cum, total / total.sum()

    def _cdf_a(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """P(a <= x | b = b[rows]), elementwise."""
        cum, _ = self._row_cum
        x = np.clip(x, self.a[0], self.a[-1])
        j = np.clip(np.searchsorted(self.a, x, side="right") - 1, 0, len(self.a) - 2)
        part = self._mass(self.a[j], x, self.b[rows])
        return np.asarray((cum[j, rows] + part) / cum[-1, rows])

    def _density_a(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The conditional density of a at x given b = b[rows]."""
        cum, _ = self._row_cum
        logd = self.density.log_post(x, self.b[rows], self.data) - self._top
        scale = cum[-1, rows] / _halve(np.ones(len(self.b)), 0)[rows]
        return np.asarray(np.exp(logd) / scale)

    # -- lines and quantiles ---------------------------------------------------------

    def _scales(self, levels: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each state's mean shift, the (dims, states) scales of the uncertain log ratios
        that enter at ``levels``, and the states' weights.

        Raises
        ------
        NotExact
            When more than :data:`MAX_DRIVER_DIMS` of them do.
        """
        d = self.density
        x, ws = states(levels)
        mu = x @ d.beta_mu
        if len(ws) == 1:  # one state: its shift is one Normal, whatever the drivers
            sd = float(math.sqrt(float((x[0] ** 2) @ d.beta_sigma**2)))
            scales = np.array([[sd]]) if sd > 0 else np.zeros((0, 1))
        else:
            free = [j for j in range(x.shape[1]) if d.beta_sigma[j] > 0 and x[:, j].any()]
            scales = (x[:, free] * d.beta_sigma[free]).T  # (dims, states)
        dims = scales.shape[0]
        if dims > MAX_DRIVER_DIMS:
            raise NotExact(
                f"{dims} uncertain driver ratios enter the forecast at once "
                f"(at most {MAX_DRIVER_DIMS} are integrated exactly)"
            )
        return mu, scales, ws

    def shifts(self, levels: Sequence[float], per_dim: int | None = None) -> Shifts:
        """The Gauss–Hermite nodes of the drivers' log ratios that enter at ``levels``
        (``per_dim`` nodes in each dimension; else :data:`LINE_NODES`, half as many on
        the coarse grid).

        Raises
        ------
        NotExact
            When more than :data:`MAX_DRIVER_DIMS` of them do.
        """
        mu, scales, ws = self._scales(levels)
        dims = scales.shape[0]
        if dims == 0:
            return Shifts(mu[None, :], np.ones(1), ws)
        n = per_dim or (LINE_NODES[dims] if self.fine else LINE_NODES[dims] // 2)
        t, wt = _hermgauss(n)
        z = np.array(list(itertools.product(t * math.sqrt(2.0), repeat=dims)))  # (N, dims)
        w = np.prod(np.array(list(itertools.product(wt / math.sqrt(math.pi), repeat=dims))), 1)
        return Shifts(mu[None, :] + z @ scales, w, ws)

    def quantiles(
        self,
        probs: Sequence[float],
        levels: Sequence[float],
        upto: tuple[int, float],
        starts: Sequence[float] | None = None,
        *,
        refined: bool = False,
    ) -> list[float]:
        """The quantiles of P(by the date ``upto`` describes) at ``probs`` (``starts``:
        first guesses; ``refined``: half as many nodes again per uncertain log ratio)."""
        if self.density.rising and upto[0] == 0:  # no opportunity comes by the date
            return [0.0] * len(probs)
        from forecast.kinds.tte.lines import Lines

        per_dim = None
        if refined:
            dims = self._scales(levels)[1].shape[0]
            per_dim = LINE_NODES[dims] * 3 // 2 if dims else None
        return Lines(self, self.shifts(levels, per_dim), upto).quantiles(probs, starts)


__all__ = ["GH_NODES", "LINE_NODES", "MAX_DRIVER_DIMS", "NotExact", "Shifts", "TteGrid"]
