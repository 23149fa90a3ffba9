"""The ``event`` model: P(event by the deadline).

Specification -> :class:`EventInputs` (fitted, backend-free numbers) -> PyMC model.

* ``p`` is the event's propensity before the listed evidence. Its prior is the experts'
  pool: a weighted mixture of their fitted Betas (the linear pool).
* The base rate is a binomial likelihood raised to its relevance weight ``w`` (a power
  prior): ``w * [k log p + (n - k) log(1 - p)]``. With a Beta(a, b) prior the posterior
  is Beta(a + w k, b + w (n - k)).
* Each evidence item not already in the judgements adds its log likelihood ratio,
  ``llr ~ Normal(mu, sigma)`` from the fitted LogNormal, to the log-odds:
  ``logit q = logit p + sum(llr)``. Items marked ``in_judgements`` are shown, not applied.
* The forecast is the posterior predictive P(event) = E[q].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.fit import default_cache, fit_positive, fit_probability
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

    @property
    def prior(self) -> Mixture:
        """The pooled prior on ``p`` (linear pool)."""
        return Mixture(self.experts, self.weights)

    @property
    def applied(self) -> tuple[EvidenceInput, ...]:
        """Evidence items that enter the model (not already in the judgements)."""
        return tuple(e for e in self.evidence if e.applied)


def prepare(spec: EventQuestion) -> EventInputs:
    """Fit every judgement of an event question."""
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
    )


def _weighted_binomial_logp(value: Any, p: Any, n: Any, w: Any) -> Any:
    """Power-prior binomial: w * log Binomial(value | n, p) (the constant is dropped)."""
    import pytensor.tensor as pt

    return w * (value * pt.log(p) + (n - value) * pt.log1p(-p))


def build(inputs: EventInputs) -> pm.Model:
    """The PyMC model for an event question."""
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        alphas = np.array([f.params["alpha"] for f in inputs.experts])
        betas = np.array([f.params["beta"] for f in inputs.experts])
        if len(inputs.experts) == 1:
            p = pm.Beta("p", alpha=alphas[0], beta=betas[0])
        else:
            w = np.array(inputs.prior.weights)
            p = pm.Mixture("p", w=w, comp_dists=pm.Beta.dist(alpha=alphas, beta=betas))
        if inputs.base_rate is not None:
            k, n, weight = inputs.base_rate
            pm.CustomDist(
                "base_rate",
                p,
                float(n),
                float(weight),
                logp=_weighted_binomial_logp,
                observed=float(k),
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
