"""The ``drivers`` question: logit p = alpha + sum beta_j x_j, with named scenarios.

* ``experts`` judge the *baseline*: the probability of the event by the deadline when
  every driver is off. Their pool is the prior of ``alpha = logit p``.
* Each driver has an elicited odds ratio ``exp(beta_j)`` (a positive-quantity
  judgement) and a current ``level``: the probability that it holds now (0 or 1 when it
  is known). The base forecast integrates over uncertain levels.
* Optional ``cases``: comparable historical cases coded by driver with their outcomes,
  inline or in a CSV file next to the priors file (read and checked by the loader, see
  :mod:`forecast.questions.cases`); they update alpha and beta.
* Optional ``evidence``: observed signals with uncertain likelihood ratios, as in an
  event question; each one not already in the judgements shifts the log-odds of the
  forecast (not of the historical cases).
* ``scenarios`` fix some drivers' levels (``{name: {driver: level}}``); drivers a
  scenario does not name keep their current level.

The driver and scenario pieces are shared with ``time-to-event`` questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from forecast.questions.base import NonEmpty, Probability, QuestionMeta, Source, StrictModel
from forecast.questions.event import Evidence, Expert, Identifier, LinearPool, _unique_names
from forecast.questions.judgement import PositiveJudgement

CASES_COLUMNS = ("outcome", "id", "date", "source", "note")
"""Columns of a cases file that are not drivers, so no driver may take these ids."""

MAX_DRIVERS = 12
"""Most drivers a question may have: levels are integrated exactly over 2^J states."""

FieldError = tuple[tuple[str | int, ...], str, str, dict[str, Any], Any]
"""(location, error type, message template, context, input) of one problem."""


def raise_field_errors(title: str, errors: Iterable[FieldError]) -> None:
    """Raise every problem at once, each located on its own field.

    A ``PydanticCustomError`` raised in a model validator is placed on the model, not
    on the offending key; raising a ``ValidationError`` built from located errors puts
    each one where the user has to look (pydantic prefixes the outer locations).
    """
    details = [
        InitErrorDetails(type=PydanticCustomError(kind, msg, ctx), loc=loc, input=value)
        for loc, kind, msg, ctx, value in errors
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


class Driver(StrictModel):
    """A condition that shifts the odds, with its odds ratio and current level."""

    id: Identifier
    description: NonEmpty
    odds_ratio: PositiveJudgement = Field(
        description="odds of the event with the driver on, divided by the odds with it off"
    )
    level: Probability = Field(
        description="the probability that the driver holds now (0 or 1 when known)"
    )
    sources: list[Source] = Field(default_factory=list)


Scenario = dict[Identifier, Probability]
"""Driver id -> level in a named scenario."""


class DriverSet(StrictModel):
    """Drivers and scenarios over them; shared by the kinds that have drivers."""

    drivers: Annotated[list[Driver], Field(max_length=MAX_DRIVERS)] = Field(default_factory=list)
    scenarios: dict[Identifier, Scenario] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_drivers(self) -> DriverSet:
        _unique_names([d.id for d in self.drivers], "driver id")
        ids = [d.id for d in self.drivers]
        raise_field_errors(
            type(self).__name__,
            (
                (
                    ("scenarios", name, driver),
                    "unknown_driver",
                    "unknown driver '{driver}' in scenario '{scenario}'; drivers: {valid}",
                    {"driver": driver, "scenario": name, "valid": ", ".join(ids) or "none"},
                    level,
                )
                for name, levels in self.scenarios.items()
                for driver, level in levels.items()
                if driver not in ids
            ),
        )
        return self

    def scenario_levels(self, name: str | None) -> dict[str, float]:
        """Every driver's level in scenario ``name`` (None: the current levels)."""
        levels = {d.id: d.level for d in self.drivers}
        if name is not None:
            levels.update(self.scenarios[name])
        return levels


class Case(StrictModel):
    """A comparable historical case: which drivers held, and whether the event happened."""

    id: NonEmpty | None = None
    drivers: dict[Identifier, bool]
    outcome: bool
    date: dt.date | None = None


class DriversQuestion(DriverSet, QuestionMeta):
    """A yes/no question whose odds depend on drivers."""

    kind: Literal["drivers"]
    experts: Annotated[list[Expert], Field(min_length=1)] = Field(
        description="judgements of the probability when every driver is off"
    )
    pool: LinearPool = Field(default_factory=LinearPool, description="how the experts are weighted")
    cases: list[Case] | NonEmpty | None = Field(
        default=None, description="coded historical cases, inline or a CSV file next to this one"
    )
    evidence: list[Evidence] = Field(default_factory=list)
    _file_cases: tuple[Case, ...] | None = PrivateAttr(default=None)

    def coded_cases(self) -> tuple[Case, ...] | None:
        """The coded cases, inline or from the cases file; None for a file not yet read."""
        if self.cases is None:
            return ()
        if isinstance(self.cases, list):
            return tuple(self.cases)
        return self._file_cases

    def with_file_cases(self, cases: Sequence[Case]) -> DriversQuestion:
        """A copy of the question holding the cases read from its cases file."""
        copy = self.model_copy()
        copy._file_cases = tuple(cases)
        return copy

    @field_validator("cases")
    @classmethod
    def _csv_name(cls, v: list[Case] | str | None) -> list[Case] | str | None:
        if isinstance(v, str) and not v.lower().endswith(".csv"):
            raise PydanticCustomError(
                "cases_file",
                "cases must be a list of cases or the name of a .csv file (got {v})",
                {"v": repr(v if len(v) <= 60 else v[:57] + "...")},
            )
        return v

    @model_validator(mode="after")
    def _check(self) -> DriversQuestion:
        _unique_names([e.name for e in self.experts], "expert name")
        _unique_names([e.id for e in self.evidence], "evidence id", ("evidence", "id"))
        if not self.drivers:
            raise_field_errors(
                "DriversQuestion",
                [(("drivers",), "no_drivers", "a drivers question needs drivers", {}, [])],
            )
        if isinstance(self.cases, list):
            ids = {d.id for d in self.drivers}
            raise_field_errors(
                "DriversQuestion", _case_errors([c.drivers for c in self.cases], ids)
            )
        elif isinstance(self.cases, str):
            raise_field_errors(
                "DriversQuestion",
                [
                    (
                        ("drivers", i, "id"),
                        "reserved_id",
                        "'{id}' names a column of its own in a cases file; give the driver "
                        "another id",
                        {"id": d.id},
                        d.id,
                    )
                    for i, d in enumerate(self.drivers)
                    if d.id in CASES_COLUMNS
                ],
            )
        return self


def _case_errors(coded: list[dict[str, bool]], ids: set[str]) -> list[FieldError]:
    out: list[FieldError] = []
    for i, drivers in enumerate(coded):
        for name in drivers:
            if name not in ids:
                out.append(
                    (
                        ("cases", i, "drivers", name),
                        "unknown_driver",
                        "unknown driver '{driver}'; drivers: {valid}",
                        {"driver": name, "valid": ", ".join(sorted(ids))},
                        drivers[name],
                    )
                )
        missing = sorted(ids - set(drivers))
        if missing:
            out.append(
                (
                    ("cases", i, "drivers"),
                    "uncoded_driver",
                    "code every driver as true or false (missing: {missing})",
                    {"missing": ", ".join(missing)},
                    drivers,
                )
            )
    return out


__all__ = ["MAX_DRIVERS", "Case", "Driver", "DriverSet", "DriversQuestion", "raise_field_errors"]
