"""The distribution families a quantity's judgements are fitted to (SHELF's).

Each family is a SciPy distribution on the question's support: ``normal`` and
Student-``t`` on the real line; ``gamma``, ``lognormal`` and ``logt`` (the exponential
of a Student-t) above a lower bound; the ``beta`` scaled to ``[lower, upper]``. As in
SHELF's ``fitdist`` the Student-t families have 3 degrees of freedom. Only the
families whose support is the question's own are offered (SHELF also fits the normal
and t to a bounded quantity; here a fit never puts mass on impossible values).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike

Family = Literal["normal", "t", "lognormal", "logt", "gamma", "beta"]
FAMILIES: tuple[Family, ...] = ("normal", "t", "lognormal", "logt", "gamma", "beta")
T_DF = 3.0
"""Degrees of freedom of the Student-t and log-t families (SHELF's ``tdf`` default)."""

PARAMS: dict[Family, tuple[str, str]] = {
    "normal": ("mean", "sd"),
    "t": ("location", "scale"),
    "lognormal": ("meanlog", "sdlog"),
    "logt": ("locationlog", "scalelog"),
    "gamma": ("shape", "rate"),
    "beta": ("shape1", "shape2"),
}
"""Each family's two parameters, named as SHELF names them."""


@dataclass(frozen=True)
class Support:
    """Where the quantity can lie: ``(lower, upper)``, either end possibly infinite."""

    lower: float = -math.inf
    upper: float = math.inf

    @property
    def name(self) -> str:
        """``real``, ``positive`` (above a lower bound) or ``bounded``."""
        if math.isfinite(self.upper):
            return "bounded"
        return "positive" if math.isfinite(self.lower) else "real"

    def families(self) -> tuple[Family, ...]:
        """The families offered on this support."""
        offered: dict[str, tuple[Family, ...]] = {
            "real": ("normal", "t"),
            "positive": ("gamma", "lognormal", "logt"),
            "bounded": ("beta",),
        }
        return offered[self.name]

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies strictly inside the support."""
        return self.lower < x < self.upper


class Frozen(Protocol):
    """What is used of a frozen SciPy distribution."""

    def cdf(self, x: ArrayLike) -> np.ndarray: ...

    def logpdf(self, x: ArrayLike) -> np.ndarray: ...

    def ppf(self, q: ArrayLike) -> np.ndarray: ...


@functools.lru_cache(maxsize=256)
def _scipy(family: Family, a: float, b: float, lower: float, upper: float) -> Frozen:
    """The SciPy distribution (made once per family, parameters and support)."""
    from scipy import stats  # only when a distribution is used: the registry imports this

    if family == "normal":
        return stats.norm(loc=a, scale=b)
    if family == "t":
        return stats.t(T_DF, loc=a, scale=b)
    if family == "lognormal":
        return stats.lognorm(s=b, loc=lower, scale=math.exp(a))
    if family == "gamma":
        return stats.gamma(a, loc=lower, scale=1.0 / b)
    if family == "beta":
        return stats.beta(a, b, loc=lower, scale=upper - lower)
    # The log-t: SciPy's Student-t of log(x - lower), evaluated by :class:`Dist` (SciPy's
    # transformed variable ``stats.exp`` gives the same numbers, a hundred times slower).
    return stats.t(T_DF, loc=a, scale=b)


@dataclass(frozen=True)
class Dist:
    """One fitted distribution: a family, its two parameters and the support."""

    family: Family
    a: float
    b: float
    support: Support = Support()

    @property
    def _rv(self) -> Frozen:
        return _scipy(self.family, self.a, self.b, self.support.lower, self.support.upper)

    @property
    def _new_style(self) -> bool:
        return self.family == "logt"

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(X <= x)."""
        x = np.asarray(x, dtype=float)
        if self._new_style:
            y = x - self.support.lower
            inside = y > 0
            return np.where(inside, self._rv.cdf(np.log(np.where(inside, y, 1.0))), 0.0)
        return self._rv.cdf(x)

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        return 1.0 - self.cdf(x)

    def logpdf(self, x: ArrayLike) -> np.ndarray:
        """The log density."""
        x = np.asarray(x, dtype=float)
        if self._new_style:
            y = x - self.support.lower
            inside = y > 0
            log_y = np.log(np.where(inside, y, 1.0))
            return np.where(inside, self._rv.logpdf(log_y) - log_y, -np.inf)
        return self._rv.logpdf(x)

    def pdf(self, x: ArrayLike) -> np.ndarray:
        """The density."""
        return np.exp(self.logpdf(x))

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function."""
        if self._new_style:
            return np.exp(self._rv.ppf(q)) + self.support.lower
        return self._rv.ppf(q)

    @property
    def params(self) -> dict[str, float]:
        """The parameters by SHELF's names."""
        first, second = PARAMS[self.family]
        return {first: self.a, second: self.b}

    def describe(self) -> str:
        """``LogNormal(meanlog=6.8, sdlog=0.41)`` and the like."""
        name = {
            "normal": "Normal",
            "t": "Student-t(3)",
            "lognormal": "LogNormal",
            "logt": "Log-t(3)",
            "gamma": "Gamma",
            "beta": "Beta",
        }[self.family]
        inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        lo, hi = self.support.lower, self.support.upper
        shifted = self.family in ("lognormal", "logt", "gamma") and lo != 0
        where = f" on [{lo:g}, {hi:g}]" if self.family == "beta" else ""
        where = f" above {lo:g}" if shifted else where
        return f"{name}({inner}){where}"

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {"family": self.family, "params": self.params, "description": self.describe()}
