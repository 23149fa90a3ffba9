"""The update by observed comparable values: value ~ Normal(X, sd), or on the log scale.

The posterior of any pooled prior is found by quadrature in one dimension
(:mod:`forecast.kinds.quantity.quadrature`). Where it is conjugate it is also known in closed form
(:func:`conjugate`): a normal prior with natural-scale error, a lognormal prior (above
0) with log-scale error, and any linear pool of those (the posterior is the pool of
the updated experts, each reweighted by how well they predicted the mean of the data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from forecast.kinds.quantity.families import Dist, Family
from forecast.kinds.quantity.grid import Density
from forecast.kinds.quantity.pool import LinearPool


def _norm_logpdf(v: float, loc: np.ndarray, sd: float) -> np.ndarray:
    """log N(v; loc, sd), as PyMC's Normal writes it."""
    with np.errstate(invalid="ignore"):
        z = (v - loc) / sd
    return np.asarray(-0.5 * z * z - 0.5 * math.log(2 * math.pi) - math.log(sd))


@dataclass(frozen=True)
class Observations:
    """Observed values and their measurement model (plain numbers)."""

    values: tuple[float, ...]
    sd: float
    log: bool

    @property
    def transformed(self) -> np.ndarray:
        """The values on the scale the error is normal on."""
        v = np.asarray(self.values, dtype=float)
        return np.log(v) if self.log else v

    def loglik(self, x: ArrayLike) -> np.ndarray:
        """log p(values | X = x), up to a constant."""
        x = np.asarray(x, dtype=float)
        y = self.transformed
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                loc = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), -np.inf)
        else:
            loc = x
        out = np.zeros_like(loc)
        for v in y:
            out = out + _norm_logpdf(v, loc, self.sd)
        return np.where(np.isfinite(out), out, -np.inf)


def _normal_update(m: float, s: float, y: np.ndarray, sd: float) -> tuple[float, float, float]:
    """Normal(m, s) prior, n values with error sd: posterior mean, sd and log evidence of
    the mean of the values (the part of the marginal likelihood that depends on m, s)."""
    n = len(y)
    prec = 1 / s**2 + n / sd**2
    mean = (m / s**2 + y.sum() / sd**2) / prec
    log_ev = float(_norm_logpdf(float(y.mean()), np.asarray(m), math.sqrt(s**2 + sd**2 / n)))
    return float(mean), float(1 / math.sqrt(prec)), log_ev


def conjugate(prior: Density, obs: Observations) -> LinearPool | None:
    """The posterior in closed form when it is conjugate, else None."""
    if not isinstance(prior, LinearPool):
        return None
    comps = prior.components
    family: Family = "lognormal" if obs.log else "normal"
    if any(d.family != family or (obs.log and d.support.lower != 0) for d in comps):
        return None
    y = obs.transformed
    updated, logw = [], []
    for w, d in zip(prior.weights, comps, strict=True):
        m, s, log_ev = _normal_update(d.a, d.b, y, obs.sd)
        updated.append(Dist(family, m, s, d.support))
        logw.append(math.log(w) + log_ev if w > 0 else -math.inf)
    top = max(logw)
    weights = tuple(math.exp(v - top) for v in logw)
    return LinearPool(tuple(updated), weights)
