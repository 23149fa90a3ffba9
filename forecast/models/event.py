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

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.fit import default_cache, fit_positive, fit_probability
from forecast.elicit.pool import (
    MU_PRIOR_SD,
    TAU_PRIOR_SD,
    Comparison,
    PooledPrior,
    PoolSpec,
    compare,
    hierarchical_inputs,
    log_pool_beta,
)
from forecast.spec.event import EventQuestion

if TYPE_CHECKING:
    import pymc as pm


@dataclass(frozen=True)
class EvidenceInput:
    """One evidence item with its fitted likelihood ratio."""

    id: str
    description: str
    fitted: Fitted
    applied: bool


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
    experts = tuple(fit_probability(e.judgement, cache) for e in spec.experts)
    given = [e.weight for e in spec.experts]
    weights = tuple(1.0 if w is None else float(w) for w in given)
    if sum(weights) <= 0:
        weights = tuple(1.0 for _ in weights)
    evidence = tuple(
        EvidenceInput(
            ev.id, ev.description, fit_positive(ev.likelihood_ratio, cache), not ev.in_judgements
        )
        for ev in spec.evidence
    )
    cache.flush()
    br = spec.base_rate
    return EventInputs(
        tuple(e.name for e in spec.experts),
        experts,
        weights,
        (br.successes, br.trials, br.weight) if br else None,
        evidence,
        pool or PoolSpec(spec.pool.method, spec.pool.extremize),
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


def _weighted_binomial_logp(value: Any, p: Any, n: Any, w: Any) -> Any:
    """Power-prior binomial: w * log Binomial(value | n, p) (the constant is dropped)."""
    import pytensor.tensor as pt

    return w * (value * pt.log(p) + (n - value) * pt.log1p(-p))


def _pooled_prior(inputs: EventInputs) -> Any:
    """The propensity ``p`` under the pool (call inside a model context)."""
    import pymc as pm
    import pytensor.tensor as pt

    method, d = inputs.pool.method, inputs.pool.extremize
    name = "p" if d == 1.0 and method != "hierarchical" else "p_pooled"
    weights = np.array(inputs.weights, dtype=float) / sum(inputs.weights)
    if method == "hierarchical":
        m, s, c = hierarchical_inputs(inputs.experts, inputs.weights)
        mu = pm.Normal("pool_logit", mu=0.0, sigma=MU_PRIOR_SD)
        tau = pm.HalfNormal("expert_spread", sigma=TAU_PRIOR_SD)
        pm.Normal("expert_views", mu=mu, sigma=pt.sqrt(s**2 + tau**2) / np.sqrt(c), observed=m)
        return pm.Deterministic("p", pm.math.sigmoid(d * mu))
    if method == "logarithmic":
        pooled = log_pool_beta(inputs.experts, inputs.weights)
        p0 = pm.Beta(name, alpha=pooled.params["alpha"], beta=pooled.params["beta"])
    else:
        keep = weights > 0
        alphas = np.array([f.params["alpha"] for f in inputs.experts])[keep]
        betas = np.array([f.params["beta"] for f in inputs.experts])[keep]
        if len(alphas) == 1:
            p0 = pm.Beta(name, alpha=alphas[0], beta=betas[0])
        else:
            p0 = pm.Mixture(
                name, w=weights[keep], comp_dists=pm.Beta.dist(alpha=alphas, beta=betas)
            )
    if d == 1.0:
        return p0
    return pm.Deterministic("p", pm.math.sigmoid(d * (pt.log(p0) - pt.log1p(-p0))))


def build(inputs: EventInputs) -> pm.Model:
    """The PyMC model for an event question."""
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        p = _pooled_prior(inputs)
        if inputs.base_rate is not None:
            k, n, weight = inputs.base_rate
            # Data containers, so one compiled model serves other base rates
            # (:func:`set_base_rate`, used by scenario sweeps).
            pm.CustomDist(
                "base_rate",
                p,
                pm.Data("base_rate_trials", float(n)),
                pm.Data("base_rate_weight", float(weight)),
                logp=_weighted_binomial_logp,
                observed=pm.Data("base_rate_successes", float(k)),
            )
        logit_q = pt.log(p) - pt.log1p(-p)
        applied = inputs.applied
        uncertain = [e for e in applied if not e.fitted.fixed]
        fixed_shift = float(sum(e.fitted.params["mu"] for e in applied if e.fitted.fixed))
        if uncertain:
            llr = pm.Normal(
                "llr",
                mu=np.array([e.fitted.params["mu"] for e in uncertain]),
                sigma=np.array([e.fitted.params["sigma"] for e in uncertain]),
                dims=None,
                shape=(len(uncertain),),
            )
            logit_q = logit_q + llr.sum()
        if fixed_shift:
            logit_q = logit_q + fixed_shift
        pm.Deterministic("q", pm.math.sigmoid(logit_q))
    return model


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
