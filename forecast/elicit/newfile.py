"""A new question: what a session asks before the first expert, and the file it starts.

Every kind the loader accepts can be started: an event by a deadline; a scheduled
time-to-event question (past opportunity dates, optionally repeating); a continuous
hazard question (when the clock started); and a drivers question (each driver's id,
description, odds ratio and level). The experts' judgements are then elicited as for
an existing file of that kind.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from forecast.elicit.answers import (
    PROBABILITY,
    YEARS,
    Channel,
    Invalid,
    Scale,
    ask,
    parse_choice,
    parse_date,
    parse_positive,
    parse_probability,
    parse_source,
    parse_tags,
    parse_text,
    repeated,
)

KINDS = {"event": "event", "scheduled": "scheduled", "hazard": "hazard", "drivers": "drivers"}
"""The answers to the kind question (or their first letters)."""

_DRIVER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def parse_after(raw: str, after: dt.date, what: str) -> dt.date:
    """A date strictly after ``after``."""
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a date; write it as 2030-12-31") from None
    if value <= after:
        raise Invalid(f"the {what} must be after {after.isoformat()} (got {value})")
    return value


def parse_past(raw: str, today: dt.date) -> dt.date:
    """A date on or before today."""
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a date; write it as 2020-12-31") from None
    if value > today:
        raise Invalid(f"the clock must have started by today, {today.isoformat()} (got {value})")
    return value


def parse_dates(raw: str, today: dt.date) -> list[dt.date]:
    """Past opportunity dates, in order, none after today."""
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


def parse_driver_id(taken: set[str]) -> Any:
    """A driver id: lower-case letters, digits, '-' and '_', not yet used."""

    def parse(raw: str) -> str:
        text = raw.strip()
        if not _DRIVER_ID.fullmatch(text):
            raise Invalid(f"{text!r} is not an id; use lower-case letters, digits, '-' and '_'")
        if text in taken:
            raise Invalid(f"a driver {text!r} is already given")
        return text

    return parse


def _driver(channel: Channel, taken: set[str]) -> dict[str, Any]:
    ident = ask(channel, "driver", "Driver id (e.g. us-minerals-priority)", parse_driver_id(taken))
    description = ask(
        channel, "driver_description", "What the driver is, when it counts as on", parse_text
    )
    median = ask(
        channel,
        "odds_ratio",
        "Odds ratio when the driver is on (median; 2 doubles the odds, 0.5 halves them)",
        lambda r: parse_positive(r, what="odds ratio"),
    )
    low = ask(
        channel,
        "odds_ratio_low",
        "Odds ratio: 5% chance it is below",
        lambda r: parse_positive(r, hi=median * 0.999999, what="low odds ratio"),
    )
    high = ask(
        channel,
        "odds_ratio_high",
        "Odds ratio: 5% chance it is above",
        lambda r: _above(parse_positive(r), median),
    )
    level = ask(
        channel,
        "level",
        "Probability that the driver is on by the deadline",
        lambda r: parse_probability(r, what="level"),
    )
    return {
        "id": ident,
        "description": description,
        "odds_ratio": {"median": median, "interval": [low, high], "mass": 0.9},
        "level": level,
    }


def _above(v: float, median: float) -> float:
    if not v > median:
        raise Invalid(f"the high odds ratio must be above the median {median:g} (got {v:g})")
    return v


def ask_new(channel: Channel, today: dt.date) -> dict[str, Any]:
    """The new question's kind and fields, as they will be written."""
    kind = ask(
        channel,
        "kind",
        "Kind: [e]vent by a deadline, [s]cheduled opportunities, [h]azard (time to the "
        "event), or [d]rivers",
        parse_choice(KINDS),
        "event",
    )
    meta: dict[str, Any] = {
        "kind": kind,
        "title": ask(channel, "title", "Title (the event, by when)", parse_text),
        "resolution": ask(
            channel,
            "resolution",
            "Resolution: what would a stranger check to say yes or no?",
            parse_text,
        ),
        "deadline": ask(
            channel, "deadline", "Deadline (YYYY-MM-DD)", lambda r: parse_date(r, today)
        ),
    }
    if kind in ("scheduled", "hazard"):
        meta["horizon"] = ask(
            channel,
            "horizon",
            "Horizon: the last date the forecast looks to (on or after the deadline)",
            lambda r: parse_after(r, meta["deadline"] - dt.timedelta(days=1), "horizon"),
            meta["deadline"].isoformat(),
        )
    if kind == "scheduled":
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
    if kind == "hazard":
        meta["since"] = ask(
            channel,
            "since",
            "When the clock started (YYYY-MM-DD): since when the event could happen",
            lambda r: parse_past(r, today),
        )
    if kind == "drivers":
        drivers = repeated(
            channel,
            "another_driver",
            "Another driver? [y]es / [n]o",
            lambda so_far: _driver(channel, {d["id"] for d in so_far}),
        )
        meta["drivers"] = drivers
    meta["tags"] = ask(
        channel, "tags", "Tags, separated by commas (Enter for none)", parse_tags, ""
    )
    meta["source"] = ask(
        channel,
        "source",
        "A source the question rests on: a title, then its URL if any (Enter for none)",
        parse_source,
        "",
    )
    return meta


