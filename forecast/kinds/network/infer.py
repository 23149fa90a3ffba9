"""Marginals, conditioning (``--given``) and interventions (``--do``) on a network.

The cells are drawn from their priors (NumPy, seeded). The model (its PyMC form is in
:mod:`forecast.kinds.network.model`) conditions them on the evidence: the resolved
questions and observed nodes, plus what ``--given`` states. For each draw the
enumeration gives P(evidence | cells) and P(node = state | evidence, cells); the
posterior over the cells weights each draw by P(evidence | cells) (Pareto-smoothed
importance sampling, whose k says whether to trust the weights).

* the forecast of ``node = state`` is the posterior mean of P(node = state | evidence,
  cells), which is the ratio E[P(state, evidence | cells)] / E[P(evidence | cells)]
  over the priors: by multilinearity the enumeration on the cells' prior means, exact.
  The draws' weighted mean estimates the same number: it is reported with its Monte
  Carlo error as a check (``mc``, ``mcse``);
* its 80% and 95% intervals are the weighted quantiles of the per-draw probability;
* ``do(node = s)`` replaces the node's table by certainty (the truncated factorisation)
  before anything is conditioned: the evidence and ``--given`` are then conditioned in
  the intervened network, as pgmpy's ``CausalInference.query(do=, evidence=)`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import ForecastError
from forecast.kinds.network.cells import Cell
from forecast.kinds.network.joint import Graph, intervene, joint, point_tables, tables
from forecast.kinds.network.spec import NetworkQuestion

if TYPE_CHECKING:
    from forecast.kinds.network.document import EstimateDoc, QueryDoc

MASSES = (0.8, 0.95)
CHUNK = 1024
"""Draws enumerated at once (bounds memory: draws x joint states x 8 bytes)."""


@dataclass(frozen=True)
class Query:
    """What is asked: nodes known to be in a state, nodes set to a state."""

    given: dict[str, str] = field(default_factory=dict)
    do: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """``given a=yes; do(b=no)``, or ``no conditions``."""
        parts = []
        if self.given:
            parts.append("given " + ", ".join(f"{k}={v}" for k, v in self.given.items()))
        if self.do:
            parts.append("do(" + ", ".join(f"{k}={v}" for k, v in self.do.items()) + ")")
        return "; ".join(parts) or "no conditions"

    def to_dict(self) -> QueryDoc:
        """Plain data for JSON."""
        return {"given": dict(self.given), "do": dict(self.do), "label": self.describe()}


@dataclass(frozen=True)
class Estimate:
    """One node state's probability under a query."""

    node: str
    state: str
    probability: float
    mc: float
    mcse: float
    intervals: dict[float, tuple[float, float]]

    def to_dict(self) -> EstimateDoc:
        """Plain data for JSON."""
        return {
            "state": self.state,
            "probability": self.probability,
            "mc": self.mc,
            "mcse": self.mcse,
            "intervals": {f"{round(m * 100)}": list(v) for m, v in self.intervals.items()},
        }


@dataclass(frozen=True)
class Prepared:
    """A network ready to query: its graph, cells, their draws and prior means."""

    spec: NetworkQuestion
    graph: Graph
    cells: tuple[Cell, ...]
    draws: dict[str, np.ndarray]
    means: dict[str, np.ndarray]
    observed: dict[str, str]

    @property
    def size(self) -> int:
        """Number of draws of the cells."""
        return int(next(iter(self.draws.values())).shape[0]) if self.draws else 0


