"""A quantity's sensitivity in the shared table, as every kind's: power-scaling by
Pareto-smoothed importance sampling, the other pool and each expert left out.

Power-scaling (:func:`forecast.sensitivity.assess`) reweights the posterior draws of the
amount with the pooled prior or the observed values' likelihood raised to 0.5 and 2
(their log densities: :func:`forecast.kinds.quantity.model.log_densities`), and ArviZ's
sensitivity values diagnose both the amount and P(X > t) for the first threshold. The
pool swap and the drop-one rows come from the exact posteriors the quantity's own
section computes (:mod:`forecast.kinds.quantity.sensitivity`), as a pool comparison
measured from the headline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.model import log_densities

if TYPE_CHECKING:
    from forecast.headline import Pools
    from forecast.kinds.quantity.sensitivity import Row
    from forecast.sensitivity import Sensitivity

NO_DATA = "no observed values: the forecast is the experts' pooled prior"
LABELS = {"x": "the amount", "q": "forecast"}


def _disagree(inputs: QuantityInputs) -> bool | None:
    """Whether the observed values' own estimate lies outside the prior's 90% interval."""
    obs = inputs.data
    if obs is None:
        return None
    centre = float(np.mean(obs.transformed))
    estimate = float(np.exp(centre)) if obs.log else centre
    lo, hi = (float(inputs.prior.ppf(p)) for p in (0.05, 0.95))
    return not lo <= estimate <= hi


def power_scaling(
    inputs: QuantityInputs, x: np.ndarray, threshold: float, data_label: str
) -> Sensitivity:
    """The power-scaling sensitivity at posterior draws ``x`` (chain, draw) of the amount,
    for the forecast P(X > ``threshold``)."""
    from forecast.sensitivity import assess

    x = np.asarray(x, dtype=float)
    above = (x > threshold).astype(float)
    log_prior, log_lik = log_densities(inputs, x)
    return assess(
        {"x": x, "q": above},
        above,
        log_prior,
        log_lik,
        data_label=data_label,
        disagree=_disagree(inputs),
        labels=LABELS,
        no_data=NO_DATA,
    )


def pools(inputs: QuantityInputs, rows: tuple[Row, ...], headline: float) -> Pools | None:
    """The exact pool-swap and drop-one rows as a pool comparison measured from the
    headline (None with one expert: nothing to swap or leave out)."""
    from forecast.elicit.pool import Alternative, Comparison, PoolSpec
    from forecast.headline import Pools

    alternatives = []
    for r in rows:
        if r.probability is None or r.delta is None or r.kind == "power-scaling":
            continue
        if r.kind == "pool":
            method = r.label.removesuffix(" pool")
            chosen = method == inputs.method
            alternatives.append(
                Alternative(r.label, "pool", method, r.probability, r.delta, chosen)
            )
        else:
            name = r.label.removeprefix("without ")
            alternatives.append(
                Alternative(r.label, "drop", inputs.method, r.probability, r.delta, expert=name)
            )
    if not alternatives:
        return None
    reference = next(a.forecast for a in alternatives if a.chosen)
    return Pools(Comparison(PoolSpec(inputs.method), reference, tuple(alternatives)), headline)


__all__ = ["NO_DATA", "pools", "power_scaling"]