def judged(meta: dict[str, Any]) -> tuple[str, Scale]:
    """What the first expert judges in the new question, and on which scale."""
    deadline = meta["deadline"].isoformat()
    kind = meta["kind"]
    if kind == "hazard":
        return (
            f"years from {meta['since'].isoformat()} to the event, as you would judge it "
            "without knowing how long it has already been (the time that passed without "
            "it is data)"
        ), YEARS
    if kind == "scheduled":
        return (
            "the event at the next opportunity, as if none had passed; the opportunities "
            "that passed are data"
        ), PROBABILITY
    if kind == "drivers":
        ids = ", ".join(d["id"] for d in meta["drivers"])
        return f"the event by {deadline} with every driver off ({ids})", PROBABILITY
    return f"the event by {deadline}", PROBABILITY


def new_document(meta: dict[str, Any], today: dt.date, flow: Any, date: Any) -> Any:
    """The new file's document, with an empty list where the experts go.

    ``flow`` writes a mapping in flow style, ``date`` copies a date for the writer.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    kind = meta["kind"]
    doc = CommentedMap()
    doc["format"] = 1
    doc["kind"] = {"scheduled": "time-to-event", "hazard": "time-to-event"}.get(kind, kind)
    for k in ("title", "resolution", "deadline"):
        doc[k] = meta[k]
    if "horizon" in meta:
        doc["horizon"] = meta["horizon"]
        doc["as_of"] = date(today)
    doc["status"] = "open"
    doc["created"] = date(today)
    if meta.get("tags"):
        tags = CommentedSeq(meta["tags"])
        tags.fa.set_flow_style()
        doc["tags"] = tags
    if meta.get("source"):
        doc["sources"] = CommentedSeq([flow(meta["source"])])
    if kind == "scheduled":
        sched = CommentedMap()
        sched["dates"] = CommentedSeq([date(d) for d in meta["dates"]])
        if meta.get("every_months"):
            sched["every_months"] = meta["every_months"]
        doc["opportunities"] = sched
    if kind == "hazard":
        hazard = CommentedMap()
        hazard["since"] = date(meta["since"])
        hazard["experts"] = CommentedSeq()
        doc["hazard"] = hazard
    else:
        doc["experts"] = CommentedSeq()
    if kind == "drivers":
        seq = CommentedSeq()
        for d in meta["drivers"]:
            node = CommentedMap()
            node["id"] = d["id"]
            node["description"] = d["description"]
            node["odds_ratio"] = flow(d["odds_ratio"])
            node["level"] = d["level"]
            seq.append(node)
        doc["drivers"] = seq
    doc.yaml_set_start_comment(
        f"{meta['title']}\nStarted with `forecast elicit` on {today.isoformat()}."
    )
    return doc
