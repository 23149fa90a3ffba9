"""What ``elicit`` asks for a new drivers question: each driver's id, odds ratio and level."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedSeq

    from forecast.elicit.answers import Channel


class OddsRatioAnswer(TypedDict):
    """A driver's odds ratio as asked: the median and a 90% interval."""

    median: float
    interval: list[float]
    mass: float


class DriverAnswer(TypedDict):
    """One driver as ``elicit`` asked for it."""

    id: str
    description: str
    odds_ratio: OddsRatioAnswer
    level: float


_DRIVER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def parse_driver_id(taken: set[str]) -> Callable[[str], str]:
    """A driver id: lower-case letters, digits, '-' and '_', not yet used."""
    from forecast.elicit.answers import Invalid

    def parse(raw: str) -> str:
        text = raw.strip()
        if not _DRIVER_ID.fullmatch(text):
            raise Invalid(f"{text!r} is not an id; use lower-case letters, digits, '-' and '_'")
        if text in taken:
            raise Invalid(f"a driver {text!r} is already given")
        return text

    return parse


def _above(v: float, median: float) -> float:
    from forecast.elicit.answers import Invalid

    if not v > median:
        raise Invalid(f"the high odds ratio must be above the median {median:g} (got {v:g})")
    return v


def ask_driver(channel: Channel, taken: set[str]) -> DriverAnswer:
    """One driver: its id, what it is, its odds ratio (median and 90% interval), its level."""
    from forecast.elicit.answers import ask, parse_positive, parse_probability, parse_text

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


def ask_drivers(channel: Channel) -> list[DriverAnswer]:
    """Drivers until the user says there are no more (at least one)."""
    from forecast.elicit.answers import repeated

    return repeated(
        channel,
        "another_driver",
        "Another driver? [y]es / [n]o",
        lambda so_far: ask_driver(channel, {d["id"] for d in so_far}),
    )


def answers(meta: Mapping[str, object]) -> list[DriverAnswer]:
    """The drivers :func:`ask_drivers` put into a new file's answers."""
    drivers = meta["drivers"]
    assert isinstance(drivers, list)
    return drivers


def drivers_node(
    drivers: list[DriverAnswer], flow: Callable[[Mapping[str, object]], object]
) -> CommentedSeq:
    """The ``drivers:`` list of a new file."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    seq = CommentedSeq()
    for d in drivers:
        node = CommentedMap()
        node["id"] = d["id"]
        node["description"] = d["description"]
        node["odds_ratio"] = flow(d["odds_ratio"])
        node["level"] = d["level"]
        seq.append(node)
    return seq
