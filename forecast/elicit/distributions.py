"""Fitted distributions as plain data, evaluated with special functions.

Fitting uses PreliZ (see :mod:`forecast.elicit.fit`); once fitted, a distribution is
just a family and its parameters, so reports, pools and caches do not need PreliZ. A
Beta's and a LogNormal's CDF, quantiles and density are the special functions
``scipy.stats`` itself evaluates (the regularised incomplete beta function and its
inverse, the Normal CDF and its inverse), called directly: ``scipy.stats`` takes a
third of a second to import, which a forecast by quadrature does not otherwise need.
For a few values at a time (a report's quantiles, a root search) they come from
:mod:`forecast.special`, which does not import SciPy at all; for longer arrays (plots)
from ``scipy.special``, which is faster per value. The two agree to about 1e-13.
:meth:`Fitted.frozen` still gives the ``scipy.stats`` distribution.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike

Family = Literal["beta", "lognormal"]

_FEW = 64
"""Up to this many values are evaluated without SciPy (:mod:`forecast.special`)."""


def _special(x: ArrayLike) -> ModuleType:
    """The special functions for ``x``: NumPy-only for a few values, else SciPy's."""
    if np.size(x) <= _FEW:
        from forecast import special

        return special
    from scipy import special as scipy_special

    return scipy_special


class Frozen(Protocol):
    """What is used of a frozen SciPy distribution."""

    def cdf(self, x: ArrayLike) -> np.ndarray: ...

    def sf(self, x: ArrayLike) -> np.ndarray: ...

    def pdf(self, x: ArrayLike) -> np.ndarray: ...

    def logpdf(self, x: ArrayLike) -> np.ndarray: ...

    def ppf(self, q: ArrayLike) -> np.ndarray: ...

    def mean(self) -> float: ...


@functools.lru_cache(maxsize=512)
def _frozen(family: Family, first: float, second: float) -> Frozen:
    """A SciPy frozen distribution: Beta(alpha, beta) or LogNormal(sigma, mu).

    Freezing costs about a millisecond (SciPy builds its docstring), and quadrature and
    root finding on a pool ask for the same few distributions many times over.
    """
    from scipy import stats

    if family == "beta":
        return stats.beta(first, second)
    return stats.lognorm(s=first, scale=math.exp(second))


@dataclass(frozen=True)
class Check:
    """One elicited probability statement and what the fitted distribution gives for it."""

    statement: str
    elicited: float
    fitted: float


