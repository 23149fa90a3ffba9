"""The drivers model's log densities for power-scaling: the pool at p0, the uncertain odds
ratios, and the coded cases' likelihood."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast.densities import log_beta_pool, log_normal
from forecast.sensitivity import Sensitivity, assess
from forecast.special import expit

if TYPE_CHECKING:
    from forecast.kinds.drivers.model import DriversInputs

NO_CASES = (
    "no data: no cases are coded; the forecast is the experts' prior moved by the drivers "
    "(and by evidence, if any)"
)


DRIVERS_LABELS = {"p": "chance with every driver off", "q": "forecast"}


def log_densities(
    inputs: DriversInputs, alpha: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Log prior and the cases' log likelihood of a drivers model, per draw.

    ``alpha`` is logit p0 (chain, draw), ``beta`` the log odds ratios (chain, draw, J)
    with fixed ones filled in. The prior is the pool's density at p0 plus each
    uncertain log odds ratio's Normal density (PyMC's ``compute_log_prior`` on ``p``
    and ``beta``, up to constants); the likelihood is the model's ``cases`` term.
    ``None`` for the likelihood when no cases are coded.
    """
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    log_prior = log_beta_pool(inputs.experts, inputs.weights, expit(alpha))
    for j, d in enumerate(inputs.drivers):
        if not d.fitted.fixed:
            log_prior = log_prior + log_normal(
                beta[..., j], d.fitted.params["mu"], d.fitted.params["sigma"]
            )
    y = np.asarray(inputs.cases_y, dtype=float)
    if y.size == 0:
        return log_prior, None
    x = np.asarray(inputs.cases_x, dtype=float).reshape(len(y), -1)
    eta = alpha[..., None] + beta @ x.T  # (chain, draw, cases)
    # log sigmoid(eta) = -softplus(-eta), as the model writes it.
    log_lik = -(y * np.logaddexp(0.0, -eta) + (1 - y) * np.logaddexp(0.0, eta)).sum(axis=-1)
    return log_prior, np.asarray(log_lik, dtype=float)


def of_draws(
    inputs: DriversInputs, alpha: np.ndarray, beta: np.ndarray, forecast: np.ndarray
) -> Sensitivity:
    """Sensitivity of a drivers forecast (per-draw probabilities, (chain, draw))."""
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    log_prior, log_lik = log_densities(inputs, alpha, beta)
    posterior: dict[str, np.ndarray] = {"p": expit(alpha)}
    labels = dict(DRIVERS_LABELS)
    for j, d in enumerate(inputs.drivers):
        if not d.fitted.fixed:
            posterior[f"odds_ratio[{d.id}]"] = np.exp(beta[..., j])
            labels[f"odds_ratio[{d.id}]"] = f"odds ratio: {d.id}"
    posterior["q"] = np.asarray(forecast, dtype=float)
    y = np.asarray(inputs.cases_y, dtype=float)
    data_label = f"cases ({int(y.sum())} of {y.size} with the event)"
    return assess(
        posterior,
        posterior["q"],
        log_prior,
        log_lik,
        data_label=data_label,
        labels=labels,
        no_data=NO_CASES,
    )


__all__ = ["DRIVERS_LABELS", "NO_CASES", "log_densities", "of_draws"]
