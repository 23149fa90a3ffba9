"""The ``quantity`` question: a continuous uncertain amount, as the priors file states it.

An amount by a date (a deal size in USD, an output in tonnes) on a stated ``support``
(``real``, ``positive``, or ``bounded`` with ``bounds: [lo, hi]``) and ``unit``. Each expert judges
it with ``quantiles``, a ``median`` and an ``interval`` (+ ``mass``, default 0.9), or
``roulette`` chips over bins; ``family`` fixes the fitted family (else the best one
for the support is taken). ``thresholds`` turn it into event questions, P(X > t), and
``data`` are observed comparable values with a stated measurement model.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from forecast.kinds.quantity.families import FAMILIES, Family, Support
from forecast.questions.base import (
    NonEmpty,
    Positive,
    QuestionMeta,
    Source,
    StrictModel,
    located_error,
    require_form,
    require_inside,
)
from forecast.questions.experts import ExpertWeights

DEFAULT_MASS = 0.9

QuantityForm = Literal["quantiles", "median_interval", "roulette"]
QuantityPoolMethod = Literal["linear", "logarithmic"]


def _increasing(values: list[float], what: str) -> None:
    for before, after in itertools.pairwise(values):
        if not after > before:
            raise PydanticCustomError(
                "not_increasing",
                "{what} must increase ({after} after {before})",
                {"what": what, "after": after, "before": before},
            )


class QuantityRoulette(StrictModel):
    """Chips placed in bins: ``chips[i]`` chips between ``bins[i]`` and ``bins[i + 1]``."""

    bins: Annotated[list[float], Field(min_length=3)]
    chips: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2)]

    @model_validator(mode="after")
    def _consistent(self) -> QuantityRoulette:
        _increasing(list(self.bins), "bin edges")
        if len(self.chips) != len(self.bins) - 1:
            raise PydanticCustomError(
                "roulette_shape",
                "give one chip count per bin: {edges} edges make {n} bins, "
                "but {chips} counts were given",
                {"edges": len(self.bins), "n": len(self.bins) - 1, "chips": len(self.chips)},
            )
        if sum(1 for c in self.chips if c > 0) < 2:
            raise PydanticCustomError(
                "roulette_one_bin",
                "put chips in at least 2 bins: one bin cannot show a spread",
                {},
            )
        return self


class QuantityJudgement(StrictModel):
    """One expert's judgement of the quantity: quantiles, median + interval, or roulette."""

    quantiles: dict[float, float] | None = None
    median: float | None = None
    interval: tuple[float, float] | None = None
    mass: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    roulette: QuantityRoulette | None = None

    @field_validator("quantiles")
    @classmethod
    def _quantiles(cls, v: dict[float, float] | None) -> dict[float, float] | None:
        if v is None:
            return v
        if len(v) < 2:
            raise PydanticCustomError(
                "too_few", "give at least 2 quantiles ({n} given)", {"n": len(v)}
            )
        for level in v:
            if not 0.0 < level < 1.0:
                raise PydanticCustomError(
                    "bad_level",
                    "quantile levels must lie strictly between 0 and 1 (got {level})",
                    {"level": level},
                )
        _increasing(list(v), "quantile levels")
        _increasing(list(v.values()), "quantile values")
        return v

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not v[0] < v[1]:
            raise PydanticCustomError(
                "bad_interval",
                "the interval's lower end must be below its upper end (got [{lo}, {hi}])",
                {"lo": v[0], "hi": v[1]},
            )
        return v

    @property
    def form(self) -> QuantityForm:
        """Which of the forms this judgement uses."""
        if self.quantiles is not None:
            return "quantiles"
        if self.roulette is not None:
            return "roulette"
        return "median_interval"

    @property
    def interval_mass(self) -> float:
        """The mass inside the interval (0.9 when not given)."""
        return DEFAULT_MASS if self.mass is None else self.mass

    @model_validator(mode="after")
    def _one_form(self) -> QuantityJudgement:
        forms = [{"quantiles"}, {"roulette"}, {"median", "interval"}]
        forms.append({"median", "interval", "mass"})
        require_form(
            self,
            forms,
            "a judgement form for a quantity",
            "one of: quantiles, median + interval (+ mass), roulette",
        )
        if self.median is not None and self.interval is not None:
            require_inside("QuantityJudgement", self.interval, self.median, "median", "m")
        return self

    def values(self) -> list[tuple[tuple[str | int, ...], float]]:
        """Every value the expert stated, with where it is in the judgement."""
        if self.quantiles is not None:
            out: list[tuple[tuple[str | int, ...], float]] = [
                (("quantiles",), v) for v in self.quantiles.values()
            ]
            return out
        if self.roulette is not None:
            return [(("roulette", "bins", i), v) for i, v in enumerate(self.roulette.bins)]
        assert self.median is not None and self.interval is not None
        return [
            (("median",), self.median),
            *((("interval", i), v) for i, v in enumerate(self.interval)),
        ]


class QuantityExpert(StrictModel):
    """One expert and their judgement of the quantity."""

    name: NonEmpty
    judgement: QuantityJudgement
    family: Family | None = Field(
        default=None, description="fix the family this judgement is fitted to"
    )
    weight: Annotated[float, Field(ge=0.0, le=1e6)] | None = None
    affiliation: str | None = None
    date: dt.date | None = None


