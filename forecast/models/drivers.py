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

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit

from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.fit import FitCache, default_cache, fit_at, fit_positive
from forecast.questions.cases import read_cases
from forecast.questions.drivers import Case, Driver, DriversQuestion
from forecast.questions.event import given_weights

if TYPE_CHECKING:
    from forecast.models.judgements import EvidenceInput

if TYPE_CHECKING:
    import pymc as pm


@dataclass(frozen=True)
class DriverInput:
    """One driver with its fitted odds ratio and current level."""

    id: str
    description: str
    fitted: Fitted
    level: float


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


def pooled_beta(name: str, experts: Sequence[Fitted], weights: Sequence[float]) -> Any:
    """A Beta prior, or a weighted mixture of Betas for several experts (the linear pool)."""
    import pymc as pm

    alphas = np.array([f.params["alpha"] for f in experts])
    betas = np.array([f.params["beta"] for f in experts])
    if len(experts) == 1:
        return pm.Beta(name, alpha=alphas[0], beta=betas[0])
    w = np.asarray(weights, dtype=float) / sum(weights)
    return pm.Mixture(name, w=w, comp_dists=pm.Beta.dist(alpha=alphas, beta=betas))


def log_odds_ratios(drivers: Sequence[DriverInput]) -> Any:
    """The vector beta: a Normal ``beta`` for uncertain odds ratios, constants otherwise."""
    import pymc as pm
    import pytensor.tensor as pt

    uncertain = [d for d in drivers if not d.fitted.fixed]
    parts: list[Any] = []
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


def posterior_draws(inputs: DriversInputs, idata: Any) -> tuple[np.ndarray, np.ndarray]:
    """alpha (chain, draw) and beta (chain, draw, J) from a posterior."""
    post = idata["posterior"]
    p = np.asarray(post["p"].values, dtype=float)
    alpha = np.log(p) - np.log1p(-p)
    return alpha, assemble_beta(inputs.drivers, post)


def evidence_shifts(inputs: DriversInputs, post: Any) -> np.ndarray:
    """Each applied evidence item's log likelihood ratio per draw, (chain, draw, K)."""
    return _assemble(inputs.applied, post, "llr")


def assemble_beta(drivers: Sequence[DriverInput], post: Any) -> np.ndarray:
    """The full beta array (chain, draw, J), constants filled in for fixed odds ratios."""
    return _assemble(drivers, post, "beta")


def _assemble(items: Sequence[Any], post: Any, name: str) -> np.ndarray:
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
