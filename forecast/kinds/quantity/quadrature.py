"""A quantity's exact posterior on one adaptive grid, and every variant the report needs.

The posterior of a quantity is one-dimensional: the pooled prior times the observed
values' likelihood (:mod:`forecast.kinds.quantity.density`), tabulated on a grid uniform
in the quantity's natural coordinate ``u`` (the value on the real line, the log above a
lower bound, the logit on a bounded support: :mod:`forecast.kinds.quantity.grid`).

The range adapts to the mass: it starts from the prior's 1e-6 and 1 - 1e-6 quantiles and
the data's ±12 standard errors, and is cut, pass after pass on a coarse grid, to where
some variant's density is within e^-46 of its peak. The variants are the file's pool and
weights, the other pool and each expert left out, and the prior or the likelihood raised
to 0.5 and 2: all are densities on the same grid points, re-weighted without evaluating
anything again. The fine grid doubles until the quadrature error estimate (the largest
change of P(X > t) for each threshold and of the 2.5/25/50/75/97.5% points, relative to
the 50% interval, on the grid half as fine: every other point) is below a quarter of the
tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from forecast.kinds.quantity import density
from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.grid import GridDensity, from_u, span, to_u
from forecast.kinds.quantity.pool import normalise
from forecast.kinds.quantity.update import Observations

FLOOR = 46.0
"""Grid points below the peak by more than this (in log density, e^-46 ≈ 1e-20) hold no
mass worth resolving."""
COARSE = 2049
START = 4097
MOST = 262145
TOLERANCE = 1e-6
LEVELS = (0.025, 0.25, 0.5, 0.75, 0.975)
POWERS = ((1.0, 1.0), (0.5, 1.0), (2.0, 1.0), (1.0, 0.5), (1.0, 2.0))
"""(prior power, likelihood power) of the power-scaled variants the grid must hold."""


@dataclass(frozen=True)
class Problem:
    """What the posterior of a quantity is made of (``QuantityInputs`` has all of it)."""

    support: Support
    experts: tuple[Dist, ...]
    weights: tuple[float, ...]
    method: str
    data: Observations | None
    thresholds: tuple[float, ...] = ()

    @property
    def normalised_weights(self) -> tuple[float, ...]:
        """The weights summing to 1."""
        return normalise(self.weights)


@dataclass(frozen=True)
class Variant:
    """A posterior on the grid: a pool, its weights (summing to 1), and the powers the
    prior and the likelihood are raised to."""

    method: str
    weights: tuple[float, ...]
    prior_power: float = 1.0
    data_power: float = 1.0


def variants(inputs: Problem) -> list[Variant]:
    """The file's posterior, its power-scaled variants, the other pool and each expert
    left out (those the sensitivity rows show)."""
    w = inputs.normalised_weights
    out = [Variant(inputs.method, w, a, b) for a, b in POWERS[: 1 if inputs.data is None else 5]]
    if len(w) > 1:
        out += [Variant(m, w) for m in ("linear", "logarithmic") if m != inputs.method]
        for i in range(len(w)):
            left = tuple(0.0 if j == i else v for j, v in enumerate(inputs.weights))
            if sum(v > 0 for v in left):
                out.append(Variant(inputs.method, normalise(left)))
    return out


@dataclass(frozen=True)
class Tabulated:
    """The log densities of every expert and the likelihood at the grid's points."""

    u: np.ndarray
    log_jac: np.ndarray
    parts: np.ndarray
    loglik: np.ndarray | None

    def log_post(self, v: Variant) -> np.ndarray:
        """The variant's log density in ``u`` (unnormalised; -inf where it is zero)."""
        out = v.prior_power * density.pooled(v.method, v.weights, self.parts) + self.log_jac
        if self.loglik is not None:
            out = out + v.data_power * self.loglik
        return np.where(np.isfinite(out), out, -np.inf)


def tabulate(inputs: Problem, u: np.ndarray) -> Tabulated:
    """The log densities at the points ``u`` of the grid's coordinate."""
    u = np.asarray(u, dtype=float)
    x, log_jac = from_u(inputs.support, u)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = density.components(inputs.experts, x)
        loglik = density.log_likelihood(inputs.data, x)
    return Tabulated(u, log_jac, parts, loglik)


