"""Terminal charts for time-to-event and drivers forecasts.

* :func:`curve_chart`: P(by each date) as one bar per date, time running down: solid
  to the 80% band's lower end, shaded to the forecast, lighter to the band's upper end;
* :func:`tornado`: each driver's swing as a bar from P(driver off) to P(driver on)
  on a shared axis, largest first, with the base forecast marked;
* :func:`sections`: the sections a report adds for these kinds (from ``Forecast.result``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from forecast.render import fmt
from forecast.render.kinds import (
    Curve,
    CurvePoint,
    Hazard,
    changed_levels,
    deadline_row,
    hazard_note,
    median_line,
)
from forecast.render.layout import Fit

if TYPE_CHECKING:
    from forecast.effects import DriverEffects, ScenarioView, SwingView
    from forecast.elicit.distributions import Distribution, Fitted
    from forecast.results import Forecast


def _pos(p: float, lo: float, hi: float, width: int) -> int:
    """The column of ``p`` on an axis from ``lo`` to ``hi`` with ``width`` columns."""
    if hi <= lo:
        return 0
    return max(0, min(width, round((p - lo) / (hi - lo) * width)))


def curve_chart(curve: Sequence[CurvePoint], deadline: str, width: int = 40) -> RenderableType:
    """P(by date) with its 80% band, one row per date.

    The deadline's row is marked, or the last date before the deadline (the date the
    headline probability is for) when the deadline itself is not on the curve.
    """
    t = Table(title="P(by date), 80% band shaded", title_justify="left", show_edge=False, box=None)
    t.add_column("by", no_wrap=True)
    t.add_column("", no_wrap=True)
    t.add_column("P", justify="right", no_wrap=True)
    t.add_column("80% band", justify="right", no_wrap=True)
    at_deadline = deadline_row(curve, deadline)
    for i, point in enumerate(curve):
        lo = _pos(point.lo, 0.0, 1.0, width)
        mid = max(lo, _pos(point.probability, 0.0, 1.0, width))
        hi = max(mid, _pos(point.hi, 0.0, 1.0, width))
        bar = Text()
        bar.append("█" * lo, style="bold cyan")
        bar.append("▓" * (mid - lo), style="cyan")
        bar.append("░" * (hi - mid), style="dim cyan")
        bar.append("·" * (width - hi), style="dim")
        label = Text(point.date)
        if i == at_deadline:
            on = point.date == deadline
            label.append(" ◂ deadline" if on else " ◂ last before the deadline", style="bold")
        t.add_row(label, bar, fmt.pct(point.probability), fmt.interval(point.lo, point.hi))
    return Fit(t)


def tornado(swings: Sequence[SwingView], base: float, width: int = 30) -> RenderableType:
    """Each driver from off to on on one axis, sorted by the size of its swing."""
    lo = min([base, *(min(s.off, s.on) for s in swings)])
    hi = max([base, *(max(s.off, s.on) for s in swings)])
    pad = max(hi - lo, 0.01) * 0.05
    lo, hi = max(0.0, lo - pad), min(1.0, hi + pad)
    centre = _pos(base, lo, hi, width)
    t = Table(
        title=f"Driver swings: P with the driver off → on (│ = forecast {fmt.pct(base)})",
        title_justify="left",
        show_edge=False,
        box=None,
    )
    t.add_column("driver", no_wrap=True)
    t.add_column("level", justify="right")
    t.add_column(f"{fmt.pct(lo)} … {fmt.pct(hi)}", no_wrap=True)
    t.add_column("off → on", justify="right", no_wrap=True)
    t.add_column("swing (80%)", justify="right", no_wrap=True)
    for s in swings:
        a, b = sorted((_pos(s.off, lo, hi, width), _pos(s.on, lo, hi, width)))
        b = max(b, a + 1)
        style = "green" if s.swing >= 0 else "red"
        chars = [" "] * (width + 1)
        for i in range(a, min(b, width + 1)):
            chars[i] = "█"
        bar = Text()
        for i, ch in enumerate(chars):
            if i == centre:
                bar.append("│" if ch == " " else "┃", style="bold")
            else:
                bar.append(ch, style=style)
        t.add_row(
            s.driver,
            fmt.level(s.level),
            bar,
            f"{fmt.pct(s.off)} → {fmt.pct(s.on)}",
            Text(
                f"{fmt.pp(s.swing)} ({fmt.pp(s.interval[0])}, {fmt.pp(s.interval[1])})",
                style=style,
            ),
        )
    return Fit(t)


def scenarios_table(scenarios: Sequence[ScenarioView], chosen: str | None) -> RenderableType:
    """Each scenario's probability with its 80% and 95% intervals."""
    t = Table(title="Scenarios", title_justify="left", show_edge=False)
    t.add_column("scenario")
    t.add_column("P", justify="right")
    t.add_column("80% interval", justify="right")
    t.add_column("95% interval", justify="right")
    t.add_column("drivers")
    base = scenarios[0].levels if scenarios else {}
    for s in scenarios:
        name = Text(s.name, style="bold" if s.name == chosen else "")
        if s.name == chosen:
            name.append(" ◂", style="bold")
        t.add_row(
            name,
            fmt.pct(s.probability),
            fmt.interval(*s.i80),
            fmt.interval(*s.i95),
            changed_levels(s, base),
        )
    return Fit(t)


