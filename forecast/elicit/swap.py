"""The forecast under another pool, or with one expert left out, from posterior draws.

An event question's pools are compared by quadrature over ``p`` (:func:`pool.compare`).
A drivers question's baseline ``p0`` and a scheduled time-to-event question's chance per
opportunity ``q`` carry the experts' pool too, but the forecast also depends on the
drivers (and the trend), so there is no one-dimensional integral. Changing the pool
changes only the prior, though, so the posterior draws can be importance-reweighted by
the ratio of the two pools' densities at each draw's ``logit p0`` (``logit q``):
Pareto-smoothed (:func:`forecast.psis.smooth`), with the Pareto k saying when a row is
rough (above ArviZ's ``good_k``). A drivers question with no cases needs no weights: its
posterior is its prior, and its pools are integrated over ``logit p0`` as an event
question's are (:func:`forecast.kinds.drivers.summary.prior_pools`).

Every row is measured from the forecast the draws give, so the row of the pool in use
is the headline and its change is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from forecast import psis
from forecast.elicit.distributions import Fitted
from forecast.elicit.pool import (
    METHODS,
    Alternative,
    Comparison,
    LogDensity,
    PoolSpec,
    pooled_logpdf,
)


def _reweighted(values: np.ndarray, log_ratio: np.ndarray) -> tuple[float, psis.Smoothed]:
    """E[values] under weights exp(log_ratio), Pareto-smoothed; and the weights."""
    s = psis.smooth(log_ratio)
    return s.mean(values), s


def _rough(s: psis.Smoothed) -> str | None:
    """Why a row's weights are not to be trusted (ArviZ's Pareto-k rule), or None."""
    return None if s.ok else f"Pareto k {s.pareto_k:.2f}"


Row = Callable[[LogDensity], tuple[float, str | None]]
"""The forecast under a pool's log density of ``logit p``, and why that value is rough
(None when it is trusted)."""


def alternatives(
    names: Sequence[str],
    experts: Sequence[Fitted],
    weights: Sequence[float],
    spec: PoolSpec,
    reference: float,
    row: Row,
) -> Comparison:
    """Each other pool method and each expert left out, each forecast by ``row`` from its
    pooled log density; the pool in use is the ``reference`` row."""

    def label(text: str, rough: str | None) -> str:
        return text if rough is None else f"{text} (rough: {rough})"

    rows: list[Alternative] = []
    for method in METHODS:
        alt = PoolSpec(method, spec.extremize)
        if method == spec.method:
            rows.append(Alternative(alt.describe(), "pool", method, reference, 0.0, True))
            continue
        value, rough = row(pooled_logpdf(experts, weights, alt)[0])
        rows.append(
            Alternative(label(alt.describe(), rough), "pool", method, value, value - reference)
        )
    w = list(weights)
    if len(experts) > 1:
        for i, name in enumerate(names):
            rest_w = w[:i] + w[i + 1 :]
            if sum(rest_w) <= 0:
                continue
            rest = list(experts[:i]) + list(experts[i + 1 :])
            value, rough = row(pooled_logpdf(rest, rest_w, spec)[0])
            text = label(f"without {name}", rough)
            rows.append(
                Alternative(text, "drop", spec.method, value, value - reference, expert=name)
            )
    return Comparison(spec, reference, tuple(rows))


def compare_by_reweighting(
    names: Sequence[str],
    experts: Sequence[Fitted],
    weights: Sequence[float],
    spec: PoolSpec,
    u: np.ndarray,
    values: np.ndarray,
) -> Comparison:
    """Each pool method and each expert left out, from draws ``u`` of the pooled quantity
    on the logit scale and the forecast ``values`` of the same draws (both (chain, draw))."""
    u = np.asarray(u, dtype=float).reshape(-1)
    x = np.asarray(values, dtype=float).reshape(-1)
    used, _ = pooled_logpdf(experts, weights, spec)
    base = np.asarray(used(u), dtype=float)

    def row(logpdf: LogDensity) -> tuple[float, str | None]:
        value, s = _reweighted(x, np.asarray(logpdf(u), dtype=float) - base)
        return value, _rough(s)

    return alternatives(names, experts, weights, spec, float(x.mean()), row)


__all__ = ["Row", "alternatives", "compare_by_reweighting"]
