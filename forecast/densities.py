"""Log densities of the experts' pools and of the Normal, per draw, in NumPy.

The same densities the models give PyMC, up to constants, for the power-scaling
sensitivity (:mod:`forecast.sensitivity`) and the kinds' log densities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from forecast.elicit.distributions import Fitted
    from forecast.elicit.pool import PoolSpec


def log_pool_of_p(
    experts: Sequence[Fitted], weights: Sequence[float], spec: PoolSpec, p: np.ndarray
) -> np.ndarray:
    """Log density at ``p`` of the experts' pool (:func:`~forecast.elicit.pool.pooled_logpdf`)."""
    from forecast.elicit.pool import pooled_logpdf

    logpdf_u, _ = pooled_logpdf(experts, weights, spec)
    x = np.clip(np.asarray(p, dtype=float), 1e-300, 1 - 1e-16)
    log_x, log_1mx = np.log(x), np.log1p(-x)
    # density of p = density of u = logit p times du/dp = 1 / (p (1 - p))
    return np.asarray(logpdf_u(log_x - log_1mx), dtype=float) - log_x - log_1mx


def log_beta_pool(experts: Sequence[Fitted], weights: Sequence[float], x: np.ndarray) -> np.ndarray:
    """Log density at ``x`` of the experts' linear pool of Betas (the models' mixture)."""
    from forecast.elicit.pool import PoolSpec

    return log_pool_of_p(experts, weights, PoolSpec(), x)


def log_normal(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Normal log density, without its 2 pi constant."""
    return np.asarray(-0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma), dtype=float)


def log_lognormal_pool(
    experts: Sequence[Fitted], weights: Sequence[float], x: np.ndarray
) -> np.ndarray:
    """Log density at ``x`` of the experts' linear pool of LogNormals, without 2 pi."""
    from scipy.special import logsumexp

    w = np.asarray(weights, dtype=float) / float(sum(weights))
    log_x = np.log(np.asarray(x, dtype=float))
    with np.errstate(divide="ignore"):
        parts = [
            np.log(wi) + log_normal(log_x, f.params["mu"], f.params["sigma"]) - log_x
            for wi, f in zip(w, experts, strict=True)
        ]
    return np.asarray(logsumexp(np.stack(parts), axis=0), dtype=float)


__all__ = ["log_beta_pool", "log_lognormal_pool", "log_normal", "log_pool_of_p"]
