"""Pools: several experts' fitted judgements of a probability become one prior.

* ``linear``: the weighted mixture of the experts' distributions (SHELF's linear pool);
* ``logarithmic``: the normalised weighted product. For Betas with weights summing to 1
  it is again a Beta, Beta(Σ w_i (a_i - 1) + 1, Σ w_i (b_i - 1) + 1);
* ``hierarchical``: each expert's view of the log-odds (the mean and spread of logit p
  under their Beta) is a noisy reading of one shared log-odds ``mu``; the readings
  scatter around it with the expert's own spread plus a between-expert spread ``tau``
  that is estimated. The pooled prior is the distribution of ``mu`` given the readings,
  with ``tau`` integrated out. A weight scales how much a reading counts (its precision);
* ``extremize`` d, on any pool: p* = sigmoid(d · logit p).

Everything here is NumPy/SciPy: a pool is held as a log-density of u = logit p that can
be evaluated anywhere, plus the points where it needs resolution, so that the forecast
under any pool (or with any expert left out) is a one-dimensional quadrature over p
given the base rate and the evidence draws. The PyMC form of each pool is built in
:mod:`forecast.kinds.event.model`; the two are checked against each other in the tests.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from forecast import special
from forecast.elicit.distributions import Fitted
from forecast.elicit.quadrature import (
    LogDensity,
    LogitDensity,
    beta_knots,
    halfnorm_logpdf,
    log_sum_exp,
    norm_logpdf,
    shift_means,
)

METHODS: tuple[str, ...] = ("linear", "logarithmic", "hierarchical")
"""Pool methods, in the order reports show them."""

MU_PRIOR_SD = 2.5
"""Prior sd of the shared log-odds in the hierarchical pool (weak: 95% of p in 0.7%–99.3%)."""

TAU_PRIOR_SD = 1.0
"""Half-normal scale of the between-expert spread of log-odds in the hierarchical pool."""

INFLUENCE_FLAG = 0.05
"""Leaving one expert out moves the forecast by more than this: the report flags it."""

_TAU_POINTS = 81


def normalise(weights: Sequence[float]) -> np.ndarray:
    """Weights scaled to sum to 1.

    Raises
    ------
    ValueError
        When a weight is negative or not finite, or all are zero.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or not len(w):
        raise ValueError("give at least one weight")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights must be finite and non-negative (got {list(w)})")
    total = float(w.sum())
    if total <= 0:
        raise ValueError(f"weights must not all be zero (got {list(w)})")
    return w / total


def extremize(p: ArrayLike, d: float) -> np.ndarray:
    """p* = sigmoid(d · logit p), computed in log-odds so the tails keep their precision."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        u = np.log(p) - np.log1p(-p)
    return special.expit(d * u)


def beta_logpdf_u(alpha: float, beta: float) -> LogDensity:
    """Log-density of u = logit p when p ~ Beta(alpha, beta): a log σ(u) + b log σ(-u) - log B."""
    const = float(special.betaln(alpha, beta))

    def f(u: np.ndarray) -> np.ndarray:
        return alpha * special.log_expit(u) + beta * special.log_expit(-u) - const

    return f


def log_pool_beta(experts: Sequence[Fitted], weights: Sequence[float]) -> Fitted:
    """The logarithmic pool of Betas, in closed form (weights normalised to sum to 1)."""
    w = normalise(weights)
    a = 1.0 + sum(wi * (f.params["alpha"] - 1.0) for wi, f in zip(w, experts, strict=True))
    b = 1.0 + sum(wi * (f.params["beta"] - 1.0) for wi, f in zip(w, experts, strict=True))
    return Fitted("beta", {"alpha": float(a), "beta": float(b)}, "logarithmic pool")


def logit_view(f: Fitted) -> tuple[float, float]:
    """Mean and sd of logit p under a Beta: ψ(a) - ψ(b) and sqrt(ψ'(a) + ψ'(b))."""
    return _logit_view(f.params["alpha"], f.params["beta"])


@functools.lru_cache(maxsize=4096)
def _logit_view(a: float, b: float) -> tuple[float, float]:
    mean = float(special.digamma(a) - special.digamma(b))
    sd = float(math.sqrt(special.trigamma(a) + special.trigamma(b)))
    return mean, sd


def hierarchical_inputs(
    experts: Sequence[Fitted], weights: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Readings, own spreads and precision scales of the experts with a positive weight.

    A weight w_i (normalised) makes a reading count as ``c_i = w_i · K`` readings, K the
    number of experts weighted above zero, so equal weights give c_i = 1.
    """
    w = normalise(weights)
    keep = w > 0
    views = [logit_view(f) for f, k in zip(experts, keep, strict=True) if k]
    m = np.array([v[0] for v in views])
    s = np.array([v[1] for v in views])
    c = w[keep] * keep.sum()
    return m, s, c


