"""A quantity's sensitivity in the shared table, as every kind's: power-scaling, the
other pool and each expert left out.

Power-scaling raises the pooled prior or the observed values' likelihood to 0.5 and 2
and diagnoses both the amount and P(X > t) for the first threshold with ArviZ's
sensitivity values (a gradient of the cumulative Jensen-Shannon distance at powers 0.99
and 1.01). An exact forecast computes all of it on its quadrature grid
(:func:`power_scaling_exact`: the same grid re-weighted by prior^a or likelihood^a and
normalised again, ArviZ's values by :mod:`forecast.methods.power_scaling`); a sampled
one by Pareto-smoothed importance sampling on its draws (:func:`power_scaling`,
:func:`forecast.sensitivity.assess`). The pool swap and the
drop-one rows come from the exact posteriors the quantity's own section computes
(:mod:`forecast.kinds.quantity.sensitivity`), as a pool comparison measured from the
headline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.model import log_densities

if TYPE_CHECKING:
    from forecast.headline import Pools
    from forecast.kinds.quantity.quadrature import QuantityGrid
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


def power_scaling_exact(
    inputs: QuantityInputs, grid: QuantityGrid, threshold: float, data_label: str, draws: int
) -> Sensitivity:
    """The power-scaling sensitivity of an exact forecast P(X > ``threshold``), on its
    grid; the amount's CDFs compared over the range ``draws`` draws of it would span."""
    from forecast.kinds.quantity.quadrature import Variant
    from forecast.methods.power_scaling import GridQuantity, sense
    from forecast.sensitivity import SCALES, Move, Quantity, Sensitivity, judged, label_of

    if inputs.data is None:
        return Sensitivity(has_data=False, verdict=NO_DATA)
    main = grid.main
    base = grid.density(main)
    weights = base.weight * np.gradient(base.u)  # trapezoid weights of the even grid
    weights[[0, -1]] /= 2
    weights /= weights.sum()
    at = {
        "x": GridQuantity.monotone("x", base.x),
        "q": GridQuantity.kernel(
            "q", np.array([0.0, 1.0]), np.stack([base.x <= threshold, np.ones(len(base.x))])
        ),
    }
    log_prior, log_lik = grid.log_densities()
    assert log_lik is not None
    rows = []
    for name, quantity in at.items():
        with np.errstate(divide="ignore"):  # nodes whose weight underflowed to 0 stay 0
            prior, lik = (
                sense(quantity, weights, _finite(ld), draws) for ld in (log_prior, log_lik)
            )
        rows.append(Quantity(name, LABELS[name], prior, lik, label_of(prior, lik)))
    p_base = float(base.sf(threshold))
    moves = []
    for label, prior_side in (("experts' prior", True), (data_label, False)):
        for alpha in SCALES:
            powers = (alpha, 1.0) if prior_side else (1.0, alpha)
            value = float(grid.density(Variant(main.method, main.weights, *powers)).sf(threshold))
            how = "counted half" if alpha < 1 else "counted double"
            moves.append(Move(f"{label} {how}", "power-scaling", value, value - p_base))
    return judged(rows, moves, data_label=data_label, disagree=_disagree(inputs))


def _finite(log_density: np.ndarray) -> np.ndarray:
    """A log density with its zeros (-inf) at the least finite value, for re-weighting."""
    finite = np.isfinite(log_density)
    return np.where(finite, log_density, np.min(log_density[finite], initial=0.0))


__all__ = ["NO_DATA", "pools", "power_scaling", "power_scaling_exact"]
