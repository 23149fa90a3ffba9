"""The event model's log densities for power-scaling (the pool at ``p``, the base rate)
and its sensitivity, from posterior draws or, for an exact forecast, on its grid."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from forecast.densities import log_pool_of_p
from forecast.sensitivity import (
    QUANTITY_LABELS,
    SCALES,
    Move,
    Quantity,
    Sensitivity,
    assess,
    judged,
    label_of,
)

if TYPE_CHECKING:
    from forecast.kinds.event.model import EventInputs
    from forecast.methods.exact import ExactEvent
    from forecast.methods.power_scaling import GridQuantity


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


def log_densities_logit(inputs: EventInputs, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`log_densities` at x = logit p, computed from x (the tails keep their
    precision); the base rate's log likelihood is 0 without one."""
    from forecast.elicit.pool import pooled_logpdf

    x = np.asarray(x, dtype=float)
    log_p, log_1mp = -np.logaddexp(0.0, -x), -np.logaddexp(0.0, x)
    logpdf_u, _ = pooled_logpdf(inputs.experts, inputs.weights, inputs.pool)
    log_prior = np.asarray(logpdf_u(x), dtype=float) - log_p - log_1mp
    if inputs.base_rate is None:
        return log_prior, np.zeros_like(x)
    k, n, weight = inputs.base_rate
    return log_prior, weight * (k * log_p + (n - k) * log_1mp)


def _data(inputs: EventInputs) -> tuple[str, bool | None]:
    """How the report names the base rate, and whether it lies outside the prior's 90%."""
    if inputs.base_rate is None:
        return "base rate", None
    k, n, weight = inputs.base_rate
    prior = inputs.prior
    disagree = not prior.ppf(0.05) <= k / n <= prior.ppf(0.95) if n else None
    return f"base rate {k}/{n} (as {weight * n:g} cases)", disagree


def of_draws(inputs: EventInputs, p: np.ndarray, q: np.ndarray) -> Sensitivity:
    """Sensitivity of an event forecast from its posterior draws of ``p`` and ``q``."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    log_prior, log_lik = log_densities(inputs, p)
    data_label, disagree = _data(inputs)
    return assess({"p": p, "q": q}, q, log_prior, log_lik, data_label=data_label, disagree=disagree)


def of_grid(inputs: EventInputs, exact: ExactEvent, draws: int) -> Sensitivity:
    """Sensitivity of an exact event forecast on its grid: the same quantities, rows and
    verdict as :func:`of_draws`, each by quadrature (:mod:`forecast.methods.power_scaling`).

    ``draws`` is how many draws the forecast reports (chains × draws): ArviZ's
    sensitivity of a quantity depends on the range its draws span, and the grid's is
    taken over the range that many draws span on average.
    """
    from forecast.methods import power_scaling as ps

    if inputs.base_rate is None:
        return Sensitivity(has_data=False)
    grid = exact.grid
    x, w = grid.x, grid.weights
    log_prior, log_lik = log_densities_logit(inputs, x)
    shift = exact.shift
    quantities = (ps.GridQuantity.monotone("p", _expit(x)), _forecast_quantity(exact))
    found = []
    for quantity in quantities:
        prior, lik = (ps.sense(quantity, w, d, draws) for d in (log_prior, log_lik))
        name = quantity.name
        found.append(Quantity(name, QUANTITY_LABELS[name], prior, lik, label_of(prior, lik)))
    g = grid.mean_sigmoid_at_nodes(shift)
    base = float(np.dot(w, g))
    data_label, disagree = _data(inputs)
    moves = []
    for label, density in (("experts' prior", log_prior), (data_label, log_lik)):
        for alpha in SCALES:
            scaled = ps.scaled(w, density, alpha)
            value = float(np.dot(scaled, g))
            how = "counted half" if alpha < 1 else "counted double"
            inside = ps.covered(scaled)
            note = "" if inside else "rough: reaches the ends of the grid"
            moves.append(Move(f"{label} {how}", "power-scaling", value, value - base, note, inside))
    return judged(found, moves, data_label=data_label, disagree=disagree)


def _forecast_quantity(exact: ExactEvent) -> GridQuantity:
    """q = sigmoid(x + S) on the grid: monotone in x without uncertain evidence, else x
    plus the evidence's Normal shift."""
    from forecast.methods import power_scaling as ps
    from forecast.methods.grid import normal_cdf

    x, shift = exact.grid.x, exact.shift
    if shift.sigma == 0.0:
        return ps.GridQuantity.monotone("q", _expit(x + shift.mu))
    return ps.GridQuantity.plus_normal("q", x, shift.mu, shift.sigma, normal_cdf, _expit)


def _expit(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float))))


def _logit(p: float) -> float:
    return math.log(p) - math.log1p(-p)


__all__ = ["log_densities", "log_densities_logit", "of_draws", "of_grid"]
