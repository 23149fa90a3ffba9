"""The distribution families a quantity's judgements are fitted to (SHELF's).

Each family is a distribution on the question's support, by SciPy's special functions:
``normal`` and Student-``t`` on the real line; ``gamma``, ``lognormal`` and ``logt``
(the exponential of a Student-t) above a lower bound; the ``beta`` scaled to ``[lower,
upper]``. As in SHELF's ``fitdist`` the Student-t families have 3 degrees of freedom.
Only the families whose support is the question's own are offered (SHELF also fits the
normal and t to a bounded quantity; here a fit never puts mass on impossible values).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

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


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


@functools.cache
def _t_log_const() -> float:
    """log Γ((ν+1)/2) - log Γ(ν/2) - log(νπ)/2 of the Student-t with :data:`T_DF`."""
    from scipy import special

    gammas = float(special.gammaln((T_DF + 1) / 2) - special.gammaln(T_DF / 2))
    return gammas - 0.5 * math.log(T_DF * math.pi)


@dataclass(frozen=True)
class Dist:
    """One fitted distribution: a family, its two parameters and the support.

    Densities, CDFs and quantiles are SciPy's special functions (``ndtr``, ``stdtr``,
    ``gammainc``, ``betainc`` and their inverses), the densities written as PyMC writes
    them, so nothing imports ``scipy.stats``.
    """

    family: Family
    a: float
    b: float
    support: Support = Support()

    def _y(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The value on the family's own scale (x itself, x - lower, or its share of the
        bounded range), and where it lies inside the support."""
        lo, hi = self.support.lower, self.support.upper
        if self.family in ("normal", "t"):
            return x, np.ones(x.shape, dtype=bool)
        y = x - lo if self.family != "beta" else (x - lo) / (hi - lo)
        inside = (y > 0) & (y < 1) if self.family == "beta" else y > 0
        return np.where(inside, y, 0.5), inside

    def _z(self, y: np.ndarray) -> np.ndarray:
        """The standardised location-scale variable (on the log scale for the log families)."""
        v = np.log(y) if self.family in ("lognormal", "logt") else y
        return np.asarray((v - self.a) / self.b)

    def logpdf(self, x: ArrayLike) -> np.ndarray:
        """The log density."""
        from scipy import special

        x = np.asarray(x, dtype=float)
        y, inside = self._y(x)
        f = self.family
        if f in ("normal", "lognormal"):
            z = self._z(y)
            out = -0.5 * z * z - _HALF_LOG_2PI - math.log(self.b)
        elif f in ("t", "logt"):
            z = self._z(y)
            out = _t_log_const() - math.log(self.b) - (T_DF + 1) / 2 * np.log1p(z * z / T_DF)
        elif f == "gamma":
            with np.errstate(divide="ignore"):
                out = (
                    self.a * math.log(self.b)
                    + (self.a - 1) * np.log(y)
                    - self.b * y
                    - special.gammaln(self.a)
                )
        else:
            width = self.support.upper - self.support.lower
            out = (
                (self.a - 1) * np.log(y)
                + (self.b - 1) * np.log1p(-y)
                - special.betaln(self.a, self.b)
                - math.log(width)
            )
        if f in ("lognormal", "logt"):
            out = out - np.log(y)
        return np.asarray(np.where(inside, out, -np.inf))

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(X <= x)."""
        from scipy import special

        x = np.asarray(x, dtype=float)
        y, inside = self._y(x)
        f = self.family
        if f in ("normal", "lognormal"):
            out = special.ndtr(self._z(y))
        elif f in ("t", "logt"):
            out = special.stdtr(T_DF, self._z(y))
        elif f == "gamma":
            out = special.gammainc(self.a, self.b * y)
        else:
            out = special.betainc(self.a, self.b, y)
        if f in ("normal", "t"):
            return np.asarray(out)
        above = x >= self.support.upper if f == "beta" else np.zeros(x.shape, bool)
        return np.asarray(np.where(inside, out, np.where(above, 1.0, 0.0)))

    def sf(self, x: ArrayLike) -> np.ndarray:
        """P(X > x)."""
        return 1.0 - self.cdf(x)

    def pdf(self, x: ArrayLike) -> np.ndarray:
        """The density."""
        return np.exp(self.logpdf(x))

    def ppf(self, q: ArrayLike) -> np.ndarray:
        """The quantile function."""
        from scipy import special

        q = np.asarray(q, dtype=float)
        f, lo = self.family, self.support.lower
        if f in ("normal", "lognormal"):
            v = self.a + self.b * special.ndtri(q)
        elif f in ("t", "logt"):
            v = self.a + self.b * special.stdtrit(T_DF, q)
        elif f == "gamma":
            return np.asarray(lo + special.gammaincinv(self.a, q) / self.b)
        else:
            width = self.support.upper - lo
            return np.asarray(lo + width * special.betaincinv(self.a, self.b, q))
        if f in ("lognormal", "logt"):
            return np.asarray(lo + np.exp(v))
        return np.asarray(v)

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
