"""The sections a time-to-event or drivers forecast adds to a report, as plain tables.

The terminal report draws these as charts (:mod:`forecast.render.curves`); the markdown
and HTML reports render the same :class:`Section` objects as tables, so every format
carries the same numbers: the median time and the date the facts are known as of, P(by
each date) with its 80% band, a hazard question's experts, each scenario and each
driver's swing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from forecast.render import fmt

if TYPE_CHECKING:
    from forecast.effects import DriverEffects, ScenarioView
    from forecast.elicit.distributions import Fitted
    from forecast.results import Forecast


class CurvePoint(Protocol):
    """P(the event by one date) with its 80% band."""

    @property
    def date(self) -> str: ...
    @property
    def probability(self) -> float: ...
    @property
    def lo(self) -> float: ...
    @property
    def hi(self) -> float: ...


class Curve(Protocol):
    """What a time-to-event result says of time: the curve and the median time."""

    @property
    def curve(self) -> Sequence[CurvePoint]: ...
    @property
    def median_time(self) -> str:
        """A date, or ``after the horizon``."""
        ...

    @property
    def horizon(self) -> str: ...
    @property
    def as_of(self) -> str: ...


class HazardExpert(Protocol):
    """One expert's judgement of the median years to the event."""

    @property
    def name(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def fit(self) -> Fitted: ...


class Hazard(Protocol):
    """A hazard question's clock, shape, experts and posterior median time."""

    @property
    def since(self) -> str: ...
    @property
    def elapsed_years(self) -> float: ...
    @property
    def shape(self) -> Fitted: ...
    @property
    def experts(self) -> Sequence[HazardExpert]: ...
    @property
    def median_years(self) -> float: ...
    @property
    def median_interval(self) -> tuple[float, float]: ...


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


def median_line(c: Curve) -> str:
    """``2031-06-01`` or ``after the horizon (2032-12-31)``."""
    median = c.median_time
    return median if median != "after the horizon" else f"after the horizon ({c.horizon})"


def deadline_row(curve: Sequence[CurvePoint], deadline: str) -> int:
    """The row the headline is for: the deadline's, or the last date before it (-1: none)."""
    upto = [i for i, point in enumerate(curve) if point.date <= deadline]
    return upto[-1] if upto else -1


def curve_section(f: Forecast, c: Curve) -> Section:
    """P(by each date) with its 80% band, and the median time."""
    deadline = f.deadline.isoformat()
    marked = deadline_row(c.curve, deadline)
    rows = []
    for i, p in enumerate(c.curve):
        by = p.date
        if i == marked:
            by += " (deadline)" if p.date == deadline else " (last before the deadline)"
        rows.append((by, fmt.pct(p.probability), fmt.interval(p.lo, p.hi)))
    median = f"Median time to the event: {median_line(c)} (known as of {c.as_of})"
    return Section("P(by date)", ("by", "P", "80% band"), tuple(rows), (1, 2), (median,))


def hazard_note(hz: Hazard) -> str:
    """The Weibull shape, the time passed and the posterior median time, in one line."""
    lo, hi = hz.median_interval
    return (
        f"Weibull shape {hz.shape.describe()}; {hz.elapsed_years:.1f} years passed without "
        f"the event; posterior median time {hz.median_years:.3g} years "
        f"(80% {lo:.3g} – {hi:.3g})"
    )


def hazard_section(hz: Hazard) -> Section:
    """A hazard question's experts, its Weibull shape and the posterior median time."""
    rows = tuple(
        (e.name, f"{e.weight:.2f}", e.fit.describe(), fmt.fit_error(e.fit.fit_error))
        for e in hz.experts
    )
    note = hazard_note(hz)
    return Section(
        f"Experts: median years to the event from {hz.since} (linear pool)",
        ("expert", "weight", "fit", "fit error"),
        rows,
        (1, 3),
        after=(note,),
    )


def changed_levels(s: ScenarioView, base: Mapping[str, float]) -> str:
    """The driver levels a scenario row shows: all for the current levels, else those
    that differ from them."""
    shown = {k: v for k, v in s.levels.items() if s.name == "current levels" or v != base.get(k)}
    return ", ".join(f"{k} {fmt.level(v)}" for k, v in shown.items())


def _scenarios(effects: DriverEffects) -> Section:
    scenarios = effects.scenarios
    chosen = effects.chosen.name if effects.chosen is not None else None
    base = scenarios[0].levels if scenarios else {}
    rows = tuple(
        (
            s.name + (" (this forecast)" if s.name == chosen else ""),
            fmt.pct(s.probability),
            fmt.interval(*s.i80),
            fmt.interval(*s.i95),
            changed_levels(s, base),
        )
        for s in scenarios
    )
    head = ("scenario", "P", "80% interval", "95% interval", "drivers")
    return Section("Scenarios", head, rows, (1, 2, 3))


def _swings(effects: DriverEffects) -> Section:
    rows = tuple(
        (
            s.driver,
            fmt.level(s.level),
            fmt.pct(s.off),
            fmt.pct(s.on),
            fmt.pp(s.swing),
            f"{fmt.pp(s.interval[0])} to {fmt.pp(s.interval[1])}",
        )
        for s in effects.swings
    )
    head = ("driver", "level", "off", "on", "swing", "80% interval")
    return Section("Driver swings: P with the driver off → on", head, rows, (1, 2, 3, 4, 5))


def scenario_sections(effects: DriverEffects) -> list[Section]:
    """Every named scenario's probability, and each driver's swing."""
    return [_scenarios(effects), _swings(effects)]


def sections(f: Forecast) -> list[Section]:
    """The sections the forecast's kind adds to a report (none for some kinds)."""
    from forecast import kinds

    return kinds.get(f.kind).sections(f)
