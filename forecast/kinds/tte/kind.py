"""The time-to-event kind: P(by each date), from scheduled opportunities or a hazard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from forecast.kinds.base import KindBase
from forecast.kinds.tte.spec import TimeToEventQuestion

if TYPE_CHECKING:
    import pymc as pm
    from rich.console import RenderableType
    from ruamel.yaml.comments import CommentedMap
    from xarray import DataTree

    from forecast.elicit.answers import Channel, Scale
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.protocol import LogDensities, SweepAdapter
    from forecast.kinds.tte.draws import Draws
    from forecast.kinds.tte.model import TteInputs
    from forecast.kinds.tte.result import TteResult
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.render.curves import ShowInputs
    from forecast.render.kinds import Section
    from forecast.render.plots import Plot
    from forecast.results import Forecast
    from forecast.sweep.params import Param


class TimeToEventKind(KindBase["TteInputs"]):
    """``kind: time-to-event``."""

    name = "time-to-event"
    spec = TimeToEventQuestion
    methods = ("exact", "nuts")
    forms: Mapping[str, str] = {
        "scheduled": "[s]cheduled opportunities",
        "hazard": "[h]azard (time to the event)",
    }

    def forecast_exact(
        self,
        q: LoadedQuestion,
        inputs: TteInputs,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
        auto: bool = False,
    ) -> Forecast:
        """The forecast from the exact posterior by quadrature, without sampling (under
        ``auto``, :class:`~forecast.methods.Declined` when the drivers' uncertain ratios
        are too many to integrate)."""
        from forecast.errors import UsageError
        from forecast.kinds.tte.exact import forecast_tte
        from forecast.kinds.tte.grid import NotExact
        from forecast.methods import Declined

        try:
            return forecast_tte(q, inputs, settings, timer, scenario=scenario)
        except NotExact as exc:
            if auto:
                raise Declined(str(exc)) from exc
            raise UsageError(f"{q.id}: no exact forecast: {exc}", hint="use --method nuts") from exc

    def prepare(self, q: LoadedQuestion) -> TteInputs:
        """Fit the judgements of the scheduled or the hazard form."""
        from forecast.kinds.tte import model as tte

        assert isinstance(q.spec, TimeToEventQuestion)
        return tte.prepare(q.spec)

    def build(self, inputs: TteInputs, *, swappable: bool = False) -> pm.Model:
        """The time-to-event model (:meth:`~forecast.kinds.tte.scheduled.ScheduleInputs.build`,
        :meth:`~forecast.kinds.tte.hazard.HazardInputs.build`)."""
        return inputs.build()

    def summarise(
        self,
        q: LoadedQuestion,
        inputs: TteInputs,
        idata: DataTree,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """P(by the deadline), the curve, the median time, scenarios and swings."""
        from forecast.kinds.tte.summary import summarise

        return summarise(q, inputs, idata, settings, timer, scenario=scenario)

    def scenarios(self, spec: QuestionMeta) -> tuple[str, ...]:
        """The scenarios the file names."""
        assert isinstance(spec, TimeToEventQuestion)
        return tuple(spec.scenarios)

    def sweep_params(self, spec: QuestionMeta) -> list[Param]:
        """Driver levels and named scenarios."""
        from forecast.kinds.tte.sweep import params

        assert isinstance(spec, TimeToEventQuestion)
        return params(spec)

    @property
    def sweep_adapter(self) -> type[SweepAdapter[TteInputs, Draws]]:
        """Levels and scenarios on the draws."""
        from forecast.kinds.tte.sweep import TteAdapter

        return TteAdapter

    def log_densities(self, inputs: TteInputs, draws: Draws) -> LogDensities:
        """The pool's and the trend's or shape's densities, and the history's likelihood."""
        return inputs.log_densities(draws)

    def judgements(self, q: LoadedQuestion) -> ShowInputs:
        """The fitted judgements of the scheduled or the hazard form."""
        return self.prepare(q).shown()

    def sections(self, forecast: Forecast) -> list[Section]:
        """The curve and median time, a hazard's experts, and scenarios with drivers."""
        from forecast.render.kinds import curve_section, hazard_section, scenario_sections

        result = _result(forecast)
        out = [curve_section(forecast, result)]
        if result.hazard is not None:
            out.append(hazard_section(result.hazard))
        if result.effects is not None:
            out += scenario_sections(result.effects)
        return out

    def rich_sections(self, forecast: Forecast, width: int) -> list[RenderableType]:
        """The same as charts."""
        from forecast.render.curves import curve_charts, hazard_chart, scenario_charts

        result = _result(forecast)
        out = curve_charts(forecast, result, width)
        if result.hazard is not None:
            out.append(hazard_chart(result.hazard))
        if result.effects is not None:
            out += scenario_charts(forecast, result.effects, width)
        return out

    def plots(self, forecast: Forecast) -> list[Plot]:
        """P(by each date), and with drivers each one's swing as a tornado."""
        from functools import partial

        from forecast.render import plots

        result = _result(forecast)
        swings = result.effects.swings if result.effects is not None else ()
        return plots.figures(
            [
                ("curve", plots.CURVE_TITLE, partial(plots.curve, forecast, result.curve)),
                ("tornado", plots.TORNADO_TITLE, partial(plots.tornado, forecast, swings)),
            ]
        )

    def subject(self, spec: QuestionMeta, today: dt.date | None) -> tuple[str, Scale]:
        """Years to the event (hazard), or the event at one opportunity (scheduled).

        A scheduled question's "next opportunity" is the first after ``as_of``; when that
        is already past ``today`` the expert is told so, not shown a past date as the
        next one.
        """
        from forecast.elicit.answers import PROBABILITY, YEARS

        assert isinstance(spec, TimeToEventQuestion)
        if spec.hazard is not None:
            return (
                f"years from {spec.hazard.since.isoformat()} to the event, as you would judge "
                "it without knowing how long it has already been (the time that passed "
                "without it is data)"
            ), YEARS
        after = [d for d in spec.opportunity_dates() if d > spec.as_of_date]
        off = " with every driver off" if spec.drivers else ""
        if after and today is not None and after[0] < today:
            return (
                f"the event at one opportunity{off}, as if none had passed; the "
                "opportunities that passed are data. The first after the file's facts "
                f"(as of {spec.as_of_date.isoformat()}), {after[0].isoformat()}, is already "
                f"past today ({today.isoformat()}), and the file does not say whether the "
                "event happened then"
            ), PROBABILITY
        nxt = f" ({after[0].isoformat()})" if after else ""
        return (
            f"the event at the next opportunity{nxt}{off}, as if none had passed; "
            "the opportunities that passed are data"
        ), PROBABILITY

    def ask_new(self, form: str, channel: Channel, today: dt.date, meta: dict[str, object]) -> None:
        """The horizon, then the past opportunities (scheduled) or the clock's start."""
        from forecast.kinds.tte import elicit

        elicit.ask_horizon(channel, meta)
        if form == "scheduled":
            elicit.ask_schedule(channel, today, meta)
        else:
            elicit.ask_since(channel, today, meta)

    def judged(self, meta: Mapping[str, object]) -> tuple[str, Scale]:
        """Years to the event (hazard), or the event at the next opportunity."""
        from forecast.elicit.answers import PROBABILITY, YEARS

        if meta["kind"] == "hazard":
            since = meta["since"]
            assert isinstance(since, dt.date)
            return (
                f"years from {since.isoformat()} to the event, as you would judge it "
                "without knowing how long it has already been (the time that passed without "
                "it is data)"
            ), YEARS
        return (
            "the event at the next opportunity, as if none had passed; the opportunities "
            "that passed are data"
        ), PROBABILITY

    def new_head(
        self,
        meta: Mapping[str, object],
        doc: CommentedMap,
        today: dt.date,
        date: Callable[[dt.date], object],
    ) -> None:
        """The horizon and the date the facts are known as of."""
        doc["horizon"] = meta["horizon"]
        doc["as_of"] = date(today)

    def new_body(
        self,
        meta: Mapping[str, object],
        doc: CommentedMap,
        flow: Callable[[Mapping[str, object]], object],
        date: Callable[[dt.date], object],
    ) -> None:
        """The opportunities and the experts' list, or the hazard with its experts'."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if meta["kind"] == "scheduled":
            sched = CommentedMap()
            dates = meta["dates"]
            assert isinstance(dates, list | tuple)
            sched["dates"] = CommentedSeq([date(d) for d in dates])
            if meta.get("every_months"):
                sched["every_months"] = meta["every_months"]
            doc["opportunities"] = sched
            doc["experts"] = CommentedSeq()
            return
        hazard = CommentedMap()
        since = meta["since"]
        assert isinstance(since, dt.date)
        hazard["since"] = date(since)
        hazard["experts"] = CommentedSeq()
        doc["hazard"] = hazard


def _result(forecast: Forecast) -> TteResult:
    """The time-to-event result of a forecast of this kind."""
    from forecast.kinds.tte.result import TteResult

    result = forecast.result
    assert isinstance(result, TteResult), type(result)
    return result


KIND = TimeToEventKind()

__all__ = ["KIND", "TimeToEventKind"]
