"""What several kinds' questions share: experts, how they are weighted and pooled, and
evidence with its likelihood ratio."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from forecast.questions.base import (
    NonEmpty,
    Source,
    StrictModel,
    located_error,
)
from forecast.questions.choices import PoolMethod, WeightsMethod
from forecast.questions.judgement import PositiveJudgement, ProbabilityJudgement

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class Expert(StrictModel):
    """One expert and their judgement of the event's probability."""

    name: NonEmpty
    judgement: ProbabilityJudgement
    weight: Annotated[float, Field(ge=0.0, le=1e6)] | None = None
    affiliation: str | None = None
    date: dt.date | None = None


class ExpertWeights(StrictModel):
    """How the experts are weighted: the part of ``pool`` every kind with experts has.

    ``given`` takes each expert's ``weight`` (equal when none is given); ``performance``
    earns them on the ledger's resolved questions (see :mod:`forecast.ledger.weights`);
    ``cooke`` takes their classical-model weights from the seeds file ``seeds`` (a
    path relative to this file, a seeds YAML file or an Excalibur ``.dtt``), matched by
    name, with the cut-off ``alpha`` (a number, or ``optimise``); see
    :mod:`forecast.cooke.weights`.
    """

    weights: WeightsMethod = "given"
    seeds: NonEmpty | None = None
    alpha: Annotated[float, Field(ge=0.0, le=1.0)] | Literal["optimise"] = 0.0

    @model_validator(mode="after")
    def _seeds_with_cooke(self) -> ExpertWeights:
        if self.weights == "cooke" and self.seeds is None:
            raise located_error(
                "ExpertWeights",
                ("seeds",),
                "missing_seeds",
                "weights: cooke needs the seeds file the experts answered (seeds: FILE)",
                {},
                None,
            )
        if self.weights != "cooke" and self.seeds is not None:
            raise located_error(
                "ExpertWeights",
                ("seeds",),
                "seeds_unused",
                "a seeds file is only read with weights: cooke (got weights: {w})",
                {"w": self.weights},
                self.seeds,
            )
        return self


class LinearPool(ExpertWeights):
    """The ``pool`` of the kinds that pool their experts linearly (drivers, time-to-event).

    Only the weight settings can be given; ``method`` and ``extremize`` say what these
    kinds do, so code that reads an event question's pool reads theirs alike.
    """

    @property
    def method(self) -> PoolMethod:
        """Always ``linear``."""
        return "linear"

    @property
    def extremize(self) -> float:
        """Always 1 (no extremizing)."""
        return 1.0


class Pool(ExpertWeights):
    """How the experts' judgements become one prior.

    ``linear`` is the weighted mixture, ``logarithmic`` the normalised weighted product,
    ``hierarchical`` treats each expert's log-odds as a noisy reading of a shared one.
    ``extremize`` d scales the pooled log-odds (p* = sigmoid(d · logit p)); d > 1 pushes
    away from 50%, d < 1 pulls towards it, 1 leaves the pool as it is. The weights are
    those of :class:`ExpertWeights`.
    """

    method: PoolMethod = "linear"
    extremize: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0


class Evidence(StrictModel):
    """An observed signal and its uncertain likelihood ratio P(signal|yes)/P(signal|no)."""

    id: Identifier
    description: NonEmpty
    likelihood_ratio: PositiveJudgement
    in_judgements: bool = Field(
        default=False,
        description="true when the experts already knew of it (then it is not applied again)",
    )
    date: dt.date | None = None
    sources: list[Source] = Field(default_factory=list)


def check_weights(weights: list[float | None]) -> None:
    given = [w for w in weights if w is not None]
    if not given:
        return
    if len(given) != len(weights):
        raise PydanticCustomError(
            "partial_weights",
            "give a weight to every expert or to none ({given} of {n} experts have one)",
            {"given": len(given), "n": len(weights)},
        )
    if sum(given) <= 0:
        raise PydanticCustomError(
            "zero_weights",
            "expert weights must not all be zero (got {weights})",
            {"weights": ", ".join(f"{w:g}" for w in given)},
        )


def given_weights(weights: Sequence[float | None]) -> tuple[float, ...]:
    """Experts' weights as stated, 1 where none is given; all equal when they sum to zero."""
    out = tuple(1.0 if w is None else float(w) for w in weights)
    return out if sum(out) > 0 else tuple(1.0 for _ in out)


def asks_performance_weights(spec: object) -> bool:
    """Whether a question's file asks for performance weights (``pool: {weights: ...}``)."""
    pool = getattr(spec, "pool", None)
    return getattr(pool, "weights", "given") == "performance"


def asks_cooke_weights(spec: object) -> bool:
    """Whether a question's file asks for classical-model weights (``weights: cooke``)."""
    pool = getattr(spec, "pool", None)
    return getattr(pool, "weights", "given") == "cooke"


def unique_names(names: list[str], what: str, where: tuple[str, str] | None = None) -> None:
    """Refuse a name given twice; ``where`` = (list field, key) places the error on it."""
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            if where is not None:
                raise located_error(
                    "duplicate",
                    (where[0], i, where[1]),
                    "duplicate_name",
                    "{what} '{name}' is given twice (first at {first})",
                    {"what": what, "name": n, "first": f"{where[0]}[{seen[n]}]"},
                    n,
                )
            raise PydanticCustomError(
                "duplicate_name", "{what} '{name}' is given twice", {"what": what, "name": n}
            )
        seen[n] = i


__all__ = [
    "Evidence",
    "Expert",
    "ExpertWeights",
    "Identifier",
    "LinearPool",
    "Pool",
    "PoolMethod",
    "WeightsMethod",
    "asks_cooke_weights",
    "asks_performance_weights",
    "check_weights",
    "given_weights",
    "unique_names",
]
