"""What ``elicit`` asks for a new time-to-event question, scheduled or hazard."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.elicit.answers import Channel


def parse_after(raw: str, after: dt.date, what: str) -> dt.date:
    """A date strictly after ``after``."""
    from forecast.elicit.answers import Invalid

    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a date; write it as 2030-12-31") from None
    if value <= after:
        raise Invalid(f"the {what} must be after {after.isoformat()} (got {value})")
    return value


def parse_past(raw: str, today: dt.date) -> dt.date:
    """A date on or before today."""
    from forecast.elicit.answers import Invalid

    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a date; write it as 2020-12-31") from None
    if value > today:
        raise Invalid(f"the clock must have started by today, {today.isoformat()} (got {value})")
    return value


def parse_dates(raw: str, today: dt.date) -> list[dt.date]:
    """Past opportunity dates, in order, none after today."""
    from forecast.elicit.answers import Invalid

    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    if not parts:
        raise Invalid("give at least one past opportunity date, e.g. 2024-08-09 2025-11-16")
    dates = [parse_past(p, today) for p in parts]
    for a, b in itertools.pairwise(dates):
        if not b > a:
            raise Invalid(f"list the dates in order, each once ({b} after {a})")
    return dates


def parse_months(raw: str) -> int | None:
    """Months between opportunities (1 to 120), or none when empty."""
    from forecast.elicit.answers import Invalid

    text = raw.strip()
    if not text or text.lower() in ("none", "no", "-"):
        return None
    try:
        value = int(text)
    except ValueError:
        raise Invalid(f"{raw!r} is not a whole number of months") from None
    if not 1 <= value <= 120:
        raise Invalid(f"give between 1 and 120 months (got {value})")
    return value


def ask_horizon(channel: Channel, meta: dict[str, object]) -> None:
    """The last date the forecast looks to."""
    from forecast.elicit.answers import ask

    deadline = meta["deadline"]
    assert isinstance(deadline, dt.date)
    meta["horizon"] = ask(
        channel,
        "horizon",
        "Horizon: the last date the forecast looks to (on or after the deadline)",
        lambda r: parse_after(r, deadline - dt.timedelta(days=1), "horizon"),
        deadline.isoformat(),
    )


def ask_schedule(channel: Channel, today: dt.date, meta: dict[str, object]) -> None:
    """The past opportunities, and how often they come from the last one on."""
    from forecast.elicit.answers import ask

    meta["dates"] = ask(
        channel,
        "opportunities",
        "Dates of the past opportunities (meetings, votes), in order",
        lambda r: parse_dates(r, today),
    )
    meta["every_months"] = ask(
        channel,
        "every_months",
        "Months between opportunities from the last one on (Enter for none)",
        parse_months,
        "",
    )


def ask_since(channel: Channel, today: dt.date, meta: dict[str, object]) -> None:
    """When the clock started."""
    from forecast.elicit.answers import ask

    meta["since"] = ask(
        channel,
        "since",
        "When the clock started (YYYY-MM-DD): since when the event could happen",
        lambda r: parse_past(r, today),
    )