@dataclass(frozen=True)
class Fitted:
    """A distribution fitted to one judgement.

    Attributes
    ----------
    family, params
        ``beta`` (``alpha``, ``beta``) for probabilities, ``lognormal`` (``mu``,
        ``sigma`` of the log) for positive quantities.
    method
        How it was obtained: ``strength``, ``pseudo_counts``, ``maxent``,
        ``quantiles`` (least squares on the CDF) or ``fixed``.
    checks
        The elicited statements with the fitted probabilities, for the fit error.
    """

    family: Family
    params: dict[str, float]
    method: str
    checks: tuple[Check, ...] = field(default=())

    @property
    def fit_error(self) -> float:
        """Sum of squared differences of elicited and fitted probabilities (SHELF's)."""
        return float(sum((c.elicited - c.fitted) ** 2 for c in self.checks))

    @property
    def fixed(self) -> bool:
        """True for a point mass (a likelihood ratio given as a plain number)."""
        return self.family == "lognormal" and self.params["sigma"] == 0.0

    def frozen(self) -> Frozen:
        """The SciPy frozen distribution (made once per family and parameters)."""
        if self.family == "beta":
            return _frozen("beta", self.params["alpha"], self.params["beta"])
        return _frozen("lognormal", self.params["sigma"], self.params["mu"])

    def mean(self) -> float:
        """The mean."""
        if self.family == "beta":
            a, b = self.params["alpha"], self.params["beta"]
            return float(a / (a + b))
        mu, sigma = self.params["mu"], self.params["sigma"]
        return math.exp(mu) * math.exp(0.5 * sigma * sigma) if sigma > 0 else math.exp(mu)

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(X <= x)."""
        if self.fixed:
            return np.where(np.asarray(x) >= math.exp(self.params["mu"]), 1.0, 0.0)
        if self.family == "beta":
            a, b = self.params["alpha"], self.params["beta"]
            x = np.clip(np.asarray(x, dtype=float), 0, 1)
            return np.asarray(_special(x).betainc(a, b, x))
        return np.asarray(_special(x).ndtr(self._log_z(x)))

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        if self.family == "beta":
            a, b = self.params["alpha"], self.params["beta"]
            x = np.clip(np.asarray(x, dtype=float), 0, 1)
            return np.asarray(_special(x).betaincc(a, b, x))
        return 1.0 - self.cdf(x)

    def logpdf(self, x: ArrayLike) -> np.ndarray:
        """The log density (-inf outside the support)."""
        x = np.asarray(x, dtype=float)
        special = _special(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.family == "beta":
                a, b = self.params["alpha"], self.params["beta"]
                out = special.xlogy(a - 1.0, x) + special.xlog1py(b - 1.0, -x)
                out = out - special.betaln(a, b)
                return np.asarray(np.where((x >= 0) & (x <= 1), out, -np.inf))
            z = self._log_z(x)
            sigma = self.params["sigma"]
            y = x / math.exp(self.params["mu"])
            out = -0.5 * z * z - np.log(sigma * y * math.sqrt(2 * math.pi)) - self.params["mu"]
            return np.asarray(np.where(x > 0, out, -np.inf))

    def pdf(self, x: ArrayLike) -> np.ndarray:
        """The density."""
        return np.asarray(np.exp(self.logpdf(x)))

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function."""
        if self.fixed:
            return np.full_like(np.asarray(q, dtype=float), math.exp(self.params["mu"]))
        special = _special(q)
        if self.family == "beta":
            return np.asarray(special.betaincinv(self.params["alpha"], self.params["beta"], q))
        z = special.ndtri(np.asarray(q, dtype=float))
        return np.asarray(np.exp(self.params["sigma"] * z) * math.exp(self.params["mu"]))

    def _log_z(self, x: ArrayLike) -> np.ndarray:
        """(log x - mu) / sigma as ``scipy.stats.lognorm`` computes it: log(x / e^mu) / sigma."""
        with np.errstate(divide="ignore"):
            y = np.asarray(x, dtype=float) / math.exp(self.params["mu"])
            return np.asarray(np.log(y) / self.params["sigma"])

    def describe(self) -> str:
        """``Beta(2.73, 7.97)`` or ``LogNormal(mu=0.47, sigma=0.31)``."""
        if self.family == "beta":
            return f"Beta({self.params['alpha']:.3g}, {self.params['beta']:.3g})"
        if self.fixed:
            return f"fixed at {math.exp(self.params['mu']):.3g}"
        return f"LogNormal(mu={self.params['mu']:.3g}, sigma={self.params['sigma']:.3g})"

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON and the fit cache."""
        return {
            "family": self.family,
            "params": dict(self.params),
            "method": self.method,
            "fit_error": self.fit_error,
            "checks": [
                {"statement": c.statement, "elicited": c.elicited, "fitted": c.fitted}
                for c in self.checks
            ],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> Fitted:
        """Inverse of :meth:`to_dict`."""
        params, checks = d["params"], d["checks"]
        if not isinstance(params, Mapping) or not isinstance(checks, list):
            raise TypeError("a fit's params are a mapping and its checks a list")
        family: Family = "beta" if d["family"] == "beta" else "lognormal"
        return cls(
            family,
            {str(k): float(v) for k, v in params.items()},
            str(d["method"]),
            tuple(
                Check(str(c["statement"]), float(c["elicited"]), float(c["fitted"])) for c in checks
            ),
        )


@dataclass(frozen=True)
class Mixture:
    """A weighted mixture of fitted distributions: the linear opinion pool."""

    components: tuple[Fitted, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.components) != len(self.weights) or not self.components:
            raise ValueError("a mixture needs one weight per component and at least one")
        total = sum(self.weights)
        if total <= 0 or any(w < 0 for w in self.weights):
            raise ValueError("mixture weights must be non-negative and not all zero")
        object.__setattr__(self, "weights", tuple(w / total for w in self.weights))

    def mean(self) -> float:
        """The weighted mean of the components' means."""
        return float(sum(w * c.mean() for w, c in zip(self.weights, self.components, strict=True)))

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """The weighted mean of the components' CDFs."""
        parts = [w * c.cdf(x) for w, c in zip(self.weights, self.components, strict=True)]
        return np.asarray(np.sum(parts, axis=0))

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        return 1.0 - self.cdf(x)

    def ppf(self, q: float) -> float:
        """The quantile function, by root finding on the mixture CDF."""
        if len(self.components) == 1:
            return float(self.components[0].ppf(q))
        lo = min(float(c.ppf(q)) for c in self.components)
        hi = max(float(c.ppf(q)) for c in self.components)
        if hi - lo < 1e-12:
            return lo
        from forecast.methods.roots import bracketed

        return bracketed(lambda x: float(self.cdf(x)) - q, lo, hi, xtol=1e-10)


class Distribution(Protocol):
    """What reports need of a distribution for a probability: a fit, a mixture or a pool."""

    def mean(self) -> float: ...

    def cdf(self, x: float) -> float | np.ndarray: ...

    def ppf(self, q: float) -> float | np.ndarray: ...


def implications(dist: Distribution, *, threshold: float = 0.5) -> dict[str, float]:
    """What a distribution for a probability says, in numbers a user can read back."""
    return {
        "mean": dist.mean(),
        "median": float(dist.ppf(0.5)),
        "lo90": float(dist.ppf(0.05)),
        "hi90": float(dist.ppf(0.95)),
        "p_above": float(1.0 - dist.cdf(threshold)),
        "threshold": threshold,
    }
