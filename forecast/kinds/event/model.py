"""The ``event`` model: P(event by the deadline).

Specification -> :class:`EventInputs` (fitted, backend-free numbers) -> PyMC model.

* ``p`` is the event's propensity before the listed evidence. Its prior is the experts'
  pool (see :mod:`forecast.elicit.pool`): the weighted mixture of their fitted Betas
  (``linear``, the default), the Beta of their normalised weighted product
  (``logarithmic``), or the shared log-odds of which each expert's view is a noisy
  reading (``hierarchical``, a sub-model with the between-expert spread estimated).
  With ``extremize`` d the pooled draw p0 becomes p = sigmoid(d · logit p0).
* The base rate is a binomial likelihood raised to its relevance weight ``w`` (a power
  prior): ``w * [k log p + (n - k) log(1 - p)]``. With a Beta(a, b) prior the posterior
  is Beta(a + w k, b + w (n - k)).
* Each evidence item not already in the judgements adds its log likelihood ratio,
  ``llr ~ Normal(mu, sigma)`` from the fitted LogNormal, to the log-odds:
  ``logit q = logit p + sum(llr)``. Items marked ``in_judgements`` are shown, not applied.
* The forecast is the posterior predictive P(event) = E[q].
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.fit import default_cache
from forecast.elicit.pool import (
    MU_PRIOR_SD,
    TAU_PRIOR_SD,
    Comparison,
    PooledPrior,
    PoolSpec,
    compare,
    effective,
    hierarchical_inputs,
    log_pool_beta,
)
from forecast.kinds.event.spec import EventQuestion
from forecast.models.judgements import EvidenceInput, fit_evidence, fit_experts
from forecast.questions.experts import given_weights

if TYPE_CHECKING:
    import pymc as pm
    from pytensor.tensor.variable import TensorVariable

    from forecast.methods.grid import Shift

DataValue = float | np.ndarray
"""A number of the event model's data: a scalar or an array."""


@dataclass(frozen=True)
class EventInputs:
    """Everything the event model needs, as plain numbers."""

    expert_names: tuple[str, ...]
    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]
    base_rate: tuple[int, int, float] | None
    evidence: tuple[EvidenceInput, ...]
    pool: PoolSpec = field(default_factory=PoolSpec)

    @cached_property
    def prior(self) -> Mixture | PooledPrior:
        """The pooled prior on ``p`` (exact for the plain linear pool, else by quadrature)."""
        if self.pool == PoolSpec():
            return Mixture(self.experts, self.weights)
        return PooledPrior.of(self.experts, self.weights, self.pool)

    @property
    def applied(self) -> tuple[EvidenceInput, ...]:
        """Evidence items that enter the model (not already in the judgements)."""
        return tuple(e for e in self.evidence if e.applied)


def prepare(spec: EventQuestion, pool: PoolSpec | None = None) -> EventInputs:
    """Fit every judgement of an event question (``pool`` overrides the file's)."""
    cache = default_cache()
    experts = fit_experts(spec.experts, cache)
    weights = given_weights([e.weight for e in spec.experts])
    evidence = fit_evidence(spec.evidence, cache)
    cache.flush()
    br = spec.base_rate
    return EventInputs(
        tuple(e.name for e in spec.experts),
        experts,
        weights,
        (br.successes, br.trials, br.weight) if br else None,
        evidence,
        effective(pool or PoolSpec(spec.pool.method, spec.pool.extremize), weights),
    )


def compare_pools(inputs: EventInputs, shifts: np.ndarray | None) -> Comparison:
    """The forecast under each pool and without each expert, by quadrature over ``p``.

    Given the evidence's summed log likelihood ratio draws the posterior is one-dimensional
    in ``p`` (two for the hierarchical pool, whose spread is integrated out), so no
    alternative needs the sampler.
    """
    return compare(
        inputs.expert_names, inputs.experts, inputs.weights, inputs.pool, inputs.base_rate, shifts
    )


