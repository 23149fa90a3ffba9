"""The quantity kind: a continuous amount, its experts' SHELF fits pooled, updated by data."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from forecast.kinds.base import KindBase
from forecast.kinds.quantity.spec import QuantityPool, QuantityQuestion

if TYPE_CHECKING:
    import numpy as np
    import pymc as pm
    from rich.console import RenderableType
    from ruamel.yaml.comments import CommentedMap
    from xarray import DataTree

    from forecast.elicit.answers import Channel, Scale
    from forecast.errors import Problem
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.protocol import Headline, LogDensities, Meta
    from forecast.kinds.quantity.inputs import QuantityInputs
    from forecast.kinds.quantity.show import Shown
    from forecast.kinds.quantity.sweep import QuantityAdapter
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.render.kinds import Section
    from forecast.render.plots import Plot
    from forecast.results import Forecast
    from forecast.sweep.params import Param


class QuantityKind(KindBase["QuantityInputs"]):
    """``kind: quantity``."""

    name = "quantity"
    spec = QuantityQuestion
    methods = ("exact", "nuts")
    """Exact (closed form, or quadrature of the one-dimensional posterior) first; NUTS
    when the grid cannot resolve it."""
    forms: Mapping[str, str] = {"quantity": "[q]uantity (an amount)"}

    def forecast_exact(
        self,
        q: LoadedQuestion,
        inputs: QuantityInputs,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
        auto: bool = False,
    ) -> Forecast:
        """The forecast from the exact posterior, without sampling (under ``auto``,
        :class:`~forecast.methods.Declined` when the quadrature grid cannot resolve the
        posterior)."""
        from forecast.errors import UsageError
        from forecast.kinds.quantity.exact import NotExact, forecast
        from forecast.methods import Declined

        try:
            return forecast(q, inputs, settings, timer)
        except NotExact as exc:
            if auto:
                raise Declined(str(exc)) from exc
            raise UsageError(f"{q.id}: no exact forecast: {exc}", hint="use --method nuts") from exc

    def prepare(self, q: LoadedQuestion) -> QuantityInputs:
        """Fit every judgement to every family of the support."""
        from forecast.kinds.quantity.inputs import prepare

        assert isinstance(q.spec, QuantityQuestion)
        return prepare(q.spec)

    def build(self, inputs: QuantityInputs, *, swappable: bool = False) -> pm.Model:
        """The pooled prior as a potential on the support, and the observed values."""
        from forecast.kinds.quantity import model

        return model.build(inputs, swappable=swappable)

    def summarise(
        self,
        q: LoadedQuestion,
        inputs: QuantityInputs,
        idata: DataTree,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """Median, intervals, P(X > t) per threshold, the CDF, fits and sensitivity."""
        from forecast.kinds.quantity.summarise import summarise

        return summarise(q, inputs, idata, settings, timer)

    def with_pool(
        self, spec: QuestionMeta, method: str | None, extremize: float | None
    ) -> QuestionMeta | None:
        """The question pooled linearly or logarithmically (no extremizing for amounts)."""
        assert isinstance(spec, QuantityQuestion)
        if extremize is not None or method not in ("linear", "logarithmic"):
            return None
        pool = QuantityPool.model_validate({**spec.pool.model_dump(), "method": method})
        return spec.model_copy(update={"pool": pool})

    def sweep_params(self, spec: QuestionMeta) -> list[Param]:
        """threshold, data.sd, expert weights and the pool."""
        from forecast.kinds.quantity.sweep import params

        assert isinstance(spec, QuantityQuestion)
        return params(spec)

    @property
    def sweep_adapter(self) -> type[QuantityAdapter]:
        """Thresholds on the draws; the error sd swapped as data; the pool reweighted."""
        from forecast.kinds.quantity.sweep import QuantityAdapter

        return QuantityAdapter

    def log_densities(
        self, inputs: QuantityInputs, draws: Mapping[str, np.ndarray]
    ) -> LogDensities:
        """The pooled prior and the observed values' likelihood at the draws of x."""
        from forecast.kinds.quantity.model import log_densities

        return log_densities(inputs, draws["x"])

    def judgements(self, q: LoadedQuestion) -> Shown:
        """The fitted judgements (every family's fit) and the pooled prior."""
        from forecast.kinds.quantity.show import shown

        return shown(self.prepare(q))

    def fit_problems(self, q: LoadedQuestion) -> list[Problem]:
        """Every judgement fitted to every family (SciPy only), a failure located."""
        from forecast.elicit.fit import located
        from forecast.errors import InputError

        try:
            with located(q):
                self.prepare(q)
        except InputError as exc:
            return list(exc.problems)
        return []

    def sections(self, forecast: Forecast) -> list[Section]:
        """The quantity, thresholds, fits and sensitivity, as plain tables."""
        from forecast.kinds.quantity import report

        return report.sections(forecast)

    def rich_sections(self, forecast: Forecast, width: int) -> list[RenderableType]:
        """The CDF chart and the same tables for the terminal."""
        from forecast.kinds.quantity import report

        return report.rich_sections(forecast, width)

    def outcome_of_value(self, spec: QuestionMeta, value: float) -> str:
        """``yes`` when the amount is above the first threshold (the headline), else ``no``."""
        from forecast.errors import ForecastError

        assert isinstance(spec, QuantityQuestion)
        s = spec.limits
        if not math.isfinite(value) or not (s.contains(value) or value in (s.lower, s.upper)):
            raise ForecastError(
                f"--value {value:g} is outside the quantity's support ({s.name})",
                hint=f"give the amount in {spec.unit}, as the resolution criterion says",
            )
        return "yes" if value > spec.thresholds[0] else "no"

    def value_scores(self, document: Mapping[str, object], value: float) -> dict[str, float] | None:
        """CRPS and the log score (scoringrules) of a recorded forecast at the value."""
        from forecast.kinds.quantity.scores import of_value

        return of_value(document, value)

    def resolved_value(self, spec: QuestionMeta) -> float | None:
        """The value the file says the amount resolved at."""
        assert isinstance(spec, QuantityQuestion)
        return spec.value

    def headline(self, forecast: Forecast) -> Headline:
        """The amount's median and intervals under P(X > the first threshold)."""
        from forecast.kinds.quantity import report

        return report.headline(forecast)

    def plots(self, forecast: Forecast) -> list[Plot]:
        """The CDF before and after the data."""
        from forecast.kinds.quantity import report

        return report.plots(forecast)

    def subject(self, spec: QuestionMeta, today: dt.date | None) -> tuple[str, Scale]:
        """The amount itself, on its support and in its unit."""
        from forecast.kinds.quantity.elicit import scale_of_spec

        assert isinstance(spec, QuantityQuestion)
        return spec.title, scale_of_spec(spec)

    def ask_new(self, form: str, channel: Channel, today: dt.date, meta: Meta) -> None:
        """The unit, the support (and bounds) and the thresholds."""
        from forecast.kinds.quantity.elicit import ask_new

        ask_new(channel, meta)

    def judged(self, meta: Meta) -> tuple[str, Scale]:
        """The amount of the new file, on the support and in the unit it was given."""
        from forecast.kinds.quantity.elicit import judged

        return judged(meta)

    def new_body(
        self,
        meta: Meta,
        doc: CommentedMap,
        flow: Callable[[Mapping[str, object]], object],
        date: Callable[[dt.date], object],
    ) -> None:
        """The unit, support, bounds and thresholds, then an empty list of experts."""
        from forecast.kinds.quantity.elicit import new_body

        new_body(meta, doc)


KIND = QuantityKind()

__all__ = ["KIND", "QuantityKind"]
