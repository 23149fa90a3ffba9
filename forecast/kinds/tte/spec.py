"""The ``time-to-event`` question: when will the event happen, if at all?

Two forms, one per file:

* ``opportunities``: the event can only happen at scheduled, dated opportunities
  (a yearly summit). ``experts`` judge q, the probability of the event at the next
  opportunity with every driver off; ``trend`` (optional) is an odds multiplier per
  opportunity (below 1: less likely each time); ``drivers`` shift the odds of the
  opportunities after ``as_of``. Listed dates on or before ``as_of`` passed without the
  event and are data. ``every_months`` repeats the schedule after the last listed date
  up to the ``horizon``.
* ``hazard``: the event can happen at any time. ``hazard.experts`` judge the median
  time to the event, in years from ``hazard.since`` (the start of the clock), as they
  would without knowing how long it has already been; ``shape`` is the Weibull shape
  (1, the default, is a constant hazard). The time from ``since`` to ``as_of`` without
  the event is data. ``drivers`` multiply the hazard after ``as_of``; their
  ``odds_ratio`` is read as a hazard ratio (the odds ratio of the event within a short
  span).

The curve P(by date) runs to the ``horizon``; ``deadline`` is the date the headline
probability is for.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from forecast.questions.base import NonEmpty, QuestionMeta, StrictModel
from forecast.questions.drivers import DriverSet, FieldError, raise_field_errors
from forecast.questions.experts import Expert, LinearPool, unique_names
from forecast.questions.judgement import PositiveJudgement


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


class Schedule(StrictModel):
    """Dated opportunities for the event, optionally repeating after the last one."""

    dates: Annotated[list[dt.date], Field(min_length=1)]
    every_months: Annotated[int, Field(ge=1, le=120)] | None = Field(
        default=None, description="then one opportunity every this many months, to the horizon"
    )


class HazardExpert(StrictModel):
    """One expert's judgement of the median time to the event, in years."""

    name: NonEmpty
    median_years: PositiveJudgement
    weight: Annotated[float, Field(ge=0.0, le=1e6)] | None = None
    affiliation: str | None = None
    date: dt.date | None = None

    @field_validator("median_years")
    @classmethod
    def _uncertain(cls, v: PositiveJudgement) -> PositiveJudgement:
        if isinstance(v, int | float):
            raise PydanticCustomError(
                "certain_median",
                "give the median time as a median with an interval, or quantiles (got the "
                "single number {v}): the time that passes without the event updates it, "
                "which a certain value cannot be",
                {"v": v},
            )
        return v


class Hazard(StrictModel):
    """A continuous hazard with an uncertain median time to the event."""

    since: dt.date = Field(description="when the clock started")
    shape: PositiveJudgement = Field(default=1.0, description="Weibull shape (1: constant)")
    experts: Annotated[list[HazardExpert], Field(min_length=1)]


