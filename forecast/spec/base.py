"""Shared pieces of every priors file: strict models, question metadata, sources."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1
"""The priors file format this version of forecast writes and reads."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
OpenProbability = Annotated[float, Field(gt=0.0, lt=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonEmpty = Annotated[str, Field(min_length=1)]
Status = Literal["open", "yes", "no", "annulled"]


class StrictModel(BaseModel):
    """A model that refuses unknown keys, NaN and infinity."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, str_strip_whitespace=True
    )


class Source(StrictModel):
    """A source the question or a number rests on."""

    title: NonEmpty
    url: NonEmpty | None = None
    date: dt.date | None = None


class QuestionMeta(StrictModel):
    """What every question file says about the question itself."""

    format: Literal[1]
    kind: str
    title: NonEmpty
    resolution: NonEmpty = Field(description="criteria a stranger could check to say yes or no")
    deadline: dt.date
    status: Status = "open"
    created: dt.date | None = None
    tags: list[NonEmpty] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    note: str | None = None
