"""The network kind behind the :class:`~forecast.kinds.protocol.Kind` protocol.

A network is forecast without the sampler (:meth:`NetworkKind.run_directly`: draws of
the cells, exact enumeration, importance weights; NUTS on the PyMC model only when the
weights cannot be trusted). ``--given NODE=STATE`` and ``--do NODE=STATE`` reach it as a
scenario string ``given:NODE=STATE;do:NODE=STATE`` (:func:`parse_query`), which
:meth:`accepts_scenario` checks against the file's nodes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from forecast.errors import ForecastError
from forecast.kinds.base import KindBase
from forecast.kinds.network.spec import NetworkQuestion
from forecast.queries import scenario_of

if TYPE_CHECKING:
    from pathlib import Path

    import pymc as pm
    from rich.console import RenderableType
    from xarray import DataTree

    from forecast.elicit.answers import Scale
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.network.document import CoherenceDoc
    from forecast.kinds.network.elicit import CellTarget
    from forecast.kinds.network.infer import Prepared, Query
    from forecast.kinds.network.load import LoadedNetwork
    from forecast.kinds.network.show import CellsView
    from forecast.kinds.protocol import LogDensities, SweepAdapter
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.render.kinds import Section
    from forecast.results import Forecast
    from forecast.sweep.params import Param
    from forecast.yamlio import Marks


def parse_query(scenario: str | None) -> Query:
    """``given:a=yes;do:b=no`` -> the query (a ForecastError for anything else)."""
    from forecast.kinds.network.infer import Query

    given: dict[str, str] = {}
    do: dict[str, str] = {}
    for part in (scenario or "").split(";"):
        if not part:
            continue
        how, _, rest = part.partition(":")
        node, eq, state = rest.partition("=")
        if how not in ("given", "do") or not eq or not node or not state:
            raise ForecastError(
                f"{part!r} is not a condition on a node",
                hint="write --given NODE=STATE or --do NODE=STATE",
            )
        (given if how == "given" else do)[node.strip()] = state.strip()
    both = set(given) & set(do)
    if both:
        raise ForecastError(f"{', '.join(sorted(both))}: given and set at once; choose one")
    return Query(given, do)


class NetworkKind(KindBase["LoadedNetwork"]):
    """``kind: network``."""

    name = "network"
    spec = NetworkQuestion
    methods: tuple[str, ...] = ("exact", "importance", "nuts")
    forms: Mapping[str, str] = {}

    def prepare(self, q: LoadedQuestion) -> LoadedNetwork:
        """The network with the questions it links (from the file's folder)."""
        from forecast.kinds.network.load import LoadedNetwork, link_questions
        from forecast.questions.loader import display as _display

        assert isinstance(q.spec, NetworkQuestion)
        questions = link_questions(q.spec, q.path, _display(q.path), q.marks)
        return LoadedNetwork.linked(q.spec, questions)

    def run_directly(
        self,
        q: LoadedQuestion,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
        sample: bool = True,
    ) -> Forecast:
        """The forecast without the generic sampling step (see the module docstring)."""
        from forecast.kinds.network.forecast import to_forecast
        from forecast.kinds.network.run import run_network

        net = self.prepare(q)
        if timer is not None:
            timer.lap("link questions")
        nf = run_network(
            net, parse_query(scenario), seed=settings.seed, sample=sample, settings=settings
        )
        if timer is not None:
            timer.lap("enumerate")
        return to_forecast(nf, q, settings)

    def check_links(self, spec: QuestionMeta, path: Path, shown: str, marks: Marks) -> None:
        """Refuse, at load, a question node that names no question of the folder."""
        from forecast.kinds.network.load import link_questions

        assert isinstance(spec, NetworkQuestion)
        link_questions(spec, path, shown, marks)

    def also_records(self, forecast: Forecast) -> list[Forecast]:
        """With ``--record``: the network's forecast of each open question node too."""
        from forecast.kinds.network.forecast import node_forecasts

        return node_forecasts(forecast)

    def check_notes(self, q: LoadedQuestion) -> tuple[list[str], CoherenceDoc | None]:
        """``forecast check``: the coherence of its linked questions, without sampling."""
        from forecast.kinds.network.check import coherence_lines

        return coherence_lines(q)

    def accepts_scenario(self, spec: QuestionMeta, scenario: str) -> bool:
        """Whether ``scenario`` is a query on this network's nodes (errors say why not)."""
        parse_query(scenario)
        return True

    def build(self, inputs: LoadedNetwork, *, swappable: bool = False) -> pm.Model:
        """The network's PyMC model (:mod:`forecast.kinds.network.model`)."""
        from forecast.kinds.network.cells import build_cells
        from forecast.kinds.network.infer import prepare
        from forecast.kinds.network.model import build

        spec = inputs.spec
        return build(prepare(spec, build_cells(spec), inputs.observed(), draws=1))

    def summarise(
        self,
        q: LoadedQuestion,
        inputs: LoadedNetwork,
        idata: DataTree,
        settings: SamplerSettings,
        timer: Timer | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """Sampled networks are summarised by :meth:`run_directly`, which samples itself."""
        return self.run_directly(q, settings, timer, scenario=scenario)

    def with_ledger(self, spec: QuestionMeta, ledger: str) -> QuestionMeta:
        """The network reading its question nodes' outcomes from ``ledger`` (``--ledger``)."""
        assert isinstance(spec, NetworkQuestion)
        return spec.with_ledger(ledger)

    def with_pool(
        self, spec: QuestionMeta, method: str | None, extremize: float | None
    ) -> QuestionMeta:
        """The network with its cells pooled by ``method`` (linear or logarithmic)."""
        from forecast.questions.experts import Pool

        assert isinstance(spec, NetworkQuestion)
        if method == "hierarchical":
            raise ForecastError("a network's cells pool linearly or logarithmically")
        pool = Pool.model_validate(
            {
                "method": method or spec.pool.method,
                "extremize": extremize if extremize is not None else spec.pool.extremize,
            }
        )
        return spec.model_copy(update={"pool": pool})

    def sweep_params(self, spec: QuestionMeta) -> list[Param]:
        """``node.ID``, ``do.ID`` and ``cell.CELL`` (:mod:`forecast.kinds.network.sweep`)."""
        from forecast.kinds.network.sweep import params

        assert isinstance(spec, NetworkQuestion)
        return params(spec)

    @property
    def sweep_adapter(self) -> type[SweepAdapter[LoadedNetwork, Prepared]]:
        """Scenarios on the cells' resampled posterior draws, without the sampler."""
        from forecast.kinds.network.sweep import NetworkAdapter

        return NetworkAdapter

    def log_densities(self, inputs: LoadedNetwork, draws: Prepared) -> LogDensities:
        """The cells' log prior and log P(evidence | cells) at the cells' draws (a
        :class:`~forecast.kinds.network.infer.Prepared`, as the sweep extracts it)."""
        from forecast.kinds.network.infer import Query
        from forecast.kinds.network.sensitivity import log_likelihood, log_prior

        ll = log_likelihood(draws, Query())
        return log_prior(draws, draws.draws)[None, :], None if ll is None else ll[None, :]

    def judgements(self, q: LoadedQuestion) -> CellsView:
        """The network's cells, fitted, as ``forecast show`` displays them."""
        from forecast.kinds.network.cells import build_cells
        from forecast.kinds.network.show import CellsView

        return CellsView(q, build_cells(self.prepare(q).spec))

    def sections(self, forecast: Forecast) -> list[Section]:
        """Graph, marginals, coherence, tornado and conditionals as plain tables."""
        from forecast.kinds.network.forecast import network_of
        from forecast.kinds.network.sections import sections

        return sections(network_of(forecast))

    def rich_sections(self, forecast: Forecast, width: int) -> list[RenderableType]:
        """The same sections for the terminal."""
        from forecast.kinds.network.forecast import network_of
        from forecast.kinds.network.sections import rich_sections

        return rich_sections(network_of(forecast), width)

    def elicit_target(self, q: LoadedQuestion, cell: str | None) -> CellTarget:
        """``elicit NET --cell CELL``: the table cell the session's experts judge."""
        from forecast.kinds.network.elicit import cell_target

        return cell_target(q, cell)

    def subject(self, spec: QuestionMeta, today: dt.date | None) -> tuple[str, Scale]:
        """Not asked for the whole network: its experts judge its cells (``--cell``)."""
        raise ForecastError(
            "a network's experts judge its table cells: name one with elicit --cell"
        )

    def judged(self, meta: Mapping[str, object]) -> tuple[str, Scale]:
        """Not asked (see :meth:`subject`)."""
        return self.subject(NetworkQuestion.model_construct(), None)


KIND = NetworkKind()

__all__ = ["KIND", "NetworkKind", "parse_query", "scenario_of"]