def hierarchical_logpdf_u(experts: Sequence[Fitted], weights: Sequence[float]) -> LogDensity:
    """Unnormalised log-density of the shared log-odds ``mu`` given the experts' readings.

    p(mu | m) ∝ N(mu; 0, MU_PRIOR_SD) ∫ HalfNormal(tau) Π_i N(m_i; mu, sqrt(s_i² + tau²)/√c_i)
    dtau, the integral by the trapezoid rule on a fine grid of tau. For each tau the
    product over experts is a normal in mu times a constant, which keeps this cheap.
    """
    m, s, c = hierarchical_inputs(experts, weights)
    tau = np.linspace(0.0, 8.0 * TAU_PRIOR_SD, _TAU_POINTS)
    log_tau_prior = halfnorm_logpdf(tau, TAU_PRIOR_SD) + math.log(tau[1] - tau[0])
    log_tau_prior[[0, -1]] += math.log(0.5)
    var = (s[None, :] ** 2 + tau[:, None] ** 2) / c[None, :]  # (tau, expert)
    prec = (1.0 / var).sum(axis=1)
    centre = (m[None, :] / var).sum(axis=1) / prec
    # log Π_i N(m_i; mu, var_i) = log_c(tau) + log N(mu; centre(tau), 1/prec(tau))
    log_c = (
        -0.5 * np.log(2 * np.pi * var).sum(axis=1)
        + 0.5 * np.log(2 * np.pi / prec)
        - 0.5 * ((m[None, :] ** 2 / var).sum(axis=1) - centre**2 * prec)
    )
    weight = log_tau_prior + log_c + 0.5 * np.log(prec / (2 * np.pi))
    # Spreads the readings rule out (e^-50 below the likeliest) add nothing but time:
    # with many experts most of the grid of tau.
    alive = weight > weight.max() - 50.0
    weight, prec, centre = weight[alive], prec[alive], centre[alive]

    def f(u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        flat = u.reshape(-1)
        out = np.empty_like(flat)
        for start in range(0, len(flat), 4096):
            chunk = flat[start : start + 4096]
            ll = weight[None, :] - 0.5 * prec[None, :] * (chunk[:, None] - centre[None, :]) ** 2
            out[start : start + 4096] = log_sum_exp(ll, axis=1)
        out += norm_logpdf(flat, MU_PRIOR_SD)
        return out.reshape(u.shape)

    return f


@dataclass(frozen=True)
class PoolSpec:
    """Which pool: the method and the extremizing factor d."""

    method: str = "linear"
    extremize: float = 1.0

    def describe(self) -> str:
        """``logarithmic pool, extremized d = 1.5``."""
        out = f"{self.method} pool"
        if self.extremize != 1.0:
            out += f", extremized d = {self.extremize:g}"
        return out


def effective(spec: PoolSpec, weights: Sequence[float]) -> PoolSpec:
    """The pool as computed: a hierarchical pool of fewer than two weighted experts is
    that expert's judgement (one reading says nothing of the spread between experts,
    which would otherwise only widen it)."""
    if spec.method == "hierarchical" and sum(1 for w in weights if w > 0) < 2:
        return PoolSpec("linear", spec.extremize)
    return spec


def pooled_logpdf(
    experts: Sequence[Fitted], weights: Sequence[float], spec: PoolSpec
) -> tuple[LogDensity, np.ndarray]:
    """The pool's (unnormalised) log-density of u = logit p, and where it needs resolution."""
    spec = effective(spec, weights)
    w = normalise(weights)
    used = [(wi, f) for wi, f in zip(w, experts, strict=True) if wi > 0]
    knots = np.unique(
        np.concatenate(
            [beta_knots(f.params["alpha"], f.params["beta"]) for _, f in used]
            + [np.linspace(-60, 60, 1201)]
        )
    )
    base: LogDensity
    if spec.method == "linear":
        parts = [
            (math.log(wi), beta_logpdf_u(f.params["alpha"], f.params["beta"])) for wi, f in used
        ]

        def linear(u: np.ndarray) -> np.ndarray:
            return log_sum_exp(np.array([lw + g(u) for lw, g in parts]), axis=0)

        base = linear

    elif spec.method == "logarithmic":
        pooled = log_pool_beta(experts, weights)
        a, b = pooled.params["alpha"], pooled.params["beta"]
        base = beta_logpdf_u(a, b)
        knots = np.concatenate([knots, beta_knots(a, b)])
    elif spec.method == "hierarchical":
        base = hierarchical_logpdf_u(experts, weights)
        m, s, _ = hierarchical_inputs(experts, weights)
        knots = np.concatenate(
            [knots, np.linspace(m.min() - 6 * s.max() - 3, m.max() + 6 * s.max() + 3, 1601)]
        )
    else:
        raise ValueError(f"unknown pool method {spec.method!r}; valid: {', '.join(METHODS)}")
    d = spec.extremize
    if d == 1.0:
        return base, knots

    def stretched(u: np.ndarray) -> np.ndarray:
        # u* = d · u: the density of u* is g(u*/d) / d.
        return base(np.asarray(u) / d) - math.log(d)

    return stretched, knots * d


@dataclass(frozen=True)
class PooledPrior:
    """A pooled prior on p under any method, evaluated by quadrature on logit p."""

    components: tuple[Fitted, ...]
    weights: tuple[float, ...]
    spec: PoolSpec
    grid: LogitDensity = field(repr=False)

    @classmethod
    def of(cls, experts: Sequence[Fitted], weights: Sequence[float], spec: PoolSpec) -> PooledPrior:
        """Pool ``experts`` with ``weights`` as ``spec`` says."""
        logpdf, knots = pooled_logpdf(experts, weights, spec)
        w = tuple(float(x) for x in normalise(weights))
        return cls(tuple(experts), w, spec, LogitDensity.build(logpdf, knots))

    def mean(self) -> float:
        """E[p] under the pool."""
        return self.grid.mean()

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(p <= x)."""
        return self.grid.cdf(x)

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(p > x)."""
        return 1.0 - self.grid.cdf(x)

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """Quantiles of p."""
        return self.grid.ppf(q)


def base_rate_loglik(u: np.ndarray, base_rate: tuple[int, int, float] | None) -> np.ndarray:
    """The power-prior binomial log-likelihood w [k log p + (n - k) log(1 - p)] at u = logit p."""
    if base_rate is None:
        return np.zeros_like(u)
    k, n, w = base_rate
    return w * (k * special.log_expit(u) + (n - k) * special.log_expit(-u))


def forecast(
    experts: Sequence[Fitted],
    weights: Sequence[float],
    spec: PoolSpec,
    base_rate: tuple[int, int, float] | None,
    shifts: np.ndarray | None,
    mean_sigmoid: LogDensity | None = None,
) -> float:
    """P(event) under a pool, by quadrature over p given the base rate.

    ``shifts`` are draws of the evidence's summed log likelihood ratio (None when no
    evidence applies): the forecast is the mean over them of E[sigmoid(logit p + shift)];
    ``mean_sigmoid(u)``, when given, is that mean computed exactly instead.
    """
    logpdf, knots = pooled_logpdf(experts, weights, spec)
    if base_rate is not None:
        k, n, w = base_rate
        knots = np.concatenate([knots, beta_knots(w * k + 1.0, w * (n - k) + 1.0)])

        def post(u: np.ndarray) -> np.ndarray:
            return logpdf(u) + base_rate_loglik(u, base_rate)

        grid = LogitDensity.build(post, knots)
    else:
        grid = LogitDensity.build(logpdf, knots)
    if mean_sigmoid is not None:
        return grid.expect(mean_sigmoid)
    return grid.expect(lambda u: shift_means(u, shifts))


@dataclass(frozen=True)
class Alternative:
    """The forecast under one alternative pool or with one expert left out."""

    label: str
    kind: str  # "pool", "weights" (equal weights instead of the given ones) or "drop"
    method: str
    forecast: float
    delta: float
    chosen: bool = False
    expert: str | None = None

    @property
    def flagged(self) -> bool:
        """Leaving this expert out moves the forecast by more than INFLUENCE_FLAG."""
        return self.kind == "drop" and abs(self.delta) > INFLUENCE_FLAG

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "label": self.label,
            "kind": self.kind,
            "method": self.method,
            "expert": self.expert,
            "forecast": self.forecast,
            "delta": self.delta,
            "chosen": self.chosen,
            "flagged": self.flagged,
        }


