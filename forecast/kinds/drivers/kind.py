"""The drivers kind: logit p = alpha + x . beta, with coded cases as data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.kinds.base import KindBase, meta_date
from forecast.kinds.drivers.spec import DriversQuestion

if TYPE_CHECKING:
    import pymc as pm
    from rich.console import RenderableType
    from ruamel.yaml.comments import CommentedMap
    from xarray import DataTree

    from forecast.elicit.answers import Channel, Scale
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.drivers.model import DriversInputs
    from forecast.kinds.drivers.result import DriversResult
    from forecast.kinds.drivers.sweep import DriversAdapter, DriversDraws
    from forecast.kinds.protocol import LogDensities, Meta
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.render.curves import ShowInputs
    from forecast.render.kinds import Section
    from forecast.render.plots import Plot
    from forecast.results import Forecast
    from forecast.sweep.params import Param
    from forecast.yamlio import Marks


class DriversKind(KindBase["DriversInputs"]):
    """``kind: drivers``."""

    name = "drivers"
    methods = ("importance", "nuts")
    spec = DriversQuestion
    forms: Mapping[str, str] = {"drivers": "[d]rivers"}

    def forecast_importance(
        self,
        q: LoadedQuestion,
        inputs: DriversInputs,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
        auto: bool = False,
    ) -> Forecast:
        """The forecast by importance sampling from the prior (under ``auto``,
        :class:`~forecast.methods.Declined` when the smoothed weights are not to be
        trusted, so NUTS samples)."""
        from forecast.kinds.drivers.summary import by_importance

        return by_importance(q, inputs, settings, timer, scenario=scenario, only_if_good=auto)

    def prepare(self, q: LoadedQuestion) -> DriversInputs:
        """Fit the judgements; a cases file is found next to the priors file."""
        from forecast.kinds.drivers import model as drivers

        assert isinstance(q.spec, DriversQuestion)
        return drivers.prepare(q.spec, q.path.parent)

    def with_files(self, spec: QuestionMeta, path: Path, shown: str, marks: Marks) -> QuestionMeta:
        """The question with the cases of the cases file it names, found next to the
        priors file."""
        from forecast.questions.cases import Origin, locate, read_cases
        from forecast.questions.loader import display

        assert isinstance(spec, DriversQuestion)
        if not isinstance(spec.cases, str):
            return spec
        line, col = marks.find(("cases",)) or (None, None)
        origin = Origin(shown, line, col)
        file = locate(path, spec.cases, origin)
        ids = [d.id for d in spec.drivers]
        return spec.with_file_cases(read_cases(file, ids, display(file), origin))

    def build(self, inputs: DriversInputs, *, swappable: bool = False) -> pm.Model:
        """The drivers model (:func:`forecast.kinds.drivers.model.build`)."""
        from forecast.kinds.drivers import model as drivers

        return drivers.build(inputs)

    def summarise(
        self,
        q: LoadedQuestion,
        inputs: DriversInputs,
        idata: DataTree,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """P(event) at the scenario's levels, every scenario and each driver's swing."""
        from forecast.kinds.drivers.summary import summarise

        return summarise(q, inputs, idata, settings, timer, scenario=scenario)

    def scenarios(self, spec: QuestionMeta) -> tuple[str, ...]:
        """The scenarios the file names."""
        assert isinstance(spec, DriversQuestion)
        return tuple(spec.scenarios)

    def sweep_params(self, spec: QuestionMeta) -> list[Param]:
        """Driver levels, named scenarios, expert weights and prior strength."""
        from forecast.kinds.drivers.sweep import params

        return params(spec)

    @property
    def sweep_adapter(self) -> type[DriversAdapter]:
        """Levels and scenarios on the draws; the prior reweighted."""
        from forecast.kinds.drivers.sweep import DriversAdapter

        return DriversAdapter

    def log_densities(self, inputs: DriversInputs, draws: DriversDraws) -> LogDensities:
        """The pool's density at p0 and the odds ratios', and the cases' likelihood."""
        from forecast.kinds.drivers.sensitivity import log_densities

        return log_densities(inputs, draws["alpha"], draws["beta"])

    def judgements(self, q: LoadedQuestion) -> ShowInputs:
        """The fitted judgements, with the drivers' odds ratios."""
        from forecast.kinds.drivers import model as drivers
        from forecast.render.curves import drivers_shown

        assert isinstance(q.spec, DriversQuestion)
        return drivers_shown(drivers.prepare(q.spec))

    def sections(self, forecast: Forecast) -> list[Section]:
        """Scenarios and driver swings."""
        from forecast.render.kinds import scenario_sections

        return scenario_sections(_result(forecast).effects)

    def rich_sections(self, forecast: Forecast, width: int) -> list[RenderableType]:
        """Scenarios and the tornado of driver swings."""
        from forecast.render.curves import scenario_charts

        return scenario_charts(forecast, _result(forecast).effects, width)

    def plots(self, forecast: Forecast) -> list[Plot]:
        """Each driver's swing as a tornado."""
        from functools import partial

        from forecast.render import plots

        swings = _result(forecast).effects.swings
        return plots.figures(
            [("tornado", plots.TORNADO_TITLE, partial(plots.tornado, forecast, swings))]
        )

    def subject(self, spec: QuestionMeta, today: dt.date | None) -> tuple[str, Scale]:
        """The event with every driver off, as a probability."""
        from forecast.elicit.answers import PROBABILITY

        assert isinstance(spec, DriversQuestion)
        drivers = ", ".join(d.id for d in spec.drivers)
        return (
            f"the event by {spec.deadline.isoformat()} with every driver off ({drivers}); "
            "the drivers' odds ratios are in the file"
        ), PROBABILITY

    def ask_new(self, form: str, channel: Channel, today: dt.date, meta: Meta) -> None:
        """Each driver: id, description, odds ratio and level."""
        from forecast.kinds.drivers.elicit import ask_drivers

        meta["drivers"] = ask_drivers(channel)

    def judged(self, meta: Meta) -> tuple[str, Scale]:
        """The event with every driver off."""
        from forecast.elicit.answers import PROBABILITY
        from forecast.kinds.drivers.elicit import answers

        ids = ", ".join(d["id"] for d in answers(meta))
        deadline = meta_date(meta, "deadline").isoformat()
        return f"the event by {deadline} with every driver off ({ids})", PROBABILITY

    def new_body(
        self,
        meta: Meta,
        doc: CommentedMap,
        flow: Callable[[Mapping[str, object]], object],
        date: Callable[[dt.date], object],
    ) -> None:
        """The experts' empty list, then the drivers."""
        from forecast.kinds.drivers.elicit import answers, drivers_node

        super().new_body(meta, doc, flow, date)
        doc["drivers"] = drivers_node(answers(meta), flow)


def _result(forecast: Forecast) -> DriversResult:
    """The drivers result of a forecast of this kind."""
    from forecast.kinds.drivers.result import DriversResult

    result = forecast.result
    assert isinstance(result, DriversResult), type(result)
    return result


KIND = DriversKind()

__all__ = ["KIND", "DriversKind"]