def _start(inputs: Problem) -> tuple[float, float]:
    """The prior's span, widened to the data's ±12 standard errors."""
    s = inputs.support
    kept = [d for w, d in zip(inputs.weights, inputs.experts, strict=True) if w > 0]
    lo, hi = span(s, kept or list(inputs.experts))
    obs = inputs.data
    if obs is not None:
        centre = float(obs.transformed.mean())
        half = 12 * obs.sd / math.sqrt(len(obs.values))
        ends = [centre - half, centre, centre + half]
        xs = [math.exp(v) for v in ends] if obs.log else ends
        us = [float(to_u(s, e)) for e in xs if s.contains(e)]
        if us:
            lo, hi = min(lo, *us), max(hi, *us)
    return lo, hi


def _mass_range(inputs: Problem, wanted: Sequence[Variant]) -> tuple[float, float]:
    """Where any wanted variant's density is within e^-FLOOR of its peak, by coarse passes."""
    lo, hi = _start(inputs)
    for _ in range(8):
        t = tabulate(inputs, np.linspace(lo, hi, COARSE))
        h = (hi - lo) / (COARSE - 1)
        first, last = COARSE, -1
        for v in wanted:
            lp = t.log_post(v)
            top = float(np.max(lp))
            if not math.isfinite(top):
                continue
            where = np.flatnonzero(lp >= top - FLOOR)
            first, last = min(first, int(where[0])), max(last, int(where[-1]))
        if last < 0:
            raise ValueError("the posterior density is zero everywhere on the grid")
        new_lo = float(t.u[max(first - 1, 0)]) - h
        new_hi = float(t.u[min(last + 1, COARSE - 1)]) + h
        shrunk = (new_hi - new_lo) < 0.5 * (hi - lo)
        lo, hi = max(lo, new_lo), min(hi, new_hi)
        if not shrunk:
            break
    return lo, hi


def _numbers(g: GridDensity, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(g.cdf(thresholds)), np.asarray(g.ppf(np.asarray(LEVELS)))


def error_between(fine: GridDensity, coarse: GridDensity, thresholds: Sequence[float]) -> float:
    """The largest change of P(X > t) and of the quantiles at :data:`LEVELS` (relative to
    the 50% interval) between two tabulations of one density."""
    t = np.asarray(thresholds, dtype=float)
    (fc, fq), (cc, cq) = _numbers(fine, t), _numbers(coarse, t)
    width = max(float(to_u(fine.support, fq[3]) - to_u(fine.support, fq[1])), 1e-300)
    uq, cuq = to_u(fine.support, fq), to_u(fine.support, cq)
    return max(float(np.max(np.abs(fc - cc), initial=0.0)), float(np.max(np.abs(uq - cuq))) / width)


@dataclass(frozen=True)
class QuantityGrid:
    """The exact posterior of a quantity and its variants on one grid."""

    problem: Problem
    table: Tabulated
    error: float
    """The quadrature error estimate of the file's posterior (grid half as fine)."""

    @classmethod
    def of(cls, problem: Problem, *, points: int = START) -> QuantityGrid:
        """The grid that resolves every variant of ``problem``'s posterior."""
        inputs = problem
        wanted = variants(inputs)
        lo, hi = _mass_range(inputs, wanted)
        n = points
        while True:
            table = tabulate(inputs, np.linspace(lo, hi, n))
            grid = cls(inputs, table, 0.0)
            fine, coarse = grid.density(wanted[0]), grid.density(wanted[0], half=True)
            error = error_between(fine, coarse, inputs.thresholds)
            if error <= TOLERANCE / 4 or n >= MOST:
                return cls(inputs, table, error)
            n = 2 * n - 1

    @property
    def points(self) -> int:
        """The fine grid's points."""
        return len(self.table.u)

    @property
    def main(self) -> Variant:
        """The file's own posterior."""
        return Variant(self.problem.method, self.problem.normalised_weights)

    def density(self, v: Variant, *, half: bool = False) -> GridDensity:
        """The variant's normalised density (on every other point with ``half``)."""
        t = self.table
        step = 2 if half else 1
        return GridDensity.of_log(self.problem.support, t.u[::step], t.log_post(v)[::step])

    @cached_property
    def posterior(self) -> GridDensity:
        """The file's posterior."""
        return self.density(self.main)

    def log_densities(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The pooled prior's and the likelihood's log densities at the grid's points."""
        t = self.table
        return density.pooled(self.problem.method, self.main.weights, t.parts), t.loglik


__all__ = [
    "TOLERANCE",
    "Problem",
    "QuantityGrid",
    "Variant",
    "error_between",
    "tabulate",
    "variants",
]
