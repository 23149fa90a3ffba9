"""The ``drivers`` model: logit p = alpha + sum_j beta_j x_j.

Specification -> :class:`DriversInputs` (fitted numbers) -> PyMC model.

* ``p0 = sigmoid(alpha)`` is the probability with every driver off; its prior is the
  experts' linear pool (a mixture of their fitted Betas).
* ``beta_j = log(odds ratio)`` ~ Normal(mu_j, sigma_j) from the fitted LogNormal; an
  odds ratio given as a plain number is a constant.
* Coded historical cases add a Bernoulli likelihood ``y_i ~ Bernoulli(sigmoid(alpha +
  x_i . beta))``; the case data are ``pm.Data``, so a compiled model can be reused
  with other cases (:func:`set_cases`).
* Evidence not already in the judgements adds its log likelihood ratio ``llr_k ~
  Normal(mu_k, sigma_k)`` to the log-odds of the forecast (not of the historical cases,
  which it says nothing about): ``logit p = alpha + x . beta + sum_k llr_k``.
* A driver's current level ``l_j`` is the probability that it holds; forecasts
  integrate over ``x_j ~ Bernoulli(l_j)`` exactly, summing over the 2^U states of the
  U uncertain drivers, vectorised over the posterior draws
  (:func:`probability_at`). Scenarios and swings re-use the same draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.fit import default_cache
from forecast.kinds.drivers.spec import DriversQuestion
from forecast.models.covariates import (
    DriverInput,
    assemble_beta,
    assemble_draws,
    fit_drivers,
    log_odds_ratios,
    pooled_beta,
    shift_states,
    states,
)
from forecast.questions.cases import read_cases
from forecast.questions.drivers import Case
from forecast.questions.experts import given_weights
from forecast.special import expit

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataArray, DataTree

    from forecast.models.judgements import EvidenceInput


@dataclass(frozen=True)
class DriversInputs:
    """Everything the drivers model needs, as plain numbers."""

    expert_names: tuple[str, ...]
    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]
    drivers: tuple[DriverInput, ...]
    cases_x: np.ndarray
    cases_y: np.ndarray
    evidence: tuple[EvidenceInput, ...] = ()

    @property
    def applied(self) -> tuple[EvidenceInput, ...]:
        """Evidence items that enter the forecast (not already in the judgements)."""
        return tuple(e for e in self.evidence if e.applied)

    @property
    def prior(self) -> Mixture:
        """The pooled prior on the baseline probability (linear pool)."""
        return Mixture(self.experts, self.weights)

    @property
    def levels(self) -> dict[str, float]:
        """Each driver's current level."""
        return {d.id: d.level for d in self.drivers}


def case_arrays(cases: Sequence[Case], ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The cases as numbers: x (cases, drivers) in driver order and y (cases,), 0 or 1."""
    x = np.array([[float(c.drivers[i]) for i in ids] for c in cases], dtype=float)
    y = np.array([float(c.outcome) for c in cases], dtype=float)
    return x.reshape(-1, len(ids)), y


def prepare(spec: DriversQuestion, base_dir: Path | None = None) -> DriversInputs:
    """Fit every judgement of a drivers question and take its coded cases.

    A question loaded from its priors file holds the cases of its cases file, read and
    checked by the loader; one built otherwise has its file read here, from
    ``base_dir`` (default: the working directory).
    """
    from forecast.models.judgements import fit_evidence, fit_experts

    cache = default_cache()
    experts = fit_experts(spec.experts, cache)
    drivers = fit_drivers(spec.drivers, cache)
    evidence = fit_evidence(spec.evidence, cache)
    cache.flush()
    ids = [d.id for d in spec.drivers]
    cases = spec.coded_cases()
    if cases is None:
        assert isinstance(spec.cases, str)
        cases = read_cases((base_dir or Path.cwd()) / spec.cases, ids)
    x, y = case_arrays(cases, ids)
    return DriversInputs(
        tuple(e.name for e in spec.experts),
        experts,
        given_weights([e.weight for e in spec.experts]),
        drivers,
        x,
        y,
        evidence,
    )


def build(inputs: DriversInputs) -> pm.Model:
    """The PyMC model for a drivers question."""
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        p0 = pooled_beta("p", inputs.experts, inputs.weights)
        alpha = pt.log(p0) - pt.log1p(-p0)
        beta = log_odds_ratios(inputs.drivers)
        x = pm.Data("cases_x", inputs.cases_x)
        y = pm.Data("cases_y", inputs.cases_y)
        eta = alpha + pt.dot(x, beta)
        # log sigmoid(eta) = -softplus(-eta), stable in both tails.
        pm.Potential("cases", (-y * pt.softplus(-eta) - (1 - y) * pt.softplus(eta)).sum())
        uncertain = [e for e in inputs.applied if not e.fitted.fixed]
        if uncertain:
            pm.Normal(
                "llr",
                mu=np.array([e.fitted.params["mu"] for e in uncertain]),
                sigma=np.array([e.fitted.params["sigma"] for e in uncertain]),
                shape=(len(uncertain),),
            )
    return model


def set_cases(model: pm.Model, x: np.ndarray, y: np.ndarray) -> None:
    """Swap the case data of a compiled model (no rebuilding)."""
    import pymc as pm

    with model:
        pm.set_data({"cases_x": np.asarray(x, float), "cases_y": np.asarray(y, float)})


def posterior_draws(inputs: DriversInputs, idata: DataTree) -> tuple[np.ndarray, np.ndarray]:
    """alpha (chain, draw) and beta (chain, draw, J) from a posterior."""
    post = idata["posterior"]
    p = np.asarray(post["p"].values, dtype=float)
    alpha = np.log(p) - np.log1p(-p)
    return alpha, assemble_beta(inputs.drivers, post)


def evidence_shifts(inputs: DriversInputs, post: DataTree | DataArray) -> np.ndarray:
    """Each applied evidence item's log likelihood ratio per draw, (chain, draw, K)."""
    return assemble_draws(inputs.applied, post, "llr")


def prior_draws(
    experts: Sequence[Fitted],
    weights: Sequence[float],
    drivers: Sequence[DriverInput],
    n: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws of (logit p0, beta) from the prior, with NumPy."""
    w = np.asarray(weights, dtype=float) / sum(weights)
    which = rng.choice(len(experts), size=n, p=w)
    a = np.array([f.params["alpha"] for f in experts])[which]
    b = np.array([f.params["beta"] for f in experts])[which]
    p = np.clip(rng.beta(a, b), 1e-12, 1 - 1e-12)
    beta = np.column_stack(
        [
            rng.normal(d.fitted.params["mu"], d.fitted.params["sigma"], size=n)
            if not d.fitted.fixed
            else np.full(n, d.fitted.params["mu"])
            for d in drivers
        ]
        or [np.zeros(n)]
    )[:, : len(drivers)]
    return np.log(p) - np.log1p(-p), beta


def probability_at(alpha: np.ndarray, beta: np.ndarray, levels: Sequence[float]) -> np.ndarray:
    """P(event) per draw with the drivers at ``levels``, integrated over their states."""
    shifts, w = shift_states(beta, levels)
    return np.asarray(expit(alpha[..., None] + shifts) @ w)


def levels_vector(drivers: Sequence[DriverInput], levels: Mapping[str, float]) -> list[float]:
    """The levels in driver order."""
    return [float(levels[d.id]) for d in drivers]


__all__ = [
    "DriverInput",
    "DriversInputs",
    "build",
    "case_arrays",
    "evidence_shifts",
    "prepare",
    "prior_draws",
    "probability_at",
    "set_cases",
    "states",
]
