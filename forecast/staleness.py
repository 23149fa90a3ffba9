"""A question's dates against today's: what in a priors file has gone stale.

A priors file is written on one day and read on later ones. :func:`warnings_for` says
what the calendar has overtaken since: a scheduled opportunity that passed after
``as_of`` (did it happen?), a deadline that passed while the question is still open, a
``created`` date after the deadline, and facts older than a threshold. These are
warnings, not errors: the file is valid, the forecast may be out of date.

Today is the clock's date; ``FORECAST_TODAY`` (``YYYY-MM-DD``) pins it, for tests and
for re-running a forecast as of a given day. The threshold is
:data:`DEFAULT_STALE_DAYS`, or ``FORECAST_STALE_DAYS``, or ``--stale-after``.

Once a question is resolved only ``created`` after the deadline is flagged: newer facts
and passed opportunities no longer change anything.

A file may say why a warning stands (``known_gaps``: the facts cited have no date for a
meeting, say); the warning is still given, with the file's reason beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeGuard

from forecast.errors import UsageError
from forecast.questions.base import StaleKind
from forecast.yamlio import dotted

if TYPE_CHECKING:
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion

TODAY_ENV = "FORECAST_TODAY"
STALE_ENV = "FORECAST_STALE_DAYS"
DEFAULT_STALE_DAYS = 180
"""Facts older than this many days are flagged (about six months)."""

KINDS: tuple[str, ...] = typing.get_args(StaleKind)
"""The ``kind`` of every staleness warning, as in JSON and in ``known_gaps``."""


def today() -> dt.date:
    """Today's date: ``FORECAST_TODAY`` when set, else the clock's."""
    raw = os.environ.get(TODAY_ENV, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(
            f"{TODAY_ENV} must be a date such as 2026-12-01 (got {raw!r})",
            hint=f"unset {TODAY_ENV} to use the clock's date",
        ) from None


def stale_days(option: int | None = None) -> int:
    """The age in days past which facts are flagged: the option, the environment, or 180."""
    if option is not None:
        return option
    raw = os.environ.get(STALE_ENV, "").strip()
    if not raw:
        return DEFAULT_STALE_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = -1
    if days < 1:
        raise UsageError(f"{STALE_ENV} must be a whole number of days ≥ 1 (got {raw!r})")
    return days


def _dates_in(spec: QuestionMeta) -> list[dt.date]:
    """Every date the file gives to a source, an evidence item or a judgement."""
    found: list[dt.date] = [s.date for s in spec.sources if s.date is not None]
    for group in ("evidence", "experts", "drivers"):
        for item in getattr(spec, group, None) or []:
            day = getattr(item, "date", None)
            if isinstance(day, dt.date):
                found.append(day)
            found += [s.date for s in getattr(item, "sources", None) or [] if s.date is not None]
    return found


def facts_as_of(spec: QuestionMeta) -> tuple[dt.date, str] | None:
    """The date the file's facts are as of, and the key it comes from.

    ``as_of`` when given, else ``created``, else the newest date of a source, an
    evidence item or a judgement; None when the file dates nothing.
    """
    if spec.as_of is not None:
        return spec.as_of, "as_of"
    if spec.created is not None:
        return spec.created, "created"
    found = _dates_in(spec)
    return (max(found), "sources") if found else None


def facts_date(spec: QuestionMeta) -> dt.date | None:
    """The date of :func:`facts_as_of` alone."""
    found = facts_as_of(spec)
    return found[0] if found else None


@dataclass(frozen=True)
class StaleWarning:
    """One thing the calendar has overtaken in a priors file."""

    kind: str
    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str | None = None
    date: dt.date | None = None
    why: str | None = None
    """The file's own reason for it (``known_gaps``), when it gives one."""

    def location(self) -> str:
        """``path:line:col`` (or as much of it as is known)."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return where

    def lines(self) -> list[str]:
        """The warning as printed: one located line, then its hint and the file's reason."""
        out = [f"warning: {self.location()} {self.field}: {self.message}"]
        if self.why:
            out.append(f"  the file says: {self.why}")
        elif self.hint:
            out.append(f"  hint: {self.hint}")
        return out

    def to_dict(self) -> dict[str, str | int | None]:
        """Plain data for JSON (``warnings`` items)."""
        return {
            "kind": self.kind,
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
            "date": self.date.isoformat() if self.date else None,
            "why": self.why,
        }


