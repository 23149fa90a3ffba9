"""Quantiles and draws of the time-to-event posterior on the grid of
:mod:`forecast.kinds.tte.grid`.

P(by a date) increases (scheduled) or decreases (hazard) in ``a`` at every ``b`` and
shift, so its CDF at c is a sum over *lines* (a row ``b`` of the grid times a
Gauss–Hermite node of the drivers' log ratios) of the conditional CDF of ``a`` at the
root a* of P = c on the line. Each root is found by Newton's method in cloglog P (nearly
linear in ``a`` for both forms), safeguarded by bisection; the quantile by Newton's
method in c on the CDF, whose slope is the density of P. Draws are stratified
inverse-CDF draws of ``b``, of ``a`` given ``b``, and of each driver's log ratio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from forecast import special
from forecast.kinds.tte.grid import Shifts, TteGrid

PRUNED = 1e-11
"""The most mass of the lightest lines the CDF leaves out."""


class Lines:
    """The CDF of P(by a date) as a sum over lines (row of b, node of the shifts)."""

    def __init__(self, grid: TteGrid, shifts: Shifts, upto: tuple[int, float]) -> None:
        _, row_w = grid._row_cum
        rows = np.flatnonzero(row_w > 1e-13 * row_w.max())
        keep = shifts.node_weights > 1e-13 * shifts.node_weights.max()
        shifts = Shifts(shifts.shift[keep], shifts.node_weights[keep], shifts.state_weights)
        n = len(shifts.node_weights)
        w = (row_w[rows][:, None] * shifts.node_weights[None, :]).reshape(-1)
        # The lightest lines, together at most PRUNED of the mass, move the CDF by less
        # than that: they are left out.
        order = np.argsort(w)
        light = order[np.cumsum(w[order]) <= PRUNED]
        used = np.ones(len(w), dtype=bool)
        used[light] = False
        self.grid, self.upto = grid, upto
        self.rows = np.repeat(rows, n)[used]
        self.b = grid.b[self.rows][:, None]
        self.shift = np.tile(shifts.shift, (len(rows), 1))[used]  # (lines, states)
        self.w = w[used] / w[used].sum()
        self.sw = shifts.state_weights
        self._warm: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.lo_p = self._p(np.full(len(self.w), grid.a[0]))
        self.hi_p = self._p(np.full(len(self.w), grid.a[-1]))

    def _p(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.grid.density.by(x[:, None], self.b, self.shift, self.upto) @ self.sw)

    def _p_slope(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p, s = self.grid.density.by_and_slope(x[:, None], self.b, self.shift, self.upto)
        return np.asarray(p @ self.sw), np.asarray(s @ self.sw)

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """Indices of about 33 points of the grid of ``a``, and P at them on each line in
        cloglog (for first guesses of the roots and of the quantiles)."""
        g = self.grid
        idx = np.unique(np.linspace(0, len(g.a) - 1, 33).round().astype(int))
        a = g.a[idx]
        p = g.density.by(a[None, :, None], self.b[:, :, None], self.shift[:, None, :], self.upto)
        return idx, _cloglog(np.asarray(p @ self.sw))

    def _guess(self, c: float) -> np.ndarray:
        """Each line's root of P = c, interpolated in cloglog P on :attr:`_table` when it
        is at hand (it costs 33 evaluations of P), else between the ends of the grid."""
        if "_table" in self.__dict__:
            idx, phi = self._table
            a = self.grid.a[idx]
        else:
            a = self.grid.a[[0, -1]]
            phi = _cloglog(np.column_stack([self.lo_p, self.hi_p]))
        target = _cloglog(np.asarray(c))
        rising = self.grid.density.rising
        j = np.sum(phi < target, axis=1) if rising else np.sum(phi > target, axis=1)
        j = np.clip(j, 1, len(a) - 1)
        rows = np.arange(len(j))
        f0, f1 = phi[rows, j - 1], phi[rows, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip((target - f0) / (f1 - f0), 0.0, 1.0)
        t = np.where(np.isfinite(t), t, 0.5)
        return np.asarray(a[j - 1] + t * (a[j] - a[j - 1]))

    def _roots(self, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each line's root a* of P = c (Newton's method in cloglog P, safeguarded by
        bisection), where c is inside the line's range, and P's slope in ``a`` at the
        last point evaluated.

        The search starts from a Newton step from the last point evaluated for the
        previous ``c`` (the quantiles' Newton steps move ``c`` a little each time), else
        from :meth:`_guess`. A line is done when its Newton step is under 1e-7 (the
        root's error is then of order the step squared, cloglog P being nearly linear in
        ``a``) or its bracket under 1e-10.
        """
        g = self.grid
        rising = g.density.rising
        lo_p, hi_p = (self.lo_p, self.hi_p) if rising else (self.hi_p, self.lo_p)
        inside = (lo_p < c) & (c < hi_p)
        lo = np.full(len(self.w), g.a[0])
        hi = np.full(len(self.w), g.a[-1])
        target = float(_cloglog(np.asarray(c)))
        if self._warm is None:
            x = self._guess(c)
        else:
            x0, p0, s0 = self._warm
            x = np.clip(self._newton(x0, p0, s0, target), g.a[0], g.a[-1])
            x = np.where(np.isfinite(x), x, self._guess(c))
        for _ in range(100):
            p, slope = self._p_slope(x)
            self._warm = (x, p, slope)
            below = p < c if rising else p > c
            lo = np.where(below, x, lo)
            hi = np.where(below, hi, x)
            step = self._newton(x, p, slope, target)
            ok = np.isfinite(step) & (step >= lo) & (step <= hi)
            nxt = np.where(ok, step, 0.5 * (lo + hi))
            settled = np.where(ok, np.abs(nxt - x) < 1e-7, hi - lo < 1e-10)
            x = nxt
            if np.all(settled | ~inside):
                break
        return x, inside, slope

    @staticmethod
    def _newton(x: np.ndarray, p: np.ndarray, slope: np.ndarray, target: float) -> np.ndarray:
        """Newton's step towards cloglog P = ``target`` from ``x``, where P is ``p`` and
        its slope in ``a`` is ``slope``."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            cum = -np.log1p(-p)
            return np.asarray(x + (target - np.log(cum)) * (1.0 - p) * cum / slope)

    def cdf(self, c: float) -> tuple[float, float]:
        """P(P(by the date) <= c) and its density at c (for Newton's steps: from P's
        slope at the root's last iterate but one, within about 1e-7 of the root)."""
        g = self.grid
        x, inside, slope = self._roots(c)
        cond = g._cdf_a(x, self.rows)
        below_all = c >= np.maximum(self.lo_p, self.hi_p)
        if g.density.rising:
            p = np.where(inside, cond, np.where(below_all, 1.0, 0.0))
        else:
            p = np.where(inside, 1.0 - cond, np.where(below_all, 1.0, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            dens = g._density_a(x, self.rows) / np.abs(slope)
        dens = np.where(inside & np.isfinite(dens), dens, 0.0)
        return float(self.w @ p), float(self.w @ dens)

    def quantiles(
        self, probs: Sequence[float], starts: Sequence[float] | None = None
    ) -> list[float]:
        """Newton's method in logit c on the CDF, safeguarded by bisection, from
        ``starts`` (first guesses; else :meth:`_start`'s)."""
        out = []
        for i, prob in enumerate(probs):
            lo, hi = -40.0, 40.0
            c = starts[i] if starts is not None else self._start(prob)
            y = math.log(c) - math.log1p(-c)
            self._warm = None
            for _ in range(200):
                cdf, dens = self.cdf(c)
                if cdf < prob:
                    lo = y
                else:
                    hi = y
                slope = dens * c * (1.0 - c)
                step = y + (prob - cdf) / slope if slope > 0 else math.nan
                nxt = step if lo < step < hi else 0.5 * (lo + hi)
                # Newton's error after a step h is of order h^2 times the log density's
                # slope in logit c: a step under 1e-6 leaves c within about 1e-11.
                newton = lo < step < hi
                converged = (newton and abs(nxt - y) < 1e-6) or hi - lo < 1e-11
                y = nxt
                c = 1.0 / (1.0 + math.exp(-y))  # y within ±40
                if converged:
                    break
            out.append(c)
        return out

    def _start(self, prob: float) -> float:
        """A first guess: where :attr:`_rough` reaches ``prob``."""
        targets, cdfs = self._rough
        k = int(np.clip(np.searchsorted(cdfs, prob), 1, len(targets) - 1))
        c0, c1 = cdfs[k - 1], cdfs[k]
        r = (prob - c0) / (c1 - c0) if c1 > c0 else 0.5
        t = targets[k - 1] + r * (targets[k] - targets[k - 1])
        return float(np.clip(-np.expm1(-np.exp(t)), 1e-12, 1 - 1e-12))

    @cached_property
    def _rough(self) -> tuple[np.ndarray, np.ndarray]:
        """The CDF of P at 65 values of cloglog P, each line's conditional CDF
        interpolated between the points of :attr:`_table` (grid points, whose CDF is
        known)."""
        g = self.grid
        idx, phi = self._table
        cum, _ = g._row_cum
        cond = cum[idx][:, self.rows].T / cum[-1, self.rows][:, None]  # (lines, points)
        if not g.density.rising:
            phi, cond = phi[:, ::-1], 1.0 - cond[:, ::-1]
        finite = phi[np.isfinite(phi)]
        targets = np.linspace(finite.min(), finite.max(), 65) if finite.size else np.zeros(1)
        rows = np.arange(len(self.w))[:, None]
        t = targets[None, :]
        # phi increases along each line: the cell of each target is its count of points below
        j = np.clip(np.sum(phi[:, :, None] < t[:, None, :], axis=1), 1, phi.shape[1] - 1)
        f0, f1 = phi[rows, j - 1], phi[rows, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.clip((t - f0) / (f1 - f0), 0.0, 1.0)
        r = np.where(np.isfinite(r), r, 0.5)
        at = cond[rows, j - 1] + r * (cond[rows, j] - cond[rows, j - 1])
        at = np.where(t >= phi[:, -1:], 1.0, np.where(t <= phi[:, :1], 0.0, at))
        return targets, np.maximum.accumulate(self.w @ at)


def _cloglog(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(-np.log1p(-np.clip(p, 0.0, 1.0))))


def stratified(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` stratified uniforms in random order."""
    return np.asarray((rng.permutation(n) + rng.random(n)) / n)


def draw(
    grid: TteGrid, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` stratified inverse-CDF draws of a, b and every driver's log ratio (n, J)."""
    cum_rows, row_w = grid._row_cum
    if len(grid.b) > 1:
        bc = np.concatenate([[0.0], np.cumsum(0.5 * (row_w[1:] + row_w[:-1]))])
        bc /= bc[-1]
        b = np.interp(stratified(n, rng), bc, grid.b)
        rows = np.clip(
            np.rint((b - grid.b[0]) / (grid.b[1] - grid.b[0])).astype(int), 0, len(grid.b) - 1
        )
    else:
        b = np.full(n, grid.b[0])
        rows = np.zeros(n, dtype=int)
    u = stratified(n, rng) * cum_rows[-1, rows]
    a = np.empty(n)
    for r in np.unique(rows):
        m = rows == r
        a[m] = np.interp(u[m], cum_rows[:, r], grid.a)
    d = grid.density
    beta = (
        np.stack(
            [
                mu + sd * special.ndtri(stratified(n, rng))
                for mu, sd in zip(d.beta_mu, d.beta_sigma, strict=True)
            ],
            axis=-1,
        )
        if len(d.beta_mu)
        else np.zeros((n, 0))
    )
    return a, b, beta


__all__ = ["Lines", "draw", "stratified"]