def prepare(
    spec: NetworkQuestion,
    cells: Sequence[Cell],
    observed: Mapping[str, str],
    draws: int = 4000,
    seed: int = 0,
) -> Prepared:
    """Draw every cell ``draws`` times (seeded) and take its prior mean."""
    rng = np.random.default_rng(seed)
    values = {c.name: c.draw(draws, rng) for c in cells}
    means = {c.name: c.mean() for c in cells}
    return Prepared(spec, Graph.of(spec), tuple(cells), values, means, dict(observed))


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of ``x`` (last axis) under normalised weights ``w`` (same shape)."""
    order = np.argsort(x, axis=-1)
    xs = np.take_along_axis(x, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    cum = np.cumsum(ws, axis=-1) - 0.5 * ws
    cum /= cum[..., -1:] + 0.5 * ws[..., -1:]
    flat_x = xs.reshape(-1, xs.shape[-1])
    flat_c = cum.reshape(-1, cum.shape[-1])
    out = np.array([np.interp(qs, c, v) for c, v in zip(flat_c, flat_x, strict=True)])
    return out.reshape((*x.shape[:-1], len(qs)))


def evidence_of(prep: Prepared, query: Query) -> dict[str, str]:
    """Everything conditioned on: the observed nodes and ``--given``.

    Raises
    ------
    ForecastError
        A node or state that does not exist, or a condition against an observation.
    """
    for what, fixed in (("given", query.given), ("do", query.do)):
        for node, state in fixed.items():
            if node not in prep.graph.states:
                from forecast.kinds.network.rows import close

                raise ForecastError(
                    f"--{what} {node}={state}: no node is called '{node}'"
                    f"{close(node, list(prep.graph.states))}",
                    hint="nodes: " + ", ".join(prep.graph.names),
                )
            if state not in prep.graph.states[node]:
                raise ForecastError(
                    f"--{what} {node}={state}: '{state}' is not a state of '{node}'",
                    hint="states: " + ", ".join(prep.graph.states[node]),
                )
            seen = prep.observed.get(node)
            if seen is not None and seen != state and what == "given":
                raise ForecastError(
                    f"--given {node}={state} contradicts what is known: '{node}' is {seen}",
                    hint="a resolved question or an observed node is evidence already",
                )
    out = {k: v for k, v in prep.observed.items() if k not in query.do}
    out.update(query.given)
    return out


def _chunk_tables(prep: Prepared, lo: int, hi: int, do: Mapping[str, str]) -> dict[str, np.ndarray]:
    part = {k: v[lo:hi] for k, v in prep.draws.items()}
    t = tables(prep.spec, prep.graph, prep.cells, part)
    return intervene(t, prep.graph, do) if do else t


def exact(prep: Prepared, query: Query) -> tuple[np.ndarray, float]:
    """P(node = state | evidence) per indicator column, exactly, and P(evidence)."""
    fixed = evidence_of(prep, query)
    t = point_tables(prep.spec, prep.graph, prep.cells, prep.means)
    if query.do:
        t = intervene(t, prep.graph, query.do)
    p = joint(t, prep.graph)[0] * prep.graph.mask(fixed)
    z = float(p.sum())
    if z <= 0.0:
        raise ForecastError(
            f"the evidence and conditions are impossible in this network ({query.describe()})",
            hint="a cell of probability 0 or 1 rules them out",
        )
    return p @ prep.graph.indicators / z, z


@dataclass(frozen=True)
class Analysis:
    """Every node's marginal under one query, with the weights' diagnostics."""

    query: Query
    evidence: dict[str, str]
    marginals: dict[str, tuple[Estimate, ...]]
    pareto_k: float
    ess: float
    draws: int
    weights: np.ndarray = field(repr=False, compare=False)
    per_draw: np.ndarray = field(repr=False, compare=False)
    """P(column | evidence, cells) at each draw (0 where the draw's weight is 0)."""
    likelihood: np.ndarray = field(repr=False, compare=False)
    """P(evidence | cells) at each draw: what the weights and the sensitivity's data
    density are made of, enumerated once."""

    @property
    def trusted(self) -> bool:
        """True when the importance weights can be trusted (Pareto k below ArviZ's bound)."""
        from forecast.psis import good_k

        return bool(np.isfinite(self.pareto_k) and self.pareto_k <= good_k(self.draws))

    @property
    def uniform(self) -> bool:
        """True when every draw counts the same (no evidence, or posterior draws)."""
        return bool(np.ptp(self.weights) == 0.0)

    def probability(self, node: str, state: str = "yes") -> float:
        """The forecast of ``node = state``."""
        return next(e.probability for e in self.marginals[node] if e.state == state)


def per_draw(prep: Prepared, query: Query) -> tuple[np.ndarray, np.ndarray]:
    """For every draw: P(evidence | cells) and P(column | evidence, cells)."""
    return _per_draw(prep, query.do, [evidence_of(prep, query)])[0]


def _per_draw(
    prep: Prepared, do: Mapping[str, str], evidence: Sequence[Mapping[str, str]]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`per_draw` for each of several evidence sets under one intervention, the
    joint states of each chunk of draws enumerated once for all of them."""
    masks = [prep.graph.mask(fixed) for fixed in evidence]
    ind = prep.graph.indicators
    out = [(np.empty(prep.size), np.empty((prep.size, ind.shape[1]))) for _ in masks]
    for lo in range(0, prep.size, CHUNK):
        hi = min(lo + CHUNK, prep.size)
        joint_ = joint(_chunk_tables(prep, lo, hi, do), prep.graph)
        for i, (mask, (z, cond)) in enumerate(zip(masks, out, strict=True)):
            last = i + 1 == len(masks)
            p = np.multiply(joint_, mask, out=joint_) if last else joint_ * mask
            z[lo:hi] = p.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                cond[lo:hi] = (p @ ind) / z[lo:hi, None]
    return out


def analyse(prep: Prepared, query: Query | None = None, *, posterior: bool = False) -> Analysis:
    """Every node's marginal under ``query``: exact forecast, draws' check, intervals.

    ``posterior``: the draws are already from the posterior given the evidence (NUTS on
    :mod:`.model`), so they are weighted equally.
    """
    query = query or Query()
    return _analysis(prep, query, *per_draw(prep, query), posterior=posterior)


def analyse_with_prior(prep: Prepared, query: Query) -> tuple[Analysis, Analysis | None]:
    """:func:`analyse` under ``query`` and, when there is evidence or a query, the same
    without either (the tables alone: the forecast's prior). Without an intervention
    both read one enumeration of the joint states per draw."""
    bare = replace(prep, observed={})
    if not prep.observed and query == Query():
        return analyse(prep, query), None
    if query.do:
        return analyse(prep, query), analyse(bare, Query())
    (z, cond), (z0, cond0) = _per_draw(prep, {}, [evidence_of(prep, query), {}])
    return _analysis(prep, query, z, cond), _analysis(bare, Query(), z0, cond0)


def _analysis(
    prep: Prepared, query: Query, z: np.ndarray, cond: np.ndarray, *, posterior: bool = False
) -> Analysis:
    """The analysis of ``query`` from the draws' P(evidence | cells) ``z`` and
    P(column | evidence, cells) ``cond``."""
    from forecast.psis import Smoothed, smooth

    point, _ = exact(prep, query)
    if posterior or np.allclose(z, z[0], rtol=1e-12, atol=0.0):
        # Already posterior draws, or no evidence: every draw counts the same.
        smoothed = Smoothed(np.full(prep.size, 1.0 / prep.size), 0.0)
    else:
        with np.errstate(divide="ignore"):
            smoothed = smooth(np.log(z))
    w = smoothed.weights
    ok = w > 0
    cond = np.where(ok[:, None], cond, 0.0)
    mc = w @ cond
    mcse = np.sqrt((w[:, None] ** 2 * (cond - mc) ** 2).sum(axis=0))
    qs = [q for m in MASSES for q in ((1 - m) / 2, (1 + m) / 2)]
    bands = weighted_quantiles(cond.T, np.broadcast_to(w, cond.T.shape), qs)
    marginals: dict[str, list[Estimate]] = {}
    for j, (node, state) in enumerate(prep.graph.columns):
        intervals = {
            m: (float(bands[j, 2 * i]), float(bands[j, 2 * i + 1])) for i, m in enumerate(MASSES)
        }
        marginals.setdefault(node, []).append(
            Estimate(node, state, float(point[j]), float(mc[j]), float(mcse[j]), intervals)
        )
    return Analysis(
        query,
        evidence_of(prep, query),
        {k: tuple(v) for k, v in marginals.items()},
        smoothed.pareto_k,
        smoothed.ess,
        prep.size,
        w,
        cond,
        z,
    )


def conditionals(prep: Prepared, query: Query | None = None) -> dict[tuple[str, str], np.ndarray]:
    """P(column | node = state, query) for every node and state (exact), one array each.

    A state the query makes impossible (or already contradicts) is left out.
    """
    query = query or Query()
    fixed = evidence_of(prep, query)
    t = point_tables(prep.spec, prep.graph, prep.cells, prep.means)
    if query.do:
        t = intervene(t, prep.graph, query.do)
    p = joint(t, prep.graph)[0] * prep.graph.mask(fixed)
    ind = prep.graph.indicators
    pair = (p[:, None] * ind).T @ ind  # (column given, column asked)
    out: dict[tuple[str, str], np.ndarray] = {}
    for j, col in enumerate(prep.graph.columns):
        if col[0] in query.do or pair[j, j] <= 0.0:
            continue
        out[col] = pair[j] / pair[j, j]
    return out


__all__ = [
    "MASSES",
    "Analysis",
    "Estimate",
    "Prepared",
    "Query",
    "analyse",
    "analyse_with_prior",
    "conditionals",
    "exact",
    "prepare",
    "weighted_quantiles",
]
