"""The forecast under each pool method and with each expert left out, on one grid.

Leaving each of n experts out means n + 2 more pools. Built one at a time, each on its
own grid of the experts' knots and each integrated against the evidence draws, the
cost grows as n³ (and 200 experts never finish). Here every alternative shares:

* one grid of u = logit p, covering the mass of every expert (an alternative pool is
  made of the same experts, so its mass lies where theirs does) with a number of
  points that depends on how different the experts are, not on how many;
* E[sigmoid(u + shift)] over the evidence draws on that grid, computed once, so each
  forecast is one weighted sum;
* for the linear pool, each expert's log-density on the grid, computed once: the pool
  without expert i is the log-sum of the others', taken from running sums from both
  ends, so all n of them cost about as much as two pools.

The logarithmic pool without an expert is again a Beta in closed form, and the
hierarchical one is rebuilt from the n - 1 readings (its cost per pool is n times a
fixed grid of the between-expert spread). Everything is NumPy/SciPy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecast.elicit.distributions import Fitted
from forecast.elicit.pool import (
    METHODS,
    Alternative,
    Comparison,
    LogDensity,
    LogitDensity,
    PoolSpec,
    base_rate_loglik,
    beta_logpdf_u,
    normalise,
    pooled_logpdf,
    shift_means,
)
from forecast.elicit.quadrature import beta_knots


def compare(
    names: Sequence[str],
    experts: Sequence[Fitted],
    weights: Sequence[float],
    spec: PoolSpec,
    base_rate: tuple[int, int, float] | None,
    shifts: np.ndarray | None,
    mean_sigmoid: LogDensity | None = None,
) -> Comparison:
    """The forecast under each pool method and with each expert left out.

    The reference is the chosen pool's forecast by the same quadrature, so differences
    are free of Monte Carlo error. ``mean_sigmoid(u)``, when given, is E[sigmoid(u + S)]
    over the evidence's shift S computed exactly, in place of the mean over ``shifts``.
    """
    u = _grid(experts, weights, spec, base_rate)
    g = shift_means(u, shifts) if mean_sigmoid is None else mean_sigmoid(u)
    br = base_rate_loglik(u, base_rate)

    def value(logd: np.ndarray) -> float:
        return _expect(u, logd + br, g)

    pools = {
        method: value(_logd(experts, weights, PoolSpec(method, spec.extremize), u))
        for method in METHODS
    }
    reference = pools[spec.method]
    rows = [
        Alternative(
            PoolSpec(m, spec.extremize).describe(),
            "pool",
            m,
            pools[m],
            pools[m] - reference,
            m == spec.method,
        )
        for m in METHODS
    ]
    w = list(weights)
    if len(experts) > 1 and max(w) > min(w):
        # What the weighting itself does: the same pool with every expert counted alike
        # (its own quadrature: an expert weighted zero may have mass off this grid).
        from forecast.elicit.pool import forecast

        eq = forecast(experts, [1.0] * len(experts), spec, base_rate, shifts, mean_sigmoid)
        rows.append(Alternative("equal weights", "weights", spec.method, eq, eq - reference))
    if len(experts) > 1:
        for i, logd in _drop_one(experts, weights, spec, u):
            v = value(logd)
            rows.append(
                Alternative(
                    f"without {names[i]}", "drop", spec.method, v, v - reference, expert=names[i]
                )
            )
    return Comparison(spec, reference, tuple(rows))


def _expect(u: np.ndarray, logd: np.ndarray, g: np.ndarray) -> float:
    """∫ g(u) d(u) du / ∫ d(u) du by the trapezoid rule, d = exp(logd)."""
    d = np.exp(logd - np.max(logd))
    return float(np.trapezoid(g * d, u) / np.trapezoid(d, u))


def _grid(
    experts: Sequence[Fitted],
    weights: Sequence[float],
    spec: PoolSpec,
    base_rate: tuple[int, int, float] | None,
) -> np.ndarray:
    """One grid of u fine enough for every alternative pool.

    The knots of every method's pool (which include every expert's) and the region
    where any expert, or any method's pool given the base rate, has mass.
    """
    parts: list[np.ndarray] = []
    regions: list[tuple[float, float]] = []
    for method in METHODS:
        logpdf, knots = pooled_logpdf(experts, weights, PoolSpec(method, spec.extremize))
        parts.append(knots)
        regions.append(_alive(logpdf, knots, base_rate))
    d = spec.extremize
    for wi, f in zip(normalise(weights), experts, strict=True):
        if wi > 0:
            a, b = f.params["alpha"], f.params["beta"]
            regions.append(_alive(_stretched(beta_logpdf_u(a, b), d), beta_knots(a, b) * d, None))
    lo = min(r[0] for r in regions)
    hi = max(r[1] for r in regions)
    knots = np.concatenate(parts)
    knots = knots[(knots >= lo) & (knots <= hi)]
    return np.unique(np.concatenate([knots, np.linspace(lo, hi, 4001)]))


def _stretched(logpdf: LogDensity, d: float) -> LogDensity:
    """The log-density of d · u (up to a constant) given that of u."""

    def f(x: np.ndarray) -> np.ndarray:
        return logpdf(x / d)

    return f


def _alive(
    logpdf: LogDensity, knots: np.ndarray, base_rate: tuple[int, int, float] | None
) -> tuple[float, float]:
    """Where a density (times the base rate's likelihood) has mass, padded a little."""

    def post(x: np.ndarray) -> np.ndarray:
        return logpdf(x) + base_rate_loglik(x, base_rate)

    grid = LogitDensity.build(post, knots)
    return float(grid.u[0]), float(grid.u[-1])


def _logd(
    experts: Sequence[Fitted], weights: Sequence[float], spec: PoolSpec, u: np.ndarray
) -> np.ndarray:
    """A pool's log-density (unnormalised) on the grid."""
    logpdf, _ = pooled_logpdf(experts, weights, spec)
    return np.asarray(logpdf(u), dtype=float)


def _drop_one(
    experts: Sequence[Fitted], weights: Sequence[float], spec: PoolSpec, u: np.ndarray
) -> list[tuple[int, np.ndarray]]:
    """(i, log-density on the grid of the pool without expert i) for each expert whose
    leaving leaves some weight."""
    w = [float(x) for x in weights]
    keep = [i for i in range(len(experts)) if sum(w[:i] + w[i + 1 :]) > 0]
    if spec.method == "linear":
        return _drop_one_linear(experts, w, spec.extremize, u, keep)
    out = []
    for i in keep:
        rest_w = w[:i] + w[i + 1 :]
        rest = list(experts[:i]) + list(experts[i + 1 :])
        out.append((i, _logd(rest, rest_w, spec, u)))
    return out


def _drop_one_linear(
    experts: Sequence[Fitted], w: list[float], d: float, u: np.ndarray, keep: list[int]
) -> list[tuple[int, np.ndarray]]:
    """The linear pool without each expert: log Σ_{j≠i} w_j f_j(u) (normalising the
    weights again only adds a constant, which the quadrature removes)."""
    x = u / d
    rows = np.full((len(experts), len(u)), -np.inf)
    for j, f in enumerate(experts):
        if w[j] > 0:
            rows[j] = np.log(w[j]) + beta_logpdf_u(f.params["alpha"], f.params["beta"])(x)
    before = np.full_like(rows, -np.inf)  # log Σ_{j<i}
    after = np.full_like(rows, -np.inf)  # log Σ_{j>i}
    with np.errstate(invalid="ignore"):  # -inf - -inf inside logaddexp is fine
        before[1:] = np.logaddexp.accumulate(rows[:-1], axis=0)
        after[:-1] = np.logaddexp.accumulate(rows[::-1], axis=0)[::-1][1:]
    return [(i, np.logaddexp(before[i], after[i])) for i in keep]


__all__ = ["compare"]