def compare_pools_exact(inputs: EventInputs, shift: Shift) -> Comparison:
    """:func:`compare_pools` for an exact forecast: E[sigmoid(logit p + S)] over the
    evidence's shift S by Gauss–Hermite, not over draws of it."""
    from forecast.methods.grid import GH_NODES, sigmoid_means

    # The coarse grid's node count: the exact method's error estimate compares the
    # headline with 64 and with 128 nodes over this same shift, and accepts the forecast
    # only when they agree (to rounding on the shipped questions).
    def mean_sigmoid(u: np.ndarray) -> np.ndarray:  # u: the logit of p, as pools give it
        return sigmoid_means(u, shift, GH_NODES)

    return compare(
        inputs.expert_names,
        inputs.experts,
        inputs.weights,
        inputs.pool,
        inputs.base_rate,
        None,
        mean_sigmoid,
    )


def _weighted_binomial_logp(
    value: TensorVariable, p: TensorVariable, n: TensorVariable, w: TensorVariable
) -> TensorVariable:
    """Power-prior binomial: w * log Binomial(value | n, p) (the constant is dropped)."""
    import pytensor.tensor as pt

    return w * (value * pt.log(p) + (n - value) * pt.log1p(-p))


def structure(inputs: EventInputs) -> tuple[Hashable, ...]:
    """What fixes the shape of the event model; inputs that share it share one model.

    The kind, the number of experts (and of those weighted above zero), the pool method
    and whether it is extremized, each evidence item as left out, fixed or uncertain,
    and whether there is a base rate. Every other number is data (:func:`set_inputs`).
    """
    return (
        "event",
        len(inputs.experts),
        sum(1 for w in _normalised_weights(inputs) if w > 0),
        inputs.pool.method,
        inputs.pool.extremize != 1.0,
        tuple(
            ("fixed" if e.fitted.fixed else "uncertain") if e.applied else "left out"
            for e in inputs.evidence
        ),
        inputs.base_rate is not None,
    )


def _normalised_weights(inputs: EventInputs) -> np.ndarray:
    return np.array(inputs.weights, dtype=float) / sum(inputs.weights)


def _data_values(inputs: EventInputs) -> dict[str, DataValue]:
    """The numbers of the event model's data containers, by name."""
    values: dict[str, DataValue] = {}
    method, d = inputs.pool.method, inputs.pool.extremize
    if d != 1.0:
        values["extremize"] = float(d)
    if method == "hierarchical":
        m, s, c = hierarchical_inputs(inputs.experts, inputs.weights)
        values.update(expert_logits=m, expert_logit_sds=s, expert_counts=c)
    elif method == "logarithmic":
        pooled = log_pool_beta(inputs.experts, inputs.weights)
        values.update(pool_alpha=pooled.params["alpha"], pool_beta=pooled.params["beta"])
    else:
        weights = _normalised_weights(inputs)
        keep = weights > 0
        alphas = np.array([f.params["alpha"] for f in inputs.experts])[keep]
        betas = np.array([f.params["beta"] for f in inputs.experts])[keep]
        if len(alphas) == 1:
            values.update(pool_alpha=alphas[0], pool_beta=betas[0])
        else:
            values.update(expert_alphas=alphas, expert_betas=betas, expert_weights=weights[keep])
    if inputs.base_rate is not None:
        k, n, weight = inputs.base_rate
        values.update(
            base_rate_successes=float(k),
            base_rate_trials=float(n),
            base_rate_weight=float(weight),
        )
    applied = inputs.applied
    uncertain = [e for e in applied if not e.fitted.fixed]
    if uncertain:
        values["llr_mu"] = np.array([e.fitted.params["mu"] for e in uncertain])
        values["llr_sigma"] = np.array([e.fitted.params["sigma"] for e in uncertain])
    if any(e.fitted.fixed for e in applied):
        values["fixed_llr"] = float(sum(e.fitted.params["mu"] for e in applied if e.fitted.fixed))
    return values


