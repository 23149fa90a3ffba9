"""What one expert said about one uncertain quantity, validated before any fitting.

Forms for a probability (``ProbabilityJudgement``):

* ``probability`` + ``strength``: a point with a strength "as if n cases";
* ``probability`` + ``interval`` (+ ``mass``, default 0.9): a median with an interval;
* ``interval`` + ``mass``: an interval and how sure the expert is of it;
* ``quantiles``: two or more ``{cumulative probability: value}`` pairs;
* ``pseudo_counts``: ``{successes: k, trials: n}``, "as if k in n";
* ``roulette``: ``{bins: [edges...], chips: [counts...]}``, chips placed in bins.

Forms for a positive quantity such as a likelihood or odds ratio
(``PositiveJudgement``): a fixed number, ``median`` + ``interval`` (+ ``mass``), or
``quantiles``.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from forecast.questions.base import (
    OpenProbability,
    Positive,
    Probability,
    StrictModel,
    located_error,
    require_form,
    require_inside,
)
from forecast.questions.limits import (
    POSITIVE_RANGE,
    floor_error,
    shape_floor_error,
    within_floor,
)

DEFAULT_MASS = 0.9

ProbabilityForm = Literal[
    "point", "median_interval", "interval", "quantiles", "pseudo_counts", "roulette"
]
PositiveForm = Literal["fixed", "median_interval", "quantiles"]


def _check_increasing(values: list[float], what: str) -> None:
    for before, after in itertools.pairwise(values):
        if not after > before:
            raise PydanticCustomError(
                "not_increasing",
                "{what} must increase ({after} after {before})",
                {"what": what, "after": after, "before": before},
            )


def _ordered(v: tuple[float, float] | None) -> tuple[float, float] | None:
    """An interval whose lower end is below its upper end."""
    if v is not None and not v[0] < v[1]:
        raise PydanticCustomError(
            "bad_interval",
            "the interval's lower end must be below its upper end (got [{lo}, {hi}])",
            {"lo": v[0], "hi": v[1]},
        )
    return v


def _check_quantiles(q: dict[float, float], lo: float | None, hi: float | None) -> None:
    if len(q) < 2:
        raise PydanticCustomError("too_few", "give at least 2 quantiles ({n} given)", {"n": len(q)})
    for level, value in q.items():
        if not 0.0 < level < 1.0:
            raise PydanticCustomError(
                "bad_level",
                "quantile levels must lie strictly between 0 and 1 (got {level})",
                {"level": level},
            )
        if (lo is not None and value <= lo) or (hi is not None and value >= hi):
            inside = f"strictly between {lo:g} and {hi:g}" if hi is not None else f"above {lo:g}"
            raise PydanticCustomError(
                "bad_value",
                "quantile values must lie {inside} (got {value} at {level}): a quantile "
                "at a bound says some values are impossible",
                {"inside": inside, "value": value, "level": level},
            )
    levels = sorted(q)
    if list(q) != levels:
        raise PydanticCustomError(
            "unsorted_levels",
            "list quantiles in increasing order of level ({after} after {before})",
            {
                "after": next(b for a, b in zip(q, list(q)[1:], strict=False) if b < a),
                "before": next(a for a, b in zip(q, list(q)[1:], strict=False) if b < a),
            },
        )
    _check_increasing([q[k] for k in levels], "quantile values")


class PseudoCounts(StrictModel):
    """ "As if k successes in n comparable trials"."""

    successes: Annotated[int, Field(ge=0)]
    trials: Annotated[int, Field(ge=1)]

    @model_validator(mode="after")
    def _k_le_n(self) -> PseudoCounts:
        if self.successes > self.trials:
            raise located_error(
                "PseudoCounts",
                ("successes",),
                "k_gt_n",
                "successes ({k}) cannot exceed trials ({n})",
                {"k": self.successes, "n": self.trials},
                self.successes,
            )
        return self


class Roulette(StrictModel):
    """Chips placed in bins: ``chips[i]`` chips between ``bins[i]`` and ``bins[i + 1]``.

    The share of chips left of an edge is the expert's probability of being below it.
    """

    bins: Annotated[list[Probability], Field(min_length=3)]
    chips: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2)]

    @model_validator(mode="after")
    def _consistent(self) -> Roulette:
        _check_increasing(list(self.bins), "bin edges")
        if len(self.chips) != len(self.bins) - 1:
            raise PydanticCustomError(
                "roulette_shape",
                "give one chip count per bin: {edges} edges make {n} bins, "
                "but {chips} counts were given",
                {"edges": len(self.bins), "n": len(self.bins) - 1, "chips": len(self.chips)},
            )
        used = sum(1 for c in self.chips if c > 0)
        if used < 2:
            raise PydanticCustomError(
                "roulette_one_bin",
                "put chips in at least 2 bins ({used} used): one bin cannot show a spread",
                {"used": used},
            )
        return self


class ProbabilityJudgement(StrictModel):
    """An expert's judgement about a probability (see the module docstring for forms)."""

    probability: Probability | None = None
    strength: Annotated[float, Field(ge=1.0, le=1e6)] | None = Field(
        default=None,
        description="as if this many cases: at least one (near 0 the Beta it makes piles "
        "up at 0 and 1)",
    )
    interval: tuple[Probability, Probability] | None = None
    mass: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    quantiles: dict[float, Probability] | None = None
    pseudo_counts: PseudoCounts | None = None
    roulette: Roulette | None = None

    _interval = field_validator("interval")(staticmethod(_ordered))

    @field_validator("quantiles")
    @classmethod
    def _quantiles(cls, v: dict[float, float] | None) -> dict[float, float] | None:
        if v is not None:
            _check_quantiles(v, 0.0, 1.0)
        return v

    @property
    def form(self) -> ProbabilityForm:
        """Which of the forms this judgement uses."""
        if self.quantiles is not None:
            return "quantiles"
        if self.pseudo_counts is not None:
            return "pseudo_counts"
        if self.roulette is not None:
            return "roulette"
        if self.strength is not None:
            return "point"
        if self.probability is not None:
            return "median_interval"
        return "interval"

    @model_validator(mode="after")
    def _one_form(self) -> ProbabilityJudgement:
        forms = [
            {"probability", "strength"},
            {"probability", "interval"},
            {"probability", "interval", "mass"},
            {"interval", "mass"},
            {"quantiles"},
            {"pseudo_counts"},
            {"roulette"},
        ]
        require_form(
            self,
            forms,
            "a judgement form",
            "one of: probability + strength, probability + interval (+ mass), interval + mass, "
            "quantiles, pseudo_counts, roulette",
        )
        self._check_floor()
        if self.form == "point":
            p = self.probability
            assert p is not None and self.strength is not None
            if not 0.0 < p < 1.0:
                raise located_error(
                    "ProbabilityJudgement",
                    ("probability",),
                    "point_edge",
                    "a point probability with a strength must lie strictly between 0 and 1 "
                    "(got {p}); use pseudo_counts for 'never in n'",
                    {"p": p},
                    p,
                )
            degenerate = shape_floor_error(p, self.strength)
            if degenerate is not None:
                message, ctx = degenerate
                raise located_error(
                    "ProbabilityJudgement",
                    ("strength",),
                    "shape_floor",
                    message,
                    ctx,
                    self.strength,
                )
        if self.form == "median_interval":
            assert self.interval is not None and self.probability is not None
            require_inside(
                "ProbabilityJudgement", self.interval, self.probability, "probability", "p"
            )
        if self.interval is not None and self.interval == (0.0, 1.0):
            raise located_error(
                "ProbabilityJudgement",
                ("interval",),
                "vacuous_interval",
                "the interval [0, 1] says nothing; narrow it or use a strength",
                {},
                list(self.interval),
            )
        return self

    def _check_floor(self) -> None:
        """Refuse a stated probability closer to 0 or 1 than PROBABILITY_FLOOR."""
        stated: list[tuple[tuple[Any, ...], list[float]]] = []  # keys may be levels
        if self.probability is not None:
            stated.append((("probability",), [self.probability]))
        if self.interval is not None:
            stated.append((("interval",), list(self.interval)))
        if self.quantiles is not None:
            stated.extend(((("quantiles", k), [v]) for k, v in self.quantiles.items()))
        if self.roulette is not None:
            stated.append((("roulette", "bins"), list(self.roulette.bins)))
        for loc, values in stated:
            bad = within_floor(values)
            if bad is not None:
                raise floor_error(loc, bad)

    @property
    def interval_mass(self) -> float:
        """The mass inside ``interval`` (the stated one or the default 0.9)."""
        return self.mass if self.mass is not None else DEFAULT_MASS


