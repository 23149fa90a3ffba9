"""Fitting the judgements several kinds share: the experts' probabilities, evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from forecast.elicit.distributions import Fitted
from forecast.elicit.fit import FitCache, fit_at, fit_positive, fit_probability
from forecast.questions.experts import Evidence, Expert


@dataclass(frozen=True)
class EvidenceInput:
    """One evidence item with its fitted likelihood ratio."""

    id: str
    description: str
    fitted: Fitted
    applied: bool


def fit_evidence(items: Sequence[Evidence], cache: FitCache) -> tuple[EvidenceInput, ...]:
    """Fit each evidence item's likelihood ratio; items in the judgements are not applied."""
    return tuple(
        EvidenceInput(
            ev.id,
            ev.description,
            fit_at(("evidence", i, "likelihood_ratio"), fit_positive, ev.likelihood_ratio, cache),
            not ev.in_judgements,
        )
        for i, ev in enumerate(items)
    )


def fit_experts(experts: Sequence[Expert], cache: FitCache) -> tuple[Fitted, ...]:
    """Fit each expert's judgement of a probability, a failure placed at its judgement."""
    return tuple(
        fit_at(("experts", i, "judgement"), fit_probability, e.judgement, cache)
        for i, e in enumerate(experts)
    )


__all__ = ["EvidenceInput", "fit_evidence", "fit_experts"]
