"""A time-to-event model's power-scaling sensitivity.

Scheduled: the experts' pool on the per-opportunity chance ``q`` and the trend's prior
when it is uncertain; the passed opportunities without the event. Hazard: the experts'
pool on the median time and the Weibull shape's prior when it is uncertain; the time
passed without the event. Priors up to constants.

A sampled forecast measures it on its draws (:func:`of_draws`, Pareto-smoothed
importance sampling, ArviZ); an exact one on its quadrature grid (:func:`of_grid`,
:mod:`forecast.kinds.tte.reweight`), with the same quantities, rows and verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecast.kinds.tte.draws import Draws
from forecast.kinds.tte.grid import TteGrid
from forecast.kinds.tte.model import TteInputs
from forecast.sensitivity import SCALES, Move, Quantity, Sensitivity, assess, judged, label_of

NO_HISTORY = "no data: nothing has passed yet, so the forecast is the experts' prior"
TTE_LABELS = {
    "q_opportunity": "chance at each opportunity",
    "log_trend": "trend (log odds multiplier)",
    "median_years": "median years to the event",
    "shape": "Weibull shape",
    "q": "forecast",
}
PRIOR_LABEL = "experts' prior"


def log_densities(inputs: TteInputs, draws: Draws) -> tuple[np.ndarray, np.ndarray | None]:
    """Log prior and the history's log likelihood per draw (draws shaped (chain, draw));
    ``None`` for the likelihood when nothing has passed."""
    return inputs.log_densities(draws)


def of_draws(inputs: TteInputs, draws: Draws, forecast: np.ndarray) -> Sensitivity:
    """Sensitivity of a time-to-event forecast (P(by the deadline) per draw)."""
    log_prior, log_lik = inputs.log_densities(draws)
    posterior, data_label = inputs.sensitivity_quantities(draws)
    posterior["q"] = np.asarray(forecast, dtype=float)
    return assess(
        posterior,
        posterior["q"],
        log_prior,
        log_lik,
        data_label=data_label,
        labels=TTE_LABELS,
        no_data=NO_HISTORY,
    )


def of_grid(
    inputs: TteInputs,
    grid: TteGrid,
    levels: Sequence[float],
    upto: tuple[int, float],
    draws: int,
) -> Sensitivity:
    """Sensitivity of an exact time-to-event forecast, on its quadrature grid.

    The rows (prior and history counted half and double) are exact reweightings of the
    grid; the sensitivities are ArviZ's, on the grid's exact CDFs over the range
    ``draws`` draws would span (:func:`forecast.kinds.tte.reweight.sense`).
    """
    from forecast.kinds.tte.reweight import Reweighted, forecast_atoms, grid_draws, sense

    at = grid_draws(grid)
    log_prior, log_lik = inputs.log_densities(at)
    if log_lik is None:
        return Sensitivity(has_data=False, verdict=NO_HISTORY)
    posterior, data_label = inputs.sensitivity_quantities(at)
    values = grid.point_values(levels, [upto])[0]
    base = float(values @ grid._alive[2])
    moves = []
    for label, density in ((PRIOR_LABEL, log_prior), (data_label, log_lik)):
        for alpha in SCALES:
            r = Reweighted(grid, (alpha - 1.0) * density)
            value = r.mean(grid, values)
            how = "counted half" if alpha < 1 else "counted double"
            note = "" if r.reliable else "rough: the grid misses part of it"
            moves.append(
                Move(f"{label} {how}", "power-scaling", value, value - base, note, r.reliable)
            )
    quantities = []
    w = grid.weights
    for name, x in posterior.items():
        prior, lik = sense(x, w, (log_prior, log_lik), draws)
        quantities.append(Quantity(name, TTE_LABELS[name], prior, lik, label_of(prior, lik)))
    p, node_w, flat = forecast_atoms(grid, levels, upto)
    atom_w = w.reshape(-1)[flat][:, None] * node_w[None, :]
    lds = [np.broadcast_to(d.reshape(-1)[flat][:, None], p.shape) for d in (log_prior, log_lik)]
    prior, lik = sense(p, atom_w, lds, draws)
    quantities.append(Quantity("q", TTE_LABELS["q"], prior, lik, label_of(prior, lik)))
    return judged(quantities, moves, data_label=data_label)


__all__ = ["NO_HISTORY", "PRIOR_LABEL", "TTE_LABELS", "log_densities", "of_draws", "of_grid"]
