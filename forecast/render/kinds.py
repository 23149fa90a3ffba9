"""The sections a time-to-event or drivers forecast adds to a report, as plain tables.

The terminal report draws these as charts (:mod:`forecast.render.curves`); the markdown
and HTML reports render the same :class:`Section` objects as tables, so every format
carries the same numbers: the median time and the date the facts are known as of, P(by
each date) with its 80% band, a hazard question's experts, each scenario and each
driver's swing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forecast.render import fmt


@dataclass(frozen=True)
class Section:
    """A titled table with lines of text before and after it (cells are plain text)."""

    title: str
    head: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[int, ...] = ()
    """Columns holding numbers (right-aligned)."""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    figure: str = ""
    """A picture the kind drew (SVG markup it made and escaped itself): HTML reports show
    it under the title, the other formats carry the table."""


def median_line(extra: dict[str, Any]) -> str:
    """``2031-06-01`` or ``after the horizon (2032-12-31)``."""
    median = extra["median_time"]
    return median if median != "after the horizon" else f"after the horizon ({extra['horizon']})"


def deadline_row(curve: list[dict[str, Any]], deadline: str) -> int:
    """The row the headline is for: the deadline's, or the last date before it (-1: none)."""
    upto = [i for i, point in enumerate(curve) if point["date"] <= deadline]
    return upto[-1] if upto else -1


def curve_section(f: Any) -> Section:
    """P(by each date) with its 80% band, and the median time."""
    extra = f.extra
    deadline = f.deadline.isoformat()
    marked = deadline_row(extra["curve"], deadline)
    rows = []
    for i, p in enumerate(extra["curve"]):
        by = p["date"]
        if i == marked:
            by += " (deadline)" if p["date"] == deadline else " (last before the deadline)"
        rows.append((by, fmt.pct(p["probability"]), fmt.interval(p["lo"], p["hi"])))
    median = f"Median time to the event: {median_line(extra)} (known as of {extra['as_of']})"
    return Section("P(by date)", ("by", "P", "80% band"), tuple(rows), (1, 2), (median,))


def hazard_section(extra: dict[str, Any]) -> Section:
    """A hazard question's experts, its Weibull shape and the posterior median time."""
    from forecast.elicit.distributions import Fitted

    hz = extra["hazard"]
    rows = []
    for e in hz["experts"]:
        fitted = Fitted.from_dict(e["fit"])
        rows.append(
            (e["name"], f"{e['weight']:.2f}", fitted.describe(), fmt.fit_error(fitted.fit_error))
        )
    post = hz["posterior_median_years"]
    shape = Fitted.from_dict(hz["shape"])
    note = (
        f"Weibull shape {shape.describe()}; {hz['elapsed_years']:.1f} years passed without "
        f"the event; posterior median time {post['median']:.3g} years "
        f"(80% {post['interval'][0]:.3g} – {post['interval'][1]:.3g})"
    )
    return Section(
        f"Experts: median years to the event from {hz['since']} (linear pool)",
        ("expert", "weight", "fit", "fit error"),
        tuple(rows),
        (1, 3),
        after=(note,),
    )


def changed_levels(s: dict[str, Any], base: dict[str, float]) -> str:
    """The driver levels a scenario row shows: all for the current levels, else those
    that differ from them."""
    shown = {
        k: v for k, v in s["levels"].items() if s["name"] == "current levels" or v != base.get(k)
    }
    return ", ".join(f"{k} {fmt.level(v)}" for k, v in shown.items())


def _scenarios(extra: dict[str, Any]) -> Section:
    scenarios = extra["scenarios"]
    chosen = extra.get("scenario")
    base = scenarios[0]["levels"] if scenarios else {}
    rows = tuple(
        (
            s["name"] + (" (this forecast)" if s["name"] == chosen else ""),
            fmt.pct(s["probability"]),
            fmt.interval(*s["intervals"]["80"]),
            fmt.interval(*s["intervals"]["95"]),
            changed_levels(s, base),
        )
        for s in scenarios
    )
    head = ("scenario", "P", "80% interval", "95% interval", "drivers")
    return Section("Scenarios", head, rows, (1, 2, 3))


def _swings(extra: dict[str, Any]) -> Section:
    rows = tuple(
        (
            s["driver"],
            fmt.level(s["level"]),
            fmt.pct(s["off"]),
            fmt.pct(s["on"]),
            fmt.pp(s["swing"]),
            f"{fmt.pp(s['interval'][0])} to {fmt.pp(s['interval'][1])}",
        )
        for s in extra["swings"]
    )
    head = ("driver", "level", "off", "on", "swing", "80% interval")
    return Section("Driver swings: P with the driver off → on", head, rows, (1, 2, 3, 4, 5))


def scenario_sections(extra: dict[str, Any]) -> list[Section]:
    """Every named scenario's probability, and each driver's swing."""
    return [_scenarios(extra), _swings(extra)]


def sections(f: Any) -> list[Section]:
    """The sections the forecast's kind adds to a report (none for some kinds)."""
    from forecast import kinds

    return kinds.get(f.kind).sections(f)
