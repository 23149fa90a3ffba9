"""The ``event`` question: P(event by the deadline) from experts, a base rate and evidence."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from forecast.questions.base import NonEmpty, QuestionMeta, Source, StrictModel, located_error
from forecast.questions.experts import Evidence, Expert, Pool, check_weights, unique_names


class BaseRate(StrictModel):
    """A reference class: ``successes`` of ``trials`` comparable cases.

    ``weight`` in (0, 1] discounts it as a power prior: the binomial likelihood is
    raised to ``weight``, so a class of doubtful relevance counts as fewer cases.
    """

    successes: Annotated[int, Field(ge=0)]
    trials: Annotated[int, Field(ge=1)]
    weight: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    reference_class: NonEmpty
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _k_le_n(self) -> BaseRate:
        if self.successes > self.trials:
            raise located_error(
                "BaseRate",
                ("successes",),
                "k_gt_n",
                "successes ({k}) cannot exceed trials ({n})",
                {"k": self.successes, "n": self.trials},
                self.successes,
            )
        return self


class EventQuestion(QuestionMeta):
    """A yes/no question: will the event happen by the deadline?"""

    kind: Literal["event"]
    experts: Annotated[list[Expert], Field(min_length=1)]
    pool: Pool = Field(default_factory=Pool)
    base_rate: BaseRate | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> EventQuestion:
        unique_names([e.name for e in self.experts], "expert name", ("experts", "name"))
        unique_names([e.id for e in self.evidence], "evidence id", ("evidence", "id"))
        return self

    @field_validator("experts")
    @classmethod
    def _weights(cls, experts: list[Expert]) -> list[Expert]:
        check_weights([e.weight for e in experts])
        return experts


__all__ = ["BaseRate", "EventQuestion"]