def _pooled_prior(
    inputs: EventInputs, data: Mapping[str, TensorVariable | DataValue]
) -> TensorVariable:
    """The propensity ``p`` under the pool (call inside a model context)."""
    import pymc as pm
    import pytensor.tensor as pt

    method, d = inputs.pool.method, inputs.pool.extremize
    name = "p" if d == 1.0 and method != "hierarchical" else "p_pooled"
    extremize = data["extremize"] if d != 1.0 else 1.0
    if method == "hierarchical":
        s, c = data["expert_logit_sds"], data["expert_counts"]
        mu = pm.Normal("pool_logit", mu=0.0, sigma=MU_PRIOR_SD)
        tau = pm.HalfNormal("expert_spread", sigma=TAU_PRIOR_SD)
        pm.Normal(
            "expert_views",
            mu=mu,
            sigma=pt.sqrt(s**2 + tau**2)
            / (np.sqrt(c) if isinstance(c, np.ndarray) else pt.sqrt(c)),
            observed=data["expert_logits"],
        )
        return pm.Deterministic("p", pm.math.sigmoid(extremize * mu))
    if "expert_alphas" in data:
        p0 = pm.Mixture(
            name,
            w=data["expert_weights"],
            comp_dists=pm.Beta.dist(alpha=data["expert_alphas"], beta=data["expert_betas"]),
        )
    else:
        p0 = pm.Beta(name, alpha=data["pool_alpha"], beta=data["pool_beta"])
    if d == 1.0:
        return p0
    return pm.Deterministic("p", pm.math.sigmoid(extremize * (pt.log(p0) - pt.log1p(-p0))))


def build(inputs: EventInputs, *, swappable: bool = False) -> pm.Model:
    """The PyMC model for an event question.

    The base rate is held in data containers, so one compiled model serves other base
    rates (:func:`set_base_rate`, used by scenario sweeps). With ``swappable`` every
    number from the file is (the experts' Betas and weights, the pool's extremizing
    factor, the evidence's log likelihood ratios too), so one compiled model serves any
    inputs of the same :func:`structure` (:func:`set_inputs`, used by ``forecast watch``).
    """
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        data = {
            name: pm.Data(name, value) if swappable or name.startswith("base_rate") else value
            for name, value in _data_values(inputs).items()
        }
        p = _pooled_prior(inputs, data)
        if inputs.base_rate is not None:
            pm.CustomDist(
                "base_rate",
                p,
                data["base_rate_trials"],
                data["base_rate_weight"],
                logp=_weighted_binomial_logp,
                observed=data["base_rate_successes"],
            )
        logit_q = pt.log(p) - pt.log1p(-p)
        if "llr_mu" in data:
            uncertain = [e for e in inputs.applied if not e.fitted.fixed]
            llr = pm.Normal(
                "llr",
                mu=data["llr_mu"],
                sigma=data["llr_sigma"],
                dims=None,
                shape=(len(uncertain),),
            )
            logit_q = logit_q + llr.sum()
        if "fixed_llr" in data and (swappable or data["fixed_llr"]):
            logit_q = logit_q + data["fixed_llr"]
        pm.Deterministic("q", pm.math.sigmoid(logit_q))
    return model


def set_inputs(model: pm.Model, inputs: EventInputs) -> None:
    """Swap every number of a swappable model for those of ``inputs`` (same structure)."""
    import pymc as pm

    with model:
        pm.set_data(_data_values(inputs))


def set_base_rate(model: pm.Model, successes: float, trials: float, weight: float) -> None:
    """Swap the base rate of a built model (no rebuilding, no recompiling)."""
    import pymc as pm

    with model:
        pm.set_data(
            {
                "base_rate_successes": float(successes),
                "base_rate_trials": float(trials),
                "base_rate_weight": float(weight),
            }
        )
