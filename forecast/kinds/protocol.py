"""What a question kind provides: the :class:`Kind` protocol every kind implements.

A kind is the ``kind:`` a priors file declares (``event``, ``drivers``,
``time-to-event``, ...). Everything specific to it sits behind this protocol: the
specification it validates, how its judgements are fitted and its model built, how a
posterior becomes a :class:`~forecast.results.Forecast`, what a sweep may set and how
scenarios are evaluated on the draws, the log densities of the sensitivity analysis,
what ``elicit`` asks for a new file, and the report sections it adds. The engine, the
sweep, the sensitivity analysis, the renderers and ``elicit`` call these methods and
never look at which kind they hold.

``Inputs`` is the kind's fitted judgements (what :meth:`Kind.prepare` returns and every
other method takes back); ``Draws`` the posterior draws a sweep extracts.

Open data crosses the protocol as ``object`` (a value the kind narrows before use) or as
the shapes of :mod:`forecast.jsontypes`; the sampler's output is ArviZ's ``DataTree``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import pymc as pm
    from rich.console import RenderableType
    from ruamel.yaml.comments import CommentedMap
    from xarray import DataTree

    from forecast.elicit.answers import Channel, Scale
    from forecast.errors import Problem
    from forecast.inference import SamplerSettings, Timer
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.render.kinds import Section
    from forecast.render.plots import Plot
    from forecast.results import Forecast
    from forecast.sweep.params import Param, Value
    from forecast.yamlio import Marks

LogDensities = tuple["np.ndarray", "np.ndarray | None"]
"""Log prior and log likelihood per draw (chain, draw); no likelihood when there are no data."""

Headline = tuple[tuple[tuple[str, str], ...], str]
"""(label, value) rows under a forecast's headline probability, and a note under them."""


Meta = dict[str, object]
"""What ``elicit NEW-ID`` has asked so far for a new file (title, deadline, the kind's
own answers): open, each kind narrows what it reads."""


class SweepAdapter[Inputs, Draws](Protocol):
    """How a sweep answers a kind's scenarios (:mod:`forecast.sweep.strategies`).

    The static methods run wherever a posterior is sampled (a local process, a Dask
    worker) with only the fitted inputs; an instance, made for one question, evaluates
    scenarios on the draws.
    """

    diagnosed: ClassVar[tuple[str, ...]]
    """Posterior variables whose R-hat and ESS a sweep row reports (when present)."""

    methods: ClassVar[tuple[str, ...]]
    """The inference methods ``forecast sweep --method`` may ask its posteriors of (the
    kind's :attr:`Kind.methods`, or those of them its sweep can make), besides ``auto``."""

    def __init__(self, spec: QuestionMeta, inputs: Inputs, seed: int) -> None: ...

    @staticmethod
    def current(inputs: Inputs) -> dict[str, Value]:
        """The file's own values of the prior and data settings."""
        ...

    @staticmethod
    def with_prior(inputs: Inputs, prior: Mapping[str, Value]) -> Inputs:
        """Inputs with a scenario's prior settings."""
        ...

    @staticmethod
    def check_data(inputs: Inputs, data: Mapping[str, Value]) -> None:
        """Refuse impossible data settings before anything is sampled."""
        ...

    @staticmethod
    def build(inputs: Inputs) -> pm.Model:
        """The model a sweep compiles once and samples again with new data."""
        ...

    @staticmethod
    def set_data(model: pm.Model, inputs: Inputs, data: Mapping[str, Value]) -> None:
        """Swap a scenario's data settings into the compiled model."""
        ...

    @staticmethod
    def extract(inputs: Inputs, idata: DataTree) -> Draws:
        """The draws scenarios are evaluated on."""
        ...

    @staticmethod
    def log_prior(inputs: Inputs, draws: Draws) -> np.ndarray:
        """Log prior density at the draws (for importance reweighting)."""
        ...

    def evaluate(
        self, inputs: Inputs, draws: Draws, scenarios: Sequence[Mapping[str, Value]]
    ) -> np.ndarray:
        """Per-draw P(event) of each scenario, (scenarios, chain, draw)."""
        ...


