"""The fields of an event question's Forecast that do not depend on how it was inferred."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecast import results
from forecast.kinds.event.spec import EventQuestion
from forecast.kinds.fields import QuestionFields, question_fields
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings
    from forecast.kinds.event.model import EventInputs


class CommonFields(QuestionFields):
    """The keywords of :class:`~forecast.results.Forecast` :func:`common_fields` gives."""

    prior_probability: float
    prior_interval: results.Interval
    experts: tuple[results.ExpertView, ...]
    evidence: tuple[results.EvidenceView, ...]
    base_rate: results.BaseRateJSON | None


def common_fields(
    q: LoadedQuestion, inputs: EventInputs, settings: SamplerSettings
) -> CommonFields:
    """The question, the experts' prior, the evidence and the base rate, as
    :class:`~forecast.results.Forecast` keywords (sampled and exact forecasts alike)."""
    spec = q.spec
    assert isinstance(spec, EventQuestion)
    prior = inputs.prior
    br = spec.base_rate
    return {
        **question_fields(q, settings),
        "prior_probability": prior.mean(),
        "prior_interval": results.Interval(0.95, float(prior.ppf(0.025)), float(prior.ppf(0.975))),
        "experts": tuple(
            results.expert_view(e.name, e.judgement.form, w, f)
            for e, w, f in zip(spec.experts, prior.weights, inputs.experts, strict=True)
        ),
        "evidence": tuple(results.evidence_view(e) for e in inputs.evidence),
        "base_rate": None
        if br is None
        else {
            "successes": br.successes,
            "trials": br.trials,
            "weight": br.weight,
            "reference_class": br.reference_class,
            "effective_trials": br.weight * br.trials,
        },
    }