class MedianInterval(StrictModel):
    """A positive quantity judged as a median and an interval holding ``mass``."""

    median: Positive | None = None
    interval: tuple[Positive, Positive] | None = None
    mass: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    quantiles: dict[float, Positive] | None = None

    _interval = field_validator("interval")(staticmethod(_ordered))

    @field_validator("quantiles")
    @classmethod
    def _quantiles(cls, v: dict[float, float] | None) -> dict[float, float] | None:
        if v is not None:
            _check_quantiles(v, 0.0, None)
        return v

    @model_validator(mode="after")
    def _one_form(self) -> MedianInterval:
        self._check_range()
        forms = [{"median", "interval"}, {"median", "interval", "mass"}, {"quantiles"}]
        require_form(
            self,
            forms,
            "a judgement form for a positive quantity",
            "a number, median + interval (+ mass), or quantiles",
        )
        if self.interval is not None and self.median is not None:
            require_inside("MedianInterval", self.interval, self.median, "median", "m")
        return self

    @property
    def interval_mass(self) -> float:
        """The mass inside ``interval`` (the stated one or the default 0.9)."""
        return self.mass if self.mass is not None else DEFAULT_MASS

    def _check_range(self) -> None:
        """Refuse a stated value outside POSITIVE_RANGE."""
        lo, hi = POSITIVE_RANGE
        stated: list[tuple[tuple[Any, ...], float]] = []  # keys may be levels
        if self.median is not None:
            stated.append((("median",), self.median))
        if self.interval is not None:
            stated.extend((("interval",), v) for v in self.interval)
        if self.quantiles is not None:
            stated.extend(((("quantiles", k), v) for k, v in self.quantiles.items()))
        for loc, v in stated:
            if not lo <= v <= hi:
                raise located_error(
                    "MedianInterval",
                    loc,
                    "out_of_range",
                    "{value} is outside what can be fitted ({lo} to {hi}): a ratio of a "
                    "billion to one is beyond any evidence; give a value in that range",
                    {"value": f"{v:g}", "lo": f"{lo:g}", "hi": f"{hi:g}"},
                    v,
                )


PositiveJudgement = Positive | MedianInterval
"""A positive quantity: a fixed number or an uncertain judgement of it."""

__all__ = [
    "DEFAULT_MASS",
    "MedianInterval",
    "OpenProbability",
    "PositiveJudgement",
    "ProbabilityJudgement",
    "PseudoCounts",
    "Roulette",
]