class QuantityPool(ExpertWeights):
    """How the experts are pooled: ``linear`` (a mixture) or ``logarithmic``."""

    method: QuantityPoolMethod = "linear"


class Measurement(StrictModel):
    """How an observed value relates to the quantity: normal error with ``sd``.

    On the ``natural`` scale, value ~ Normal(X, sd); on the ``log`` scale (a positive
    quantity), log value ~ Normal(log X, sd), so sd is roughly a relative error.
    """

    scale: Literal["natural", "log"] = "natural"
    sd: Positive


class QuantityData(StrictModel):
    """Observed comparable values and the measurement model they were made under."""

    values: Annotated[list[float], Field(min_length=1)]
    measurement: Measurement
    description: NonEmpty | None = None
    sources: list[Source] = Field(default_factory=list)


class QuantityQuestion(QuestionMeta):
    """A continuous uncertain quantity judged by experts."""

    kind: Literal["quantity"]
    unit: NonEmpty
    support: Literal["real", "positive", "bounded"] = "positive"
    bounds: tuple[float, float] | None = Field(
        default=None, description="[lo, hi] of a bounded quantity (support: bounded)"
    )
    family: Family | None = Field(default=None, description="fix the fitted family")
    thresholds: Annotated[list[float], Field(min_length=1)] = Field(
        description="values t for P(X > t); the first is the headline probability"
    )
    experts: Annotated[list[QuantityExpert], Field(min_length=1)]
    pool: QuantityPool = Field(default_factory=QuantityPool)
    data: QuantityData | None = None
    value: float | None = Field(
        default=None, description="the resolved value (written by forecast resolve --value)"
    )

    @property
    def limits(self) -> Support:
        """The support as lower and upper limits."""
        if self.support == "real":
            return Support()
        if self.support == "positive":
            return Support(0.0, math.inf)
        assert self.bounds is not None
        return Support(*self.bounds)

    @property
    def families(self) -> tuple[Family, ...]:
        """The families each judgement is fitted to."""
        return self.limits.families()

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not v[0] < v[1]:
            raise PydanticCustomError(
                "bad_interval",
                "the lower bound must be below the upper bound (got [{lo}, {hi}])",
                {"lo": v[0], "hi": v[1]},
            )
        return v

    @model_validator(mode="after")
    def _inside_support(self) -> QuantityQuestion:
        if (self.support == "bounded") != (self.bounds is not None):
            raise located_error(
                "QuantityQuestion",
                ("bounds" if self.bounds is not None else "support",),
                "bounds_support",
                "give bounds: [lo, hi] with support: bounded, and only then",
                {},
                self.support,
            )
        s = self.limits
        inside = (
            f"strictly between {s.lower:g} and {s.upper:g}"
            if s.name == "bounded"
            else f"above {s.lower:g}"
        )
        if self.family is not None and self.family not in s.families():
            raise located_error(
                "QuantityQuestion",
                ("family",),
                "family_support",
                "family {f} does not fit a {s} quantity; use one of {ok}",
                {"f": self.family, "s": s.name, "ok": ", ".join(s.families())},
                self.family,
            )
        for i, e in enumerate(self.experts):
            if e.family is not None and e.family not in s.families():
                raise located_error(
                    "QuantityQuestion",
                    ("experts", i, "family"),
                    "family_support",
                    "family {f} does not fit a {s} quantity; use one of {ok}",
                    {"f": e.family, "s": s.name, "ok": ", ".join(s.families())},
                    e.family,
                )
            for loc, v in e.judgement.values():
                edge_ok = e.judgement.roulette is not None and v in (s.lower, s.upper)
                if not s.contains(v) and not edge_ok:
                    raise located_error(
                        "QuantityQuestion",
                        ("experts", i, "judgement", *loc),
                        "outside_support",
                        "{v} is not {inside}: the quantity is {s}",
                        {"v": v, "inside": inside, "s": s.name},
                        v,
                    )
        if self.value is not None and not (
            s.contains(self.value) or self.value in (s.lower, s.upper)
        ):
            raise located_error(
                "QuantityQuestion",
                ("value",),
                "outside_support",
                "the resolved value {v} is not {inside}",
                {"v": self.value, "inside": inside},
                self.value,
            )
        for i, t in enumerate(self.thresholds):
            if not s.contains(t):
                raise located_error(
                    "QuantityQuestion",
                    ("thresholds", i),
                    "outside_support",
                    "threshold {v} is not {inside}",
                    {"v": t, "inside": inside},
                    t,
                )
        if self.data is not None:
            log = self.data.measurement.scale == "log"
            if log and s.name == "real":
                raise located_error(
                    "QuantityQuestion",
                    ("data", "measurement", "scale"),
                    "log_real",
                    "a log-scale measurement needs a positive quantity (support: positive)",
                    {},
                    "log",
                )
            for i, v in enumerate(self.data.values):
                if log and v <= 0:
                    raise located_error(
                        "QuantityQuestion",
                        ("data", "values", i),
                        "log_nonpositive",
                        "a value measured on the log scale must be above 0 (got {v})",
                        {"v": v},
                        v,
                    )
        return self


__all__ = ["FAMILIES", "QuantityJudgement", "QuantityQuestion"]