class TimeToEventQuestion(DriverSet, QuestionMeta):
    """When will the event happen: P(by each date), median time, P(by the deadline)."""

    kind: Literal["time-to-event"]
    horizon: dt.date
    experts: list[Expert] = Field(default_factory=list)
    pool: LinearPool = Field(default_factory=LinearPool, description="how the experts are weighted")
    opportunities: Schedule | None = None
    trend: PositiveJudgement | None = None
    hazard: Hazard | None = None

    @property
    def as_of_date(self) -> dt.date:
        """The date up to which opportunities (or time) passed without the event."""
        day = self.as_of or self.created
        assert day is not None
        return day

    def opportunity_dates(self) -> list[dt.date]:
        """Every opportunity up to the horizon: the listed dates, then the repeats."""
        assert self.opportunities is not None
        out = list(self.opportunities.dates)
        step = self.opportunities.every_months
        if step is not None:
            last, k = out[-1], 1
            while (nxt := add_months(last, step * k)) <= self.horizon:
                out.append(nxt)
                k += 1
        return out

    @model_validator(mode="after")
    def _check(self) -> TimeToEventQuestion:
        errors: list[FieldError] = []
        if self.as_of is None and self.created is None:
            errors.append(
                (
                    ("as_of",),
                    "missing_as_of",
                    "give as_of (or created): the date up to which nothing happened",
                    {},
                    None,
                )
            )
        if self.horizon < self.deadline:
            errors.append(
                (
                    ("deadline",),
                    "after_horizon",
                    "the deadline {d} is after the horizon {h}",
                    {"d": self.deadline.isoformat(), "h": self.horizon.isoformat()},
                    self.deadline.isoformat(),
                )
            )
        as_of = self.as_of or self.created
        if as_of is not None and as_of >= self.deadline:
            where = "as_of" if self.as_of is not None else "created"
            errors.append(
                (
                    (where,),
                    "after_deadline",
                    "{w} ({a}) must be before the deadline {d}",
                    {"w": where, "a": as_of.isoformat(), "d": self.deadline.isoformat()},
                    as_of.isoformat(),
                )
            )
        if (self.opportunities is None) == (self.hazard is None):
            errors.append(
                (
                    ("opportunities",),
                    "one_form",
                    "give either opportunities (scheduled) or hazard (continuous), not {what}",
                    {"what": "both" if self.hazard else "neither"},
                    None,
                )
            )
        if self.opportunities is not None:
            errors += self._schedule_errors()
        if self.hazard is not None:
            errors += self._hazard_errors(as_of)
        raise_field_errors("TimeToEventQuestion", errors)
        return self

    def _schedule_errors(self) -> list[FieldError]:
        assert self.opportunities is not None
        errors: list[FieldError] = []
        if not self.experts:
            errors.append(
                (
                    ("experts",),
                    "no_experts",
                    "give the experts' judgements of the probability at one opportunity",
                    {},
                    [],
                )
            )
        unique_names([e.name for e in self.experts], "expert name")
        seen: dict[dt.date, int] = {}
        dates = self.opportunities.dates
        for i, day in enumerate(dates):
            loc = ("opportunities", "dates", i)
            if day in seen:
                errors.append(
                    (
                        loc,
                        "duplicate_opportunity",
                        "the opportunity {d} is listed twice (first at dates[{j}])",
                        {"d": day.isoformat(), "j": seen[day]},
                        day.isoformat(),
                    )
                )
                continue
            seen[day] = i
            if day > self.horizon:
                errors.append(
                    (
                        loc,
                        "after_horizon",
                        "the opportunity {d} is after the horizon {h}",
                        {"d": day.isoformat(), "h": self.horizon.isoformat()},
                        day.isoformat(),
                    )
                )
            elif i and day < dates[i - 1]:
                errors.append(
                    (
                        loc,
                        "not_increasing",
                        "list the dates in order ({d} after {b})",
                        {"d": day.isoformat(), "b": dates[i - 1].isoformat()},
                        day.isoformat(),
                    )
                )
        if not errors and not any(d > self.as_of_date for d in self.opportunity_dates()):
            errors.append(
                (
                    ("opportunities", "dates"),
                    "no_future",
                    "no opportunity left between as_of and the horizon; add dates or every_months",
                    {},
                    None,
                )
            )
        return errors

    def _hazard_errors(self, as_of: dt.date | None) -> list[FieldError]:
        assert self.hazard is not None
        errors: list[FieldError] = []
        for what in ("experts", "trend"):
            if getattr(self, what):
                errors.append(
                    (
                        (what,),
                        "hazard_only",
                        "{what} belongs to the scheduled form; with a hazard, put the "
                        "judgements under hazard.experts",
                        {"what": what},
                        None,
                    )
                )
        unique_names([e.name for e in self.hazard.experts], "expert name")
        if as_of is not None and self.hazard.since > as_of:
            errors.append(
                (
                    ("hazard", "since"),
                    "since_after_as_of",
                    "the clock cannot start ({s}) after as_of ({a})",
                    {"s": self.hazard.since.isoformat(), "a": as_of.isoformat()},
                    self.hazard.since.isoformat(),
                )
            )
        return errors


__all__ = ["Hazard", "HazardExpert", "Schedule", "TimeToEventQuestion", "add_months"]