@runtime_checkable
class ExactSummaries[Inputs](Protocol):
    """An optional capability of a :class:`SweepAdapter`: rows read off an exact posterior.

    An adapter whose ``posterior`` (the static method :func:`forecast.sweep.strategies.
    sample_job` tries before NUTS) returns an exact posterior, rather than draws, declares
    this by subclassing it; the sweep then asks it for each scenario's numbers instead of
    summarising per-draw values (:func:`forecast.sweep.runner`). Adapters without it have
    their rows summarised from :meth:`SweepAdapter.evaluate`'s draws, whatever the method.
    """

    def exact_summaries(
        self, inputs: Inputs, posterior: object, scenarios: Sequence[Mapping[str, Value]]
    ) -> list[dict[str, float]]:
        """Each scenario's row numbers on ``posterior`` (what the adapter's ``posterior``
        made, of an exact method): ``probability``, its error as ``mcse`` (the quadrature
        error estimate) and ``lo80``, ``hi80``, ``lo95``, ``hi95``, in the order of
        ``scenarios``."""
        ...


class Kind[Inputs, Draws](Protocol):
    """One kind of question. Implementations are registered in :mod:`forecast.kinds`.

    A kind may also define these optional methods; the callers look them up with
    ``getattr`` and go the common way without them (the network kind has them all):

    * ``run_directly(q, settings, timer, *, scenario)`` -> Forecast: the whole forecast,
      instead of prepare, build, NUTS and summarise (:func:`forecast.engine.run`);
    * ``accepts_scenario(spec, scenario)`` -> bool: a scenario that is a query rather
      than a name the file defines (raising ForecastError to say why not);
    * ``check_links(spec, path, shown, marks)``: check at load the other files the
      question names, raising InputError located in it (:func:`load_question`);
    * ``check_notes(q)`` -> (lines, data): what ``forecast check`` adds under ``ok``;
    * ``also_records(forecast)`` -> list of Forecasts ``--record`` keeps as well;
    * ``forecast_<method>(q, inputs, settings, timer, *, scenario, auto)`` -> Forecast or
      None: the forecast by each method of ``methods`` other than ``"nuts"`` (``exact``,
      ``importance``). Under ``auto`` it raises :class:`forecast.methods.Declined` with
      the reason when the method cannot make this forecast, or returns one whose own
      diagnostic fails (or None), and the next method is tried
      (:func:`forecast.methods.forecast`); the forecast that is made says which methods
      were passed over and why.
    """

    @property
    def name(self) -> str:
        """The ``kind:`` a priors file declares."""
        ...

    @property
    def spec(self) -> type[QuestionMeta]:
        """The pydantic specification a file of this kind is validated against."""
        ...

    @property
    def methods(self) -> tuple[str, ...]:
        """The inference methods its model admits (``"nuts"``: PyMC's NUTS sampler)."""
        ...

    @property
    def forms(self) -> Mapping[str, str]:
        """What ``elicit NEW-ID`` accepts for this kind at its kind question, each with
        how the question offers it (``{"event": "[e]vent by a deadline"}``)."""
        ...

    # -- forecasting -------------------------------------------------------------

    def prepare(self, q: LoadedQuestion) -> Inputs:
        """Fit the judgements of ``q`` (files it refers to are found next to ``q.path``)."""
        ...

    def build(self, inputs: Inputs, *, swappable: bool = False) -> pm.Model:
        """The PyMC model (``swappable``: its inputs can be replaced by :meth:`swap_inputs`)."""
        ...

    def structure(self, inputs: Inputs) -> tuple[Hashable, ...] | None:
        """What a compiled model can be reused for (None: build it for every question)."""
        ...

    def swap_inputs(self, model: pm.Model, inputs: Inputs) -> None:
        """Put ``inputs`` into a swappable model of the same :meth:`structure`."""
        ...

    def summarise(
        self,
        q: LoadedQuestion,
        inputs: Inputs,
        idata: DataTree,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """The posterior as a Forecast, under a named scenario when one is given."""
        ...

    def scenarios(self, spec: QuestionMeta) -> tuple[str, ...]:
        """The named scenarios a question of this kind defines."""
        ...

    def with_pool(
        self, spec: QuestionMeta, method: str | None, extremize: float | None
    ) -> QuestionMeta | None:
        """The specification with another pool, or None when the kind pools linearly only."""
        ...

    # -- sweeps and sensitivity --------------------------------------------------

    def sweep_params(self, spec: QuestionMeta) -> list[Param]:
        """The parameters a sweep may set for this question."""
        ...

    @property
    def sweep_adapter(self) -> type[SweepAdapter[Inputs, Draws]]:
        """How a sweep answers this kind's scenarios."""
        ...

    def log_densities(self, inputs: Inputs, draws: Draws) -> LogDensities:
        """Log prior and log likelihood at the draws a sweep extracts (power-scaling)."""
        ...

    # -- reports -----------------------------------------------------------------

    def judgements(self, q: LoadedQuestion) -> object:
        """What ``forecast show`` displays: the fitted judgements, without sampling."""
        ...

    @property
    def scores_experts(self) -> bool:
        """Whether each expert judges P(event by the deadline) itself, so the ledger can
        score the experts against the outcome (performance weights)."""
        ...

    def with_files(self, spec: QuestionMeta, path: Path, shown: str, marks: Marks) -> QuestionMeta:
        """The specification with what the files it names hold, read from next to the
        priors file at ``path`` (problems located at ``marks`` in ``shown``)."""
        ...

    def fit_problems(self, q: LoadedQuestion) -> list[Problem]:
        """What fitting the kind's own judgements would refuse, located (for ``check``,
        without importing PreliZ)."""
        ...

    def sections(self, forecast: Forecast) -> list[Section]:
        """The report sections the kind adds, as plain tables (markdown, HTML)."""
        ...

    def rich_sections(self, forecast: Forecast, width: int) -> list[RenderableType]:
        """The same sections for the terminal, as charts."""
        ...

    def outcome_of_value(self, spec: QuestionMeta, value: float) -> str:
        """The outcome (``yes`` or ``no``) a question resolved at ``value`` records
        (``resolve --value``); a ForecastError for a kind that is not an amount."""
        ...

    def resolved_value(self, spec: QuestionMeta) -> float | None:
        """The value a question of an amount resolved at, as its file says (else None)."""
        ...

    def value_scores(self, document: Mapping[str, object], value: float) -> dict[str, float] | None:
        """Scores of a recorded forecast (its JSON) at the resolved value (None: not an
        amount)."""
        ...

    def headline(self, forecast: Forecast) -> Headline | None:
        """Rows that replace the headline's intervals of the propensity and its prior row,
        with the note under them, in every format (None: the propensity's)."""
        ...

    def plots(self, forecast: Forecast) -> list[Plot]:
        """The kind's own PNG plots for reports, after the shared ones."""
        ...

    # -- elicit ------------------------------------------------------------------

    def subject(self, spec: QuestionMeta, today: dt.date | None) -> tuple[str, Scale]:
        """What an expert judges in a question of this kind, and on which scale."""
        ...

    def ask_new(self, form: str, channel: Channel, today: dt.date, meta: Meta) -> None:
        """Ask what a new file of ``form`` needs after its deadline, into ``meta``."""
        ...

    def judged(self, meta: Meta) -> tuple[str, Scale]:
        """What the first expert judges in a new file, and on which scale."""
        ...

    def new_head(
        self, meta: Meta, doc: CommentedMap, today: dt.date, date: Callable[[dt.date], object]
    ) -> None:
        """Write the kind's keys that come right after the deadline in a new file."""
        ...

    def new_body(
        self,
        meta: Meta,
        doc: CommentedMap,
        flow: Callable[[Mapping[str, object]], object],
        date: Callable[[dt.date], object],
    ) -> None:
        """Write the kind's keys after the sources: where the experts go, and the rest."""
        ...


__all__ = ["ExactSummaries", "Headline", "Kind", "LogDensities", "SweepAdapter"]
