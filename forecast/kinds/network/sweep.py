"""``forecast sweep NET``: scenarios over node states and table cells.

Names: ``node.ID=yes,no`` conditions on the node's state (as ``--given``), ``do.ID=yes``
sets it (as ``--do``), ``cell.CELL=0.1,0.2`` makes a yes/no cell a known number
(``cell.ID`` for a root, ``cell.ID[parent=yes]`` for a table row, ``cell.ID[leak]``).
Each row is the target's probability under the scenario.

No sampler: the cells' posterior given the evidence is their prior draws resampled by
their importance weights (systematic resampling); each scenario's per-draw probability
is the enumeration under its conditions, and a condition's own evidence resamples the
draws again by P(condition | evidence, cells), so each row's mean and quantiles are over
that scenario's posterior. ``SWEEP_DRAWS`` draws per question.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.errors import ForecastError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pymc as pm
    from xarray import DataTree

    from forecast.kinds.network.infer import Prepared, Query
    from forecast.kinds.network.load import LoadedNetwork
    from forecast.kinds.network.spec import NetworkQuestion
    from forecast.questions.base import QuestionMeta
    from forecast.sweep.params import Param, Value
    from forecast.sweep.strategies import Job, Posterior

SWEEP_DRAWS = 1000


def _state(states: tuple[str, ...]) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        word = (
            {True: "yes", False: "no"}.get(raw, str(raw).strip())
            if isinstance(raw, bool)
            else str(raw).strip()
        )
        if word not in states:
            raise ValueError(f"must be one of {', '.join(states)} (got {raw!r})")
        return word

    return parse


def params(spec: NetworkQuestion) -> list[Param]:
    """The sweepable names of a network (see the module docstring)."""
    from forecast.kinds.network.cells import build_cells
    from forecast.sweep.params import Effect, Param, number

    out = []
    for n in spec.nodes:
        states = n.state_names
        out.append(
            Param(
                f"node.{n.name}",
                Effect.draws,
                _state(states),
                "condition on the node's state (as --given)",
            )
        )
        out.append(
            Param(
                f"do.{n.name}",
                Effect.draws,
                _state(states),
                "set the node's state, cutting its causes (as --do)",
            )
        )
    for c in build_cells(spec):
        if len(c.states) == 2:
            out.append(
                Param(
                    f"cell.{c.name}",
                    Effect.draws,
                    number(0.0, 1.0),
                    "the cell's P(yes), as a known number",
                )
            )
    return out


def _resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of a systematic resample of the draws by ``weights`` (normalised)."""
    n = weights.size
    edges = np.cumsum(weights)
    edges[-1] = 1.0
    return np.searchsorted(edges, (rng.random() + np.arange(n)) / n)


