"""The questions of one judgement: the median and quartiles, or a roulette grid, each
answer checked against those before it, with the fit shown after each answer."""

from __future__ import annotations

from collections.abc import Callable

from forecast.elicit.answers import (
    PROBABILITY,
    Channel,
    Invalid,
    Judgement,
    Scale,
    ask,
    ask_kept,
    parse_chips,
    parse_edges,
)
from forecast.elicit.bins import default_edges
from forecast.errors import ForecastError
from forecast.render.elicit import no_fit_yet


def provisional(
    extremes: tuple[float, float], given: dict[float, float], scale: Scale = PROBABILITY
) -> Judgement:
    """Quantiles so far, with the plausible extremes as the 1% and 99% points (an extreme
    at the scale's bound, such as a lowest probability of 0, is no quantile and is left
    out). The final judgement keeps them the same way, so the range is in the file."""
    return {"quantiles": _points(extremes, given, scale)}


def _points(
    extremes: tuple[float, float], given: dict[float, float], scale: Scale
) -> dict[float, float]:
    """The stated quantiles with the extremes that are not at the scale's bounds."""
    low, high = extremes
    q = dict(given)
    if low > scale.bounds[0]:
        q[0.01] = low
    if high < scale.bounds[1]:
        q[0.99] = high
    return dict(sorted(q.items()))


def show_fit(
    channel: Channel,
    judgement: Judgement,
    extremes: tuple[float, float],
    marks: list[float],
    *,
    final: bool,
    scale: Scale = PROBABILITY,
) -> object | None:
    """Show the fit of the judgement so far (or why there is none yet); the fit."""
    try:
        body, fitted = scale.judge(judgement, extremes, marks, final=final)
    except (ValueError, ForecastError) as exc:
        channel.show(no_fit_yet(exc))
        return None
    channel.show(body)
    return fitted


def elicit_quartiles(
    channel: Channel,
    extremes: tuple[float, float],
    prev: dict[str, str],
    scale: Scale = PROBABILITY,
) -> Judgement:
    """Median, then lower and upper quartiles, each checked against the others."""
    low, high = extremes
    what = scale.short
    stated: dict[float, float] = {}

    def point(level: float, name: str, text: str, check: Callable[[str], float]) -> float:
        """Ask for one quantile, keep it, and show the fit of what is stated so far."""
        value = ask_kept(channel, prev, name, text, check)
        stated[level] = value
        if len(stated) < 3:
            marks = sorted(stated.values())
            show_fit(
                channel,
                provisional(extremes, stated, scale),
                extremes,
                marks,
                final=False,
                scale=scale,
            )
        return value

    median = point(
        0.5,
        "median",
        f"Median: the {what} you think is as likely to be too low as too high",
        lambda r: _strictly_between(scale.parse(r), low, high, "median"),
    )
    point(
        0.25,
        "lower_quartile",
        f"Lower quartile: 25% chance the {what} is below this",
        lambda r: _quartile(scale.parse(r), low, median, "lower quartile", below=True),
    )
    point(
        0.75,
        "upper_quartile",
        f"Upper quartile: 25% chance the {what} is above this",
        lambda r: _quartile(scale.parse(r), median, high, "upper quartile", below=False),
    )
    final = _points(extremes, stated, scale)
    return {"quantiles": {k: scale.written(v) for k, v in final.items()}}


def _strictly_between(v: float, lo: float, hi: float, what: str) -> float:
    if not lo < v < hi:
        raise Invalid(
            f"the {what} must lie strictly between your lowest and highest plausible values "
            f"{lo:g} and {hi:g} (got {v:g})"
        )
    return v


def _quartile(v: float, lo: float, hi: float, what: str, *, below: bool) -> float:
    # The extremes are the 1% and 99% points, so a quartile lies strictly inside them.
    if below and not lo < v < hi:
        raise Invalid(
            f"the {what} must be above the lowest plausible value {lo:g} (your 1% point) "
            f"and below the median {hi:g} (got {v:g})"
        )
    if not below and not lo < v < hi:
        raise Invalid(
            f"the {what} must be above the median {lo:g} and below the highest plausible "
            f"value {hi:g} (your 99% point) (got {v:g})"
        )
    return v


def elicit_roulette(
    channel: Channel,
    extremes: tuple[float, float],
    prev: dict[str, str],
    scale: Scale = PROBABILITY,
) -> Judgement:
    """Bin edges across the plausible range, then chips per bin."""
    low, high = extremes
    edges = ask(
        channel,
        "bins",
        "Bin edges (Enter keeps bins at round values across your plausible range)",
        lambda r: parse_edges(r, low, high, scale.parse),
        prev.get("bins") or " ".join(f"{e:g}" for e in default_edges(low, high)),
    )
    prev["bins"] = " ".join(f"{e:g}" for e in edges)
    bins = len(edges) - 1
    chips = ask(
        channel,
        "chips",
        f"Chips per bin: {bins} whole numbers, more chips where you think the probability is",
        lambda r: parse_chips(r, bins),
        prev.get("chips"),
    )
    prev["chips"] = " ".join(str(c) for c in chips)
    from forecast.render.chips import chips_histogram

    channel.show(chips_histogram(edges, chips))
    return {"roulette": {"bins": [scale.written(e) for e in edges], "chips": chips}}