def _hazard(hz: Hazard) -> RenderableType:
    t = Table(
        title=f"Experts: median years to the event from {hz.since} (linear pool)",
        title_justify="left",
        show_edge=False,
    )
    t.add_column("expert")
    t.add_column("weight", justify="right")
    t.add_column("fit", no_wrap=True)
    t.add_column("fit error", justify="right")
    for e in hz.experts:
        t.add_row(e.name, f"{e.weight:.2f}", e.fit.describe(), fmt.fit_error(e.fit.fit_error))
    note = Text(f"  {hazard_note(hz)}", style="dim")
    return Group(Text(""), Fit(t), note)


def curve_charts(f: Forecast, c: Curve, width: int = 80) -> list[RenderableType]:
    """The median time and P(by each date) of a time-to-event forecast."""
    line = Text("Median time to the event  ", style="bold")
    line.append(median_line(c))
    line.append(f"   known as of {c.as_of}", style="dim")
    # the date and its marker (up to 37), P (7), the band (17) and padding (about 9)
    # leave the rest to the bar, so no number is ever cut short.
    bar_width = max(8, min(40, width - 70))
    return [Text(""), line, curve_chart(c.curve, f.deadline.isoformat(), bar_width)]


def hazard_chart(hz: Hazard) -> RenderableType:
    """A hazard question's experts, its Weibull shape and the posterior median time."""
    return _hazard(hz)


def scenario_charts(f: Forecast, effects: DriverEffects, width: int = 80) -> list[RenderableType]:
    """Every named scenario's probability, and each driver's swing as a tornado."""
    chosen = effects.chosen.name if effects.chosen is not None else None
    out: list[RenderableType] = [Text(""), scenarios_table(effects.scenarios, chosen)]
    out += [Text(""), tornado(effects.swings, f.probability, max(8, min(30, width - 72)))]
    return out


def sections(f: Forecast, width: int = 80) -> list[RenderableType]:
    """The report sections the forecast's kind adds (none for some kinds)."""
    from forecast import kinds

    return kinds.get(f.kind).rich_sections(f, width)


@dataclass(frozen=True)
class _Positive:
    """A positive-quantity judgement shown by ``forecast show``: ``what`` it is of (odds
    ratio, likelihood ratio, hazard ratio, trend, median years, Weibull shape)."""

    id: str
    what: str
    fitted: Fitted
    applied: bool = True

    @property
    def label(self) -> str:
        """How a table names it."""
        return f"{self.id} ({self.what})"


@dataclass(frozen=True)
class ShowInputs:
    """What ``forecast show`` needs of a time-to-event or drivers question."""

    experts: tuple[Fitted, ...]
    prior: Distribution | None
    evidence: tuple[_Positive, ...]
    positives_title: str = "\nOdds ratios and other positive judgements"


class _Judged(Protocol):
    """A fitted driver or evidence item: its id and fit."""

    @property
    def id(self) -> str: ...
    @property
    def fitted(self) -> Fitted: ...


class _Item(_Judged, Protocol):
    """A fitted evidence item, applied or already in the judgements."""

    @property
    def applied(self) -> bool: ...


class _DriversFits(Protocol):
    """A drivers question's fitted judgements."""

    @property
    def experts(self) -> tuple[Fitted, ...]: ...
    @property
    def prior(self) -> Distribution: ...
    @property
    def drivers(self) -> Sequence[_Judged]: ...
    @property
    def evidence(self) -> Sequence[_Item]: ...


class _HazardFits(Protocol):
    """A hazard question's fitted judgements."""

    @property
    def expert_names(self) -> Sequence[str]: ...
    @property
    def experts(self) -> Sequence[Fitted]: ...
    @property
    def shape(self) -> Fitted: ...
    @property
    def drivers(self) -> Sequence[_Judged]: ...


class _ScheduleFits(Protocol):
    """A scheduled time-to-event question's fitted judgements."""

    @property
    def experts(self) -> tuple[Fitted, ...]: ...
    @property
    def weights(self) -> tuple[float, ...]: ...
    @property
    def trend(self) -> Fitted | None: ...
    @property
    def drivers(self) -> Sequence[_Judged]: ...


def drivers_shown(d: _DriversFits) -> ShowInputs:
    """What ``show`` displays of a drivers question's fitted judgements."""
    rows = tuple(_Positive(x.id, "odds ratio", x.fitted) for x in d.drivers)
    rows += tuple(_Positive(e.id, "likelihood ratio", e.fitted, e.applied) for e in d.evidence)
    return ShowInputs(d.experts, d.prior, rows)


def hazard_shown(t: _HazardFits) -> ShowInputs:
    """What ``show`` displays of a hazard question's fitted judgements."""
    rows = tuple(
        _Positive(n, "median years", f) for n, f in zip(t.expert_names, t.experts, strict=True)
    )
    rows += (_Positive("shape", "Weibull shape", t.shape),)
    rows += tuple(_Positive(x.id, "hazard ratio", x.fitted) for x in t.drivers)
    return ShowInputs((), None, rows, "\nMedian time to the event (years from since)")


def schedule_shown(t: _ScheduleFits) -> ShowInputs:
    """What ``show`` displays of a scheduled time-to-event question's fitted judgements."""
    from forecast.elicit.distributions import Mixture

    rows = tuple(_Positive(x.id, "odds ratio", x.fitted) for x in t.drivers)
    if t.trend is not None:
        rows = (_Positive("trend", "odds multiplier per opportunity", t.trend), *rows)
    return ShowInputs(t.experts, Mixture(t.experts, t.weights), rows)