class NetworkAdapter:
    """The sweep adapter of a network (see :class:`~forecast.kinds.protocol.SweepAdapter`)."""

    diagnosed: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[tuple[str, ...]] = ("importance",)
    """A network's sweep always draws its cells by importance sampling (:meth:`posterior`)."""

    def __init__(self, spec: QuestionMeta, inputs: LoadedNetwork, seed: int) -> None:
        self.spec = spec
        self.seed = seed

    @staticmethod
    def current(inputs: LoadedNetwork) -> dict[str, Value]:
        """No prior settings."""
        return {}

    @staticmethod
    def with_prior(inputs: LoadedNetwork, prior: Mapping[str, Value]) -> LoadedNetwork:
        """No prior settings: the inputs as they are."""
        return inputs

    @staticmethod
    def check_data(inputs: LoadedNetwork, data: Mapping[str, Value]) -> None:
        """No data settings."""

    @staticmethod
    def build(inputs: LoadedNetwork) -> pm.Model:
        """Not used: :meth:`posterior` takes the place of sampling."""
        raise ForecastError("a network's sweep needs no model")

    @staticmethod
    def set_data(model: pm.Model, inputs: LoadedNetwork, data: Mapping[str, Value]) -> None:
        """No data settings."""

    @staticmethod
    def extract(inputs: LoadedNetwork, idata: DataTree) -> Prepared:
        """Not used (see :meth:`posterior`)."""
        raise ForecastError("a network's sweep takes its draws from the cells, not a sampler")

    @staticmethod
    def log_prior(inputs: LoadedNetwork, draws: Prepared) -> np.ndarray:
        """Not used: every setting is evaluated on the draws."""
        return np.zeros(1)

    @staticmethod
    def posterior(job: Job) -> Posterior:
        """The cells' posterior draws (resampled prior draws), in place of NUTS."""
        from forecast.inference import DiagnosticsJSON
        from forecast.kinds.network.cells import build_cells
        from forecast.kinds.network.infer import analyse, prepare
        from forecast.sweep.strategies import Posterior

        start = time.perf_counter()
        from forecast.kinds.network.load import LoadedNetwork

        net = job.inputs
        assert isinstance(net, LoadedNetwork)
        seed = job.settings.seed
        prep = prepare(net.spec, build_cells(net.spec), net.observed(), SWEEP_DRAWS, seed)
        a = analyse(prep)
        idx = _resample(a.weights, np.random.default_rng(seed))
        prep = replace(prep, draws={k: v[idx] for k, v in prep.draws.items()})
        diag: DiagnosticsJSON = {
            "rhat_max": 1.0,
            "ess_bulk_min": a.ess,
            "ess_tail_min": a.ess,
            "divergences": 0,
            "draws": SWEEP_DRAWS,
            "chains": 1,
            "ok": a.trusted,
            "warnings": [] if a.trusted else [f"Pareto k {a.pareto_k:.2f}"],
            "sampling_seconds": time.perf_counter() - start,
            "method": "importance",
        }
        return Posterior(prep, diag, diag["sampling_seconds"], job.tag)

    def evaluate(
        self, inputs: LoadedNetwork, draws: Prepared, scenarios: Sequence[Mapping[str, Value]]
    ) -> np.ndarray:
        """Per-draw P(target = first state) of each scenario, (scenarios, 1, draws)."""
        from forecast.kinds.network.infer import Query
        from forecast.kinds.network.tornado import probability_under

        prep = draws
        target = prep.spec.target_node
        first = prep.graph.states[target][0]
        rng = np.random.default_rng(self.seed)
        out = np.empty((len(scenarios), 1, prep.size))
        base_z = None
        for i, s in enumerate(scenarios):
            given = {k[5:]: str(v) for k, v in s.items() if k.startswith("node.")}
            do = {k[3:]: str(v) for k, v in s.items() if k.startswith("do.")}
            cells = {k[5:]: float(v) for k, v in s.items() if k.startswith("cell.")}
            values = {
                k: (np.tile([cells[k], 1 - cells[k]], (prep.size, 1)) if k in cells else v)
                for k, v in prep.draws.items()
            }
            q = Query(given, do)
            if target in do:
                out[i, 0] = 1.0 if do[target] == first else 0.0
                continue
            if base_z is None:
                base_z = _evidence(prep, prep.draws, Query())
            if cells:
                per = probability_under(prep, values, q, target, first)
                z = _evidence(prep, values, q)
            else:  # node states only: the joint of the draws once, masked and divided
                per, z = self._fast(prep, q, target, first)
            w = np.where(base_z > 0, z / base_z, 0.0)
            if w.sum() <= 0:
                out[i, 0] = np.nan
                continue
            out[i, 0] = np.nan_to_num(per)[_resample(w / w.sum(), rng)]
        return out

    def _fast(
        self, prep: Prepared, q: Query, target: str, first: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-draw P(target | q) and P(evidence, q) from the draws' joint, computed once."""
        from forecast.kinds.network.infer import evidence_of
        from forecast.kinds.network.joint import joint, tables

        if getattr(self, "_joint", None) is None:
            self._tables = tables(prep.spec, prep.graph, prep.cells, prep.draws)
            self._joint = joint(self._tables, prep.graph)
            self._entries: dict[str, np.ndarray] = {}
        p = self._joint
        for node in q.do:  # truncated factorisation: the node's own entry divided out
            if node not in self._entries:
                ones = {n: (t if n == node else np.ones_like(t)) for n, t in self._tables.items()}
                self._entries[node] = joint(ones, prep.graph)
            with np.errstate(invalid="ignore", divide="ignore"):
                p = np.where(self._entries[node] > 0, p / self._entries[node], 0.0)
        mask = prep.graph.mask({**evidence_of(prep, q), **q.do})
        kept = p * mask
        z = kept.sum(axis=1)
        yes = prep.graph.indicators[:, prep.graph.column(target, first)]
        with np.errstate(invalid="ignore", divide="ignore"):
            return (kept @ yes) / z, z


def _evidence(prep: Prepared, values: Mapping[str, np.ndarray], query: Query) -> np.ndarray:
    """P(evidence and the query's conditions | cells) per draw."""
    from forecast.kinds.network.infer import evidence_of
    from forecast.kinds.network.joint import intervene, joint, tables

    t = tables(prep.spec, prep.graph, prep.cells, values)
    if query.do:
        t = intervene(t, prep.graph, query.do)
    return np.asarray((joint(t, prep.graph) * prep.graph.mask(evidence_of(prep, query))).sum(1))


__all__ = ["SWEEP_DRAWS", "NetworkAdapter", "params"]
