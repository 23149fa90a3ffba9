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

The driver and scenario pieces are shared with ``time-to-event`` questions
(:mod:`forecast.questions.drivers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from forecast.questions.base import NonEmpty, QuestionMeta
from forecast.questions.drivers import (
    CASES_COLUMNS,
    Case,
    DriverSet,
    FieldError,
    raise_field_errors,
)
from forecast.questions.experts import Evidence, Expert, LinearPool, unique_names


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
        unique_names([e.name for e in self.experts], "expert name")
        unique_names([e.id for e in self.evidence], "evidence id", ("evidence", "id"))
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


__all__ = ["DriversQuestion"]
