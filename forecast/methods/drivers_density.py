"""The drivers model's log density in NumPy, on the free variables PyMC samples.

:func:`forecast.kinds.drivers.model.build` defines the model; this module writes the same
joint log density as a function of its value variables (``p_logodds__``, the logit of
the baseline p0, Jacobian included; ``beta``, the uncertain drivers' log odds ratios;
``llr``, the uncertain evidence's log likelihood ratios), split into the prior, from
which the importance method draws, and the coded cases' likelihood, which weights the
draws. A test checks the sum against ``model.compile_logp()`` at 1,000 random points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from forecast import special

_LOG_2PI = math.log(2.0 * math.pi)


def _norm_logpdf(x: ArrayLike, mu: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
    z = (np.asarray(x) - mu) / sd
    return -0.5 * z * z - np.log(sd) - 0.5 * _LOG_2PI


def _filled(fixed: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Per-draw values (..., len(fixed)): ``fixed`` where it is a number, ``free`` (...,
    free ones) in its NaN places."""
    free = np.asarray(free, dtype=float)
    shape = free.shape[:-1] if free.ndim else ()
    out = np.broadcast_to(fixed, (*shape, len(fixed))).copy()
    out[..., np.isnan(fixed)] = free
    return out


@dataclass(frozen=True)
class DriversDensity:
    """The drivers model's numbers, as the log density needs them."""

    alphas: np.ndarray
    betas: np.ndarray
    log_weights: np.ndarray
    beta_mu: np.ndarray
    beta_sigma: np.ndarray
    fixed_beta: np.ndarray
    """Each driver's log odds ratio when fixed, NaN where it is uncertain (file order)."""
    llr_mu: np.ndarray
    llr_sigma: np.ndarray
    fixed_llr: np.ndarray
    """Each applied evidence item's log likelihood ratio when fixed, NaN where it is
    uncertain."""
    cases_x: np.ndarray
    cases_y: np.ndarray

    @classmethod
    def of(cls, inputs: Any) -> DriversDensity:
        """The density of the model :func:`~forecast.kinds.drivers.model.build` makes."""
        w = np.asarray(inputs.weights, dtype=float)
        uncertain = [d for d in inputs.drivers if not d.fitted.fixed]
        evidence = [e for e in inputs.applied if not e.fitted.fixed]
        with np.errstate(divide="ignore"):
            logw = np.log(w / w.sum()) if len(inputs.experts) > 1 else np.zeros(1)
        return cls(
            alphas=np.array([f.params["alpha"] for f in inputs.experts], dtype=float),
            betas=np.array([f.params["beta"] for f in inputs.experts], dtype=float),
            log_weights=logw,
            beta_mu=np.array([d.fitted.params["mu"] for d in uncertain], dtype=float),
            beta_sigma=np.array([d.fitted.params["sigma"] for d in uncertain], dtype=float),
            fixed_beta=np.array(
                [d.fitted.params["mu"] if d.fitted.fixed else np.nan for d in inputs.drivers],
                dtype=float,
            ),
            llr_mu=np.array([e.fitted.params["mu"] for e in evidence], dtype=float),
            llr_sigma=np.array([e.fitted.params["sigma"] for e in evidence], dtype=float),
            fixed_llr=np.array(
                [e.fitted.params["mu"] if e.fitted.fixed else np.nan for e in inputs.applied],
                dtype=float,
            ),
            cases_x=np.asarray(inputs.cases_x, dtype=float).reshape(-1, len(inputs.drivers)),
            cases_y=np.asarray(inputs.cases_y, dtype=float),
        )

    def value_names(self) -> tuple[str, ...]:
        """The model's value variables, in PyMC's order."""
        names = ["p_logodds__"]
        if len(self.beta_mu):
            names.append("beta")
        if len(self.llr_mu):
            names.append("llr")
        return tuple(names)

    def full_beta(self, beta: np.ndarray) -> np.ndarray:
        """Every driver's log odds ratio per draw (..., J): the free ones and the fixed."""
        return _filled(self.fixed_beta, beta)

    def full_llr(self, llr: np.ndarray) -> np.ndarray:
        """Every applied evidence item's log likelihood ratio per draw (..., K)."""
        return _filled(self.fixed_llr, llr)

    def pool_logp(self, u: ArrayLike) -> np.ndarray:
        """Log density of u = logit p0 under the experts' linear pool (Jacobian included)."""
        u = np.asarray(u, dtype=float)
        terms = [
            lw + a * special.log_expit(u) + b * special.log_expit(-u) - special.betaln(a, b)
            for lw, a, b in zip(self.log_weights, self.alphas, self.betas, strict=True)
        ]
        return terms[0] if len(terms) == 1 else special.logsumexp(np.stack(terms), axis=0)

    def prior_logp(self, u: ArrayLike, beta: ArrayLike, llr: ArrayLike) -> np.ndarray:
        """The prior terms: the pool, the drivers' and the evidence's Normals."""
        out = self.pool_logp(u)
        if len(self.beta_mu):
            out = out + np.sum(_norm_logpdf(beta, self.beta_mu, self.beta_sigma), axis=-1)
        if len(self.llr_mu):
            out = out + np.sum(_norm_logpdf(llr, self.llr_mu, self.llr_sigma), axis=-1)
        return out

    def cases_loglik(self, u: ArrayLike, beta: ArrayLike) -> np.ndarray:
        """The coded cases' Bernoulli log likelihood, per draw (u: (...,), beta: (..., U))."""
        u = np.asarray(u, dtype=float)
        if not len(self.cases_y):
            return np.zeros(u.shape)
        full = self.full_beta(np.asarray(beta, dtype=float).reshape(*u.shape, -1))
        eta = u[..., None] + full @ self.cases_x.T  # (..., cases)
        y = self.cases_y
        return np.asarray(
            np.sum(-y * np.logaddexp(0.0, -eta) - (1 - y) * np.logaddexp(0.0, eta), axis=-1)
        )

    def logp(self, point: Mapping[str, ArrayLike]) -> float:
        """The joint log density at one point, keyed as PyMC keys its value variables."""
        u = np.asarray(point["p_logodds__"], dtype=float)
        beta = np.asarray(point.get("beta", np.zeros(0)), dtype=float)
        llr = np.asarray(point.get("llr", np.zeros(0)), dtype=float)
        return float(self.prior_logp(u, beta, llr) + self.cases_loglik(u, beta))

    def prior_draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` independent draws from the prior: ``u`` (n,), ``beta`` (n, U), ``llr`` (n, K)."""
        w = np.exp(self.log_weights)
        which = rng.choice(len(self.alphas), size=n, p=w / w.sum())
        p = rng.beta(self.alphas[which], self.betas[which])
        p = np.clip(p, 1e-300, 1.0 - 1e-16)
        return {
            "u": np.log(p) - np.log1p(-p),
            "beta": self.beta_mu + self.beta_sigma * rng.standard_normal((n, len(self.beta_mu))),
            "llr": self.llr_mu + self.llr_sigma * rng.standard_normal((n, len(self.llr_mu))),
        }


__all__ = ["DriversDensity"]
