"""The event model's log densities for power-scaling: the pool at ``p``, the base rate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast.densities import log_pool_of_p
from forecast.sensitivity import Sensitivity, assess

if TYPE_CHECKING:
    from forecast.kinds.event.model import EventInputs


def log_densities(inputs: EventInputs, p: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The pooled prior's log-density at ``p`` and the base rate's log likelihood, per draw.

    The same densities as the event model's (PyMC's ``compute_log_prior`` and
    ``compute_log_likelihood`` give them too, at the cost of compiling two functions
    per model: about a second, several with a cold cache); here they are a few NumPy
    operations. The prior is taken on ``p`` whatever the pool, so the table reads the
    same for every pool. ``None`` for the likelihood when there is no base rate.
    """
    log_prior = log_pool_of_p(inputs.experts, inputs.weights, inputs.pool, p)
    if inputs.base_rate is None:
        return log_prior, None
    x = np.clip(np.asarray(p, dtype=float), 1e-300, 1 - 1e-16)
    log_x, log_1mx = np.log(x), np.log1p(-x)
    k, n, weight = inputs.base_rate
    return log_prior, weight * (k * log_x + (n - k) * log_1mx)


def of_draws(inputs: EventInputs, p: np.ndarray, q: np.ndarray) -> Sensitivity:
    """Sensitivity of an event forecast from its posterior draws of ``p`` and ``q``."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    log_prior, log_lik = log_densities(inputs, p)
    data_label, disagree = "base rate", None
    if inputs.base_rate is not None:
        k, n, weight = inputs.base_rate
        data_label = f"base rate {k}/{n} (as {weight * n:g} cases)"
        prior = inputs.prior
        disagree = not prior.ppf(0.05) <= k / n <= prior.ppf(0.95) if n else None
    return assess({"p": p, "q": q}, q, log_prior, log_lik, data_label=data_label, disagree=disagree)


__all__ = ["log_densities", "of_draws"]
