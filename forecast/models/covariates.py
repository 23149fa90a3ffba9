"""Named drivers as covariates, for every kind that has them.

A driver is a condition that holds or not, with a fitted odds ratio (drivers questions)
or hazard ratio (time-to-event questions) and a current level, the probability that it
holds. Forecasts sum over the 2^U states of the U uncertain drivers exactly
(:func:`states`), vectorised over the posterior draws.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from forecast.elicit.distributions import Fitted
from forecast.elicit.fit import FitCache, fit_at, fit_positive
from forecast.questions.drivers import Driver

if TYPE_CHECKING:
    from pytensor.tensor.variable import TensorVariable
    from xarray import DataArray, DataTree


class HasFitted(Protocol):
    """A driver or evidence item: a fitted log ratio."""

    @property
    def fitted(self) -> Fitted: ...


@dataclass(frozen=True)
class DriverInput:
    """One driver with its fitted odds ratio and current level."""

    id: str
    description: str
    fitted: Fitted
    level: float


def fit_drivers(drivers: Sequence[Driver], cache: FitCache) -> tuple[DriverInput, ...]:
    """Fit every driver's odds ratio."""
    return tuple(
        DriverInput(
            d.id,
            d.description,
            fit_at(("drivers", i, "odds_ratio"), fit_positive, d.odds_ratio, cache),
            d.level,
        )
        for i, d in enumerate(drivers)
    )


def pooled_beta(name: str, experts: Sequence[Fitted], weights: Sequence[float]) -> TensorVariable:
    """A Beta prior, or a weighted mixture of Betas for several experts (the linear pool)."""
    import pymc as pm

    alphas = np.array([f.params["alpha"] for f in experts])
    betas = np.array([f.params["beta"] for f in experts])
    if len(experts) == 1:
        return pm.Beta(name, alpha=alphas[0], beta=betas[0])
    w = np.asarray(weights, dtype=float) / sum(weights)
    return pm.Mixture(name, w=w, comp_dists=pm.Beta.dist(alpha=alphas, beta=betas))


def log_odds_ratios(drivers: Sequence[DriverInput]) -> TensorVariable:
    """The vector beta: a Normal ``beta`` for uncertain odds ratios, constants otherwise."""
    import pymc as pm
    import pytensor.tensor as pt

    uncertain = [d for d in drivers if not d.fitted.fixed]
    parts: list[TensorVariable] = []
    if uncertain:
        free = pm.Normal(
            "beta",
            mu=np.array([d.fitted.params["mu"] for d in uncertain]),
            sigma=np.array([d.fitted.params["sigma"] for d in uncertain]),
            shape=(len(uncertain),),
        )
    k = 0
    for d in drivers:
        if d.fitted.fixed:
            parts.append(pt.as_tensor_variable(np.float64(d.fitted.params["mu"])))
        else:
            parts.append(free[k])
            k += 1
    return pt.stack(parts) if parts else pt.zeros((0,))


def assemble_beta(drivers: Sequence[DriverInput], post: DataTree | DataArray) -> np.ndarray:
    """The full beta array (chain, draw, J), constants filled in for fixed odds ratios."""
    return assemble_draws(drivers, post, "beta")


def assemble_draws(items: Sequence[HasFitted], post: DataTree | DataArray, name: str) -> np.ndarray:
    """Log ratios per draw, (chain, draw, len(items)): the posterior's ``name`` for the
    uncertain items, in order, and each fixed item's constant."""
    shape: tuple[int, ...] = (post.sizes["chain"], post.sizes["draw"])
    out = np.zeros((*shape, len(items)))
    free = np.asarray(post[name].values, dtype=float) if name in post else None
    k = 0
    for j, item in enumerate(items):
        if item.fitted.fixed:
            out[..., j] = item.fitted.params["mu"]
        else:
            assert free is not None
            out[..., j] = free[..., k]
            k += 1
    return out


def states(levels: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Every state x of the drivers with its probability under independent levels.

    Drivers at level 0 or 1 are fixed; the others take both values, so there are
    2^U states for U uncertain drivers. Returns X (states, J) and weights (states,).
    """
    lv = np.asarray(levels, dtype=float)
    uncertain = [j for j, v in enumerate(lv) if 0.0 < v < 1.0]
    xs, ws = [], []
    for bits in itertools.product((0.0, 1.0), repeat=len(uncertain)):
        x = np.where(lv >= 1.0, 1.0, 0.0)
        w = 1.0
        for j, bit in zip(uncertain, bits, strict=True):
            x[j] = bit
            w *= lv[j] if bit else 1.0 - lv[j]
        xs.append(x)
        ws.append(w)
    return np.array(xs).reshape(len(xs), len(lv)), np.array(ws)


def shift_states(beta: np.ndarray, levels: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds shifts x . beta for every state (draws..., states) and the states' weights."""
    x, w = states(levels)
    return np.einsum("...j,sj->...s", beta, x), w


__all__ = [
    "DriverInput",
    "assemble_beta",
    "assemble_draws",
    "fit_drivers",
    "log_odds_ratios",
    "pooled_beta",
    "shift_states",
    "states",
]
