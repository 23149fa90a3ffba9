"""Shared pieces of every priors file: strict models, question metadata, sources."""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

FORMAT_VERSION = 1
"""The priors file format this version of forecast writes and reads."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
OpenProbability = Annotated[float, Field(gt=0.0, lt=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonEmpty = Annotated[str, Field(min_length=1)]
Status = Literal["open", "yes", "no", "annulled"]


def located_error(
    title: str,
    loc: tuple[str | int, ...],
    kind: str,
    message: str,
    ctx: Mapping[str, object],
    value: object,
) -> ValidationError:
    """An error placed on ``loc`` inside the model being validated, to raise from a validator.

    A ``PydanticCustomError`` raised in a model validator is placed on the whole model;
    this one is placed on the key the user has to change (pydantic prefixes the outer
    locations).
    """
    detail = InitErrorDetails(
        type=PydanticCustomError(kind, message, dict(ctx)), loc=loc, input=value
    )
    return ValidationError.from_exception_data(title, [detail])


def require_form(model: BaseModel, forms: Sequence[set[str]], what: str, choices: str) -> None:
    """Refuse a judgement whose given fields are none of ``forms``.

    ``what`` names the judgement ("a judgement form for a quantity"); ``choices`` lists
    the forms in the user's words.
    """
    given = {k for k in type(model).model_fields if getattr(model, k) is not None}
    if given not in forms:
        raise PydanticCustomError(
            "judgement_form",
            "{got} is not " + what + "; give " + choices,
            {"got": " + ".join(sorted(given)) or "nothing"},
        )


def require_inside(
    title: str, interval: tuple[float, float], point: float, name: str, key: str
) -> None:
    """Refuse an interval that does not contain its median (``name``, ``{key}`` in the text)."""
    lo, hi = interval
    if not lo < point < hi:
        raise located_error(
            title,
            ("interval",),
            "point_outside",
            "the interval [{lo}, {hi}] must contain the " + name + " {" + key + "}",
            {"lo": lo, "hi": hi, key: point},
            list(interval),
        )


def _scalar_types(tp: object) -> frozenset[type]:
    """The plain types a field accepts directly (not through a nested model)."""
    if isinstance(tp, type):
        return frozenset() if issubclass(tp, BaseModel) else frozenset({tp})
    if typing.get_origin(tp) is Literal:
        return frozenset(type(a) for a in typing.get_args(tp))
    out: frozenset[type] = frozenset()
    for arg in typing.get_args(tp):
        if arg is not Ellipsis and not isinstance(arg, (types.NoneType, str, int, float)):
            out |= _scalar_types(arg)
    return out


@cache
def _accepts(model: type[BaseModel], name: str) -> frozenset[type]:
    """The plain types field ``name`` of ``model`` accepts (see :func:`_scalar_types`)."""
    return _scalar_types(model.model_fields[name].annotation)


def _yaml_word(value: bool) -> str:
    return "true" if value else "false"


def _numeric(text: str) -> bool:
    """Whether text reads as a finite number ('0.2' in quotes)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


class StrictModel(BaseModel):
    """A model that refuses unknown keys, NaN and infinity.

    Where a number is expected it refuses text (a quoted '0.2') and true/false (YAML
    reads an unquoted ``yes``, ``no``, ``on`` or ``off`` as true or false, which would
    otherwise pass as 1 or 0), and where a date is expected it refuses a number (which would pass as
    seconds since 1970).
    """

    # defer_build: a model's validator is built when a file first needs it, so a run
    # does not build the specifications of kinds none of its files declares.
    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        frozen=True,
        str_strip_whitespace=True,
        defer_build=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _plain_scalars(cls, value: object, info: ValidationInfo) -> object:
        if info.field_name is None or info.field_name not in cls.model_fields:
            return value
        accepts = _accepts(cls, info.field_name)
        items = (
            list(value.values())
            if isinstance(value, dict)
            else list(value)
            if isinstance(value, (list, tuple))
            else [value]
        )
        numbers = accepts & {float, int}
        if numbers and bool not in accepts:
            for item in items:
                if isinstance(item, bool):
                    raise PydanticCustomError(
                        "bool_not_number",
                        "must be a number (got {word})",
                        {"word": _yaml_word(item)},
                    )
        if numbers and str not in accepts:
            for item in items:
                if isinstance(item, str) and _numeric(item):
                    raise PydanticCustomError(
                        "text_not_number",
                        "must be a number (got the text '{text}'); write it without quotes",
                        {"text": item},
                    )
        if dt.date in accepts and not numbers:
            for item in items:
                if isinstance(item, (int, float)) and not isinstance(item, bool):
                    raise PydanticCustomError(
                        "number_not_date",
                        "must be a date such as 2027-12-31 (got {value})",
                        {"value": item},
                    )
        return value


class Source(StrictModel):
    """A source the question or a number rests on."""

    title: NonEmpty
    url: NonEmpty | None = None
    date: dt.date | None = None


StaleKind = Literal["opportunity-passed", "deadline-passed", "created-after-deadline", "facts-old"]


class KnownGap(StrictModel):
    """Why a staleness warning stands: the file knows, and says why it cannot do better."""

    kind: StaleKind
    why: NonEmpty
    date: dt.date | None = Field(
        default=None, description="for opportunity-passed: the opportunity it is about"
    )


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
    as_of: dt.date | None = Field(
        default=None, description="the date the file's facts are as of (default: created)"
    )
    known_gaps: list[KnownGap] = Field(default_factory=list)
