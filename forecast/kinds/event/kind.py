"""The event kind: the experts' pooled propensity, moved by evidence and a base rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING

from forecast.kinds.base import KindBase, meta_date
from forecast.kinds.event.spec import EventQuestion

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree

    from forecast.elicit.answers import Scale
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.event.model import EventInputs
    from forecast.kinds.event.sweep import EventAdapter, EventDraws
    from forecast.kinds.protocol import LogDensities, Meta
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast
    from forecast.sweep.params import Param


class EventKind(KindBase["EventInputs"]):
    """``kind: event``."""

    name = "event"
    spec = EventQuestion
    methods = ("exact", "nuts")
    forms: Mapping[str, str] = {"event": "[e]vent by a deadline"}
    scores_experts = True

    def forecast_exact(
        self,
        q: LoadedQuestion,
        inputs: EventInputs,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
        auto: bool = False,
    ) -> Forecast:
        """The forecast from the exact posterior by quadrature, without sampling."""
        from forecast.kinds.event.exact import forecast_event

        return forecast_event(q, inputs, settings, timer)

    def prepare(self, q: LoadedQuestion) -> EventInputs:
        """Fit the experts' judgements and the evidence's likelihood ratios."""
        from forecast.kinds.event import model as event

        assert isinstance(q.spec, EventQuestion)
        return event.prepare(q.spec)

    def build(self, inputs: EventInputs, *, swappable: bool = False) -> pm.Model:
        """The event model (:func:`forecast.kinds.event.model.build`)."""
        from forecast.kinds.event import model as event

        return event.build(inputs, swappable=swappable)

    def structure(self, inputs: EventInputs) -> tuple[Hashable, ...]:
        """Experts, pool, evidence applied and base rate or not."""
        from forecast.kinds.event import model as event

        return event.structure(inputs)

    def swap_inputs(self, model: pm.Model, inputs: EventInputs) -> None:
        """Swap the numbers of ``inputs`` into a swappable event model."""
        from forecast.kinds.event import model as event

        event.set_inputs(model, inputs)

    def summarise(
        self,
        q: LoadedQuestion,
        inputs: EventInputs,
        idata: DataTree,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """P(event), the steps from the prior, pools and sensitivity."""
        from forecast.kinds.event.summary import summarise

        return summarise(q, inputs, idata, settings, timer)

    def with_pool(
        self, spec: QuestionMeta, method: str | None, extremize: float | None
    ) -> QuestionMeta:
        """The question pooled by ``method`` with extremizing factor ``extremize``."""
        from forecast.questions.experts import Pool

        assert isinstance(spec, EventQuestion)
        pool = Pool.model_validate(
            {
                "method": method if method is not None else spec.pool.method,
                "extremize": extremize if extremize is not None else spec.pool.extremize,
                "weights": spec.pool.weights,
                "seeds": spec.pool.seeds,
                "alpha": spec.pool.alpha,
            }
        )
        return spec.model_copy(update={"pool": pool})

    def sweep_params(self, spec: QuestionMeta) -> list[Param]:
        """Evidence, base rate, expert weights, prior strength and the pool."""
        from forecast.kinds.event.sweep import params

        return params(spec)

    @property
    def sweep_adapter(self) -> type[EventAdapter]:
        """Evidence on the draws; the base rate swapped in as data."""
        from forecast.kinds.event.sweep import EventAdapter

        return EventAdapter

    def log_densities(self, inputs: EventInputs, draws: EventDraws) -> LogDensities:
        """The pool's density at p and the base rate's likelihood."""
        from forecast.kinds.event.sensitivity import log_densities

        return log_densities(inputs, draws["p"])

    def judgements(self, q: LoadedQuestion) -> EventInputs:
        """The fitted judgements, as the model uses them."""
        return self.prepare(q)

    def subject(self, spec: QuestionMeta, today: dt.date | None) -> tuple[str, Scale]:
        """The event by the deadline, as a probability."""
        from forecast.elicit.answers import PROBABILITY

        return f"the event by {spec.deadline.isoformat()}", PROBABILITY

    def judged(self, meta: Meta) -> tuple[str, Scale]:
        """The event by the new file's deadline."""
        from forecast.elicit.answers import PROBABILITY

        return f"the event by {meta_date(meta, 'deadline').isoformat()}", PROBABILITY


KIND = EventKind()

__all__ = ["KIND", "EventKind"]