def _why(spec: QuestionMeta, kind: str, day: dt.date | None) -> str | None:
    for gap in spec.known_gaps:
        if gap.kind == kind and (gap.date is None or day is None or gap.date == day):
            return gap.why
    return None


def warnings_for(
    q: LoadedQuestion, *, on: dt.date | None = None, days: int | None = None
) -> list[StaleWarning]:
    """What in the question's file the calendar has overtaken by ``on`` (default today).

    Parameters
    ----------
    q
        A loaded, valid question.
    on
        The day to judge by (default :func:`today`).
    days
        Facts older than this many days are flagged (default :func:`stale_days`).
    """
    on = on or today()
    days = stale_days(days)
    spec = q.spec
    shown = str(q.path)
    found: list[StaleWarning] = []

    def add(kind: str, loc: Loc, message: str, hint: str, day: dt.date | None) -> None:
        line, col = q.marks.find(loc) or (None, None)
        why = _why(spec, kind, day)
        found.append(StaleWarning(kind, shown, line, col, dotted(loc), message, hint, day, why))

    is_open = spec.status == "open"  # a resolved question needs no newer facts
    if is_open:
        _opportunities(q, on, add)
    if is_open and spec.deadline < on:
        add(
            "deadline-passed",
            ("deadline",),
            f"the deadline {spec.deadline.isoformat()} has passed and the status is still open",
            f"record the outcome: forecast resolve {q.id} yes|no|annulled --date YYYY-MM-DD",
            spec.deadline,
        )
    if spec.created is not None and spec.created > spec.deadline:
        add(
            "created-after-deadline",
            ("created",),
            f"created {spec.created.isoformat()} is after the deadline "
            f"{spec.deadline.isoformat()}: the question was already settled when written",
            "check both dates; the deadline is the last day the event may happen",
            spec.created,
        )
    facts = facts_as_of(spec)
    if is_open and facts is not None and (on - facts[0]).days > days:
        day, key = facts
        add(
            "facts-old",
            (key,),
            f"the facts are as of {day.isoformat()}, {(on - day).days} days ago (more than {days})",
            "look for newer facts, then move as_of; or say in known_gaps why there are none "
            f"(--stale-after DAYS or {STALE_ENV} sets the threshold)",
            day,
        )
    return found


type Loc = tuple[str | int, ...]
"""Where a warning points in the file: the keys and indices down to the value."""

type Add = Callable[[str, Loc, str, str, dt.date | None], None]
"""How a check adds a warning: its kind, place, message, hint and date."""


class _Schedule(Protocol):
    """Listed opportunities (a scheduled time-to-event question's ``opportunities``)."""

    @property
    def dates(self) -> Sequence[dt.date]: ...


class _Scheduled(Protocol):
    """A specification with scheduled opportunities (a scheduled time-to-event question)."""

    @property
    def opportunities(self) -> _Schedule | None: ...

    @property
    def as_of_date(self) -> dt.date: ...

    def opportunity_dates(self) -> list[dt.date]: ...


def _scheduled(spec: object) -> TypeGuard[_Scheduled]:
    """Whether the specification has opportunities (the kinds that have them say so)."""
    return getattr(spec, "opportunities", None) is not None


def _opportunities(q: LoadedQuestion, on: dt.date, add: Add) -> None:
    """A warning for each scheduled opportunity after ``as_of`` and before ``on``."""
    spec = q.spec
    if not _scheduled(spec) or spec.opportunities is None:
        return
    as_of = spec.as_of_date
    listed = list(spec.opportunities.dates)
    for day in spec.opportunity_dates():
        if not as_of < day < on:
            continue
        loc: Loc = (
            ("opportunities", "dates", listed.index(day))
            if day in listed
            else ("opportunities", "every_months")
        )
        scheduled = "listed" if day in listed else "from every_months"
        add(
            "opportunity-passed",
            loc,
            f"the opportunity of {day.isoformat()} ({scheduled}) has passed since as_of "
            f"{as_of.isoformat()}, and the file does not say whether the event happened",
            f"if it passed without the event, move as_of past {day.isoformat()} (it then "
            f"counts as data); if it happened, forecast resolve {q.id} yes",
            day,
        )
