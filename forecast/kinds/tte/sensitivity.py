"""A time-to-event model's power-scaling sensitivity.

Scheduled: the experts' pool on the per-opportunity chance ``q`` and the trend's prior
when it is uncertain; the passed opportunities without the event. Hazard: the experts'
pool on the median time and the Weibull shape's prior when it is uncertain; the time
passed without the event. Priors up to constants.
"""

from __future__ import annotations

import numpy as np

from forecast.kinds.tte.draws import Draws
from forecast.kinds.tte.model import TteInputs
from forecast.sensitivity import Sensitivity, assess

NO_HISTORY = "no data: nothing has passed yet, so the forecast is the experts' prior"
TTE_LABELS = {
    "q_opportunity": "chance at each opportunity",
    "log_trend": "trend (log odds multiplier)",
    "median_years": "median years to the event",
    "shape": "Weibull shape",
    "q": "forecast",
}


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


__all__ = ["NO_HISTORY", "TTE_LABELS", "log_densities", "of_draws"]
