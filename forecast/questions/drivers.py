"""Drivers and named scenarios over them, shared by ``drivers`` and ``time-to-event``
questions, and a drivers question's coded historical cases.

* Each driver has an elicited odds ratio ``exp(beta_j)`` (a positive-quantity
  judgement) and a current ``level``: the probability that it holds now (0 or 1 when it
  is known). The base forecast integrates over uncertain levels.
* ``scenarios`` fix some drivers' levels (``{name: {driver: level}}``); drivers a
  scenario does not name keep their current level.
* A :class:`Case` is a comparable historical case coded by driver, with its outcome
  (read from a CSV file by :mod:`forecast.questions.cases`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from forecast.questions.base import NonEmpty, Probability, Source, StrictModel
from forecast.questions.experts import Identifier, unique_names
from forecast.questions.judgement import PositiveJudgement

CASES_COLUMNS = ("outcome", "id", "date", "source", "note")
"""Columns of a cases file that are not drivers, so no driver may take these ids."""

MAX_DRIVERS = 12
"""Most drivers a question may have: levels are integrated exactly over 2^J states."""

FieldError = tuple[tuple[str | int, ...], str, str, dict[str, object], object]
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
        unique_names([d.id for d in self.drivers], "driver id")
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


__all__ = [
    "CASES_COLUMNS",
    "MAX_DRIVERS",
    "Case",
    "Driver",
    "DriverSet",
    "FieldError",
    "raise_field_errors",
]
