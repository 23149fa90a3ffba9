"""The event model's log density in NumPy, on the free variables PyMC samples.

:func:`forecast.kinds.event.model.build` defines the model; this module writes the same
joint log density, term for term, as a function of the model's *value variables* (the
unconstrained coordinates NUTS moves in, Jacobians included), so that it equals
``model.compile_logp()`` at any point. A test checks the two against each other at
1,000 random points for every pool, extremizing, base rate and evidence layout; the
exact method integrates this density without importing PyMC.

Coordinates (named as PyMC names the value variables):

* ``u`` — the logit of the pooled propensity (``p_logodds__``, or ``p_pooled_logodds__``
  when the pool is extremized); for the hierarchical pool ``mu`` (``pool_logit``) and
  ``t`` = log of the between-expert spread (``expert_spread_log__``);
* ``llr`` — one log likelihood ratio per uncertain evidence item applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast import special
from forecast.elicit.pool import MU_PRIOR_SD, TAU_PRIOR_SD, hierarchical_inputs, log_pool_beta

_LOG_2PI = math.log(2.0 * math.pi)


def _norm_logpdf(x: Any, mu: Any, sd: Any) -> Any:
    z = (np.asarray(x) - mu) / sd
    return -0.5 * z * z - np.log(sd) - 0.5 * _LOG_2PI


@dataclass(frozen=True)
class EventDensity:
    """The event model's numbers, as the log density needs them (see the module doc)."""

    method: str
    """``beta`` (one Beta: one expert, or the logarithmic pool), ``mixture`` or
    ``hierarchical``."""
    alphas: np.ndarray
    betas: np.ndarray
    log_weights: np.ndarray
    extremize: float
    base_rate: tuple[float, float, float] | None
    llr_mu: np.ndarray
    llr_sigma: np.ndarray
    fixed_llr: float
    readings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    """Hierarchical pool: each expert's logit reading, own spread and precision scale."""
    items: tuple[tuple[float, float], ...] = ()
    """Each applied evidence item in file order: the mean and sd of its log likelihood
    ratio (sd 0 when fixed)."""

    @classmethod
    def of(cls, inputs: Any) -> EventDensity:
        """The density of the model :func:`forecast.kinds.event.model.build` makes of ``inputs``."""
        pool = inputs.pool
        w = np.asarray(inputs.weights, dtype=float)
        w = w / w.sum()
        keep = w > 0
        empty = np.zeros(0)
        readings = None
        if pool.method == "hierarchical":
            method, alphas, betas, logw = "hierarchical", empty, empty, empty
            readings = hierarchical_inputs(inputs.experts, inputs.weights)
        elif pool.method == "logarithmic":
            pooled = log_pool_beta(inputs.experts, inputs.weights)
            method = "beta"
            alphas = np.array([pooled.params["alpha"]])
            betas = np.array([pooled.params["beta"]])
            logw = np.zeros(1)
        else:
            alphas = np.array([f.params["alpha"] for f in inputs.experts])[keep]
            betas = np.array([f.params["beta"] for f in inputs.experts])[keep]
            method = "beta" if len(alphas) == 1 else "mixture"
            logw = np.log(w[keep]) if len(alphas) > 1 else np.zeros(1)
        applied = inputs.applied
        uncertain = [e for e in applied if not e.fitted.fixed]
        br = inputs.base_rate
        return cls(
            method=method,
            alphas=alphas,
            betas=betas,
            log_weights=logw,
            extremize=float(pool.extremize),
            base_rate=None if br is None else (float(br[0]), float(br[1]), float(br[2])),
            llr_mu=np.array([e.fitted.params["mu"] for e in uncertain], dtype=float),
            llr_sigma=np.array([e.fitted.params["sigma"] for e in uncertain], dtype=float),
            fixed_llr=float(sum(e.fitted.params["mu"] for e in applied if e.fitted.fixed)),
            readings=readings,
            items=tuple(
                (
                    float(e.fitted.params["mu"]),
                    0.0 if e.fitted.fixed else float(e.fitted.params["sigma"]),
                )
                for e in applied
            ),
        )

    @property
    def hierarchical(self) -> bool:
        """True when the pool has a second coordinate (the between-expert spread)."""
        return self.method == "hierarchical"

    def logit_p(self, u: Any) -> Any:
        """logit of the propensity ``p`` the base rate and evidence act on, from ``u``
        (``mu`` for the hierarchical pool): d · u, d the extremizing factor (1 when off)."""
        return self.extremize * np.asarray(u, dtype=float)

    def pool_logp(self, u: Any, t: Any = None) -> Any:
        """Log density of the pooled coordinates (the pool's prior terms, Jacobians
        included, and for the hierarchical pool the experts' readings)."""
        u = np.asarray(u, dtype=float)
        if self.method == "hierarchical":
            assert self.readings is not None and t is not None
            m, s, c = self.readings
            t = np.asarray(t, dtype=float)
            tau = np.exp(t)
            out = _norm_logpdf(u, 0.0, MU_PRIOR_SD)
            # HalfNormal(TAU_PRIOR_SD) on the log scale: log 2 + N(tau; 0, sd) + t.
            out = out + math.log(2.0) + _norm_logpdf(tau, 0.0, TAU_PRIOR_SD) + t
            for mi, si, ci in zip(m, s, c, strict=True):
                sd = np.sqrt(si**2 + tau**2) / math.sqrt(ci)
                out = out + _norm_logpdf(mi, u, sd)
            return out
        log_sig, log_sig_neg = special.log_expit(u), special.log_expit(-u)
        terms = [
            lw + a * log_sig + b * log_sig_neg - special.betaln(a, b)
            for lw, a, b in zip(self.log_weights, self.alphas, self.betas, strict=True)
        ]
        if len(terms) == 1:
            return terms[0]
        return special.logsumexp(np.stack(terms), axis=0)

    def base_rate_logp(self, u: Any) -> Any:
        """The power-prior binomial term w [k log p + (n - k) log(1 - p)] (0 without one)."""
        if self.base_rate is None:
            return np.zeros_like(np.asarray(u, dtype=float))
        k, n, w = self.base_rate
        x = self.logit_p(u)
        return w * (k * special.log_expit(x) + (n - k) * special.log_expit(-x))

    def llr_logp(self, llr: Any) -> Any:
        """Log density of the uncertain evidence items' log likelihood ratios (last axis)."""
        llr = np.asarray(llr, dtype=float)
        if not len(self.llr_mu):
            return np.zeros(llr.shape[:-1])
        return np.sum(_norm_logpdf(llr, self.llr_mu, self.llr_sigma), axis=-1)

    def logp(self, point: dict[str, Any]) -> float:
        """The joint log density at one point, keyed as PyMC keys its value variables."""
        if self.hierarchical:
            u, t = point["pool_logit"], point["expert_spread_log__"]
        else:
            u = point.get("p_logodds__", point.get("p_pooled_logodds__"))
            t = None
        total = self.pool_logp(u, t) + self.base_rate_logp(u)
        if len(self.llr_mu):
            total = total + self.llr_logp(point["llr"])
        return float(total)

    def value_names(self) -> tuple[str, ...]:
        """The names of the model's value variables, in PyMC's order."""
        if self.hierarchical:
            names: tuple[str, ...] = ("pool_logit", "expert_spread_log__")
        elif self.extremize != 1.0:
            names = ("p_pooled_logodds__",)
        else:
            names = ("p_logodds__",)
        return (*names, "llr") if len(self.llr_mu) else names

    def logit_sds(self) -> np.ndarray:
        """The spread of ``u`` under each component (its finest scale, for the grid)."""
        if self.hierarchical:
            assert self.readings is not None
            _, s, c = self.readings
            return np.array([min(float(np.min(s / np.sqrt(c))), MU_PRIOR_SD, TAU_PRIOR_SD)])
        sds = np.sqrt(special.trigamma(self.alphas) + special.trigamma(self.betas))
        if self.base_rate is not None:
            k, n, w = self.base_rate
            a, b = w * k + 1.0, w * (n - k) + 1.0
            br_sd = math.sqrt(special.trigamma(a) + special.trigamma(b))
            sds = np.append(sds, br_sd / self.extremize)
        return np.asarray(sds, dtype=float)

    def logit_centres(self) -> np.ndarray:
        """Where each component of ``u`` is centred (the mean of its logit)."""
        if self.hierarchical:
            assert self.readings is not None
            return np.asarray(self.readings[0], dtype=float)
        return np.asarray(special.digamma(self.alphas) - special.digamma(self.betas))


__all__ = ["EventDensity"]