@dataclass(frozen=True)
class Comparison:
    """Forecasts under each pool and with each expert left out, all by quadrature."""

    spec: PoolSpec
    reference: float
    rows: tuple[Alternative, ...]

    @property
    def flagged(self) -> tuple[Alternative, ...]:
        """Experts whose removal moves the forecast by more than 5 percentage points."""
        return tuple(r for r in self.rows if r.flagged)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON (the ``pools`` object of ``forecast run --format json``)."""
        return {
            "method": self.spec.method,
            "extremize": self.spec.extremize,
            "reference": self.reference,
            "influence_flag": INFLUENCE_FLAG,
            "alternatives": [r.to_dict() for r in self.rows],
        }


def compare(
    names: Sequence[str],
    experts: Sequence[Fitted],
    weights: Sequence[float],
    spec: PoolSpec,
    base_rate: tuple[int, int, float] | None,
    shifts: np.ndarray | None,
    mean_sigmoid: LogDensity | None = None,
) -> Comparison:
    """The forecast under each pool method and with each expert left out, on one grid
    (see :mod:`forecast.elicit.influence`; ``mean_sigmoid`` as for :func:`forecast`)."""
    from forecast.elicit import influence

    return influence.compare(names, experts, weights, spec, base_rate, shifts, mean_sigmoid)


__all__ = [
    "INFLUENCE_FLAG",
    "METHODS",
    "Alternative",
    "Comparison",
    "LogitDensity",
    "PoolSpec",
    "PooledPrior",
    "compare",
    "extremize",
    "forecast",
    "log_pool_beta",
    "logit_view",
    "normalise",
    "shift_means",
]
