"""The shapes of a network's JSON (docs/json.md, ``network``): one ``TypedDict`` each.

:meth:`~forecast.kinds.network.run.NetworkForecast.to_dict` builds a
:class:`NetworkDoc`; the report sections and the graph's picture read it.
"""

from __future__ import annotations

from typing import TypedDict


class QueryDoc(TypedDict):
    """What was asked: ``given`` and ``do`` as ``{node: state}``, and in words."""

    given: dict[str, str]
    do: dict[str, str]
    label: str


class EstimateDoc(TypedDict):
    """One node state's probability: exact, the draws' check of it, its intervals."""

    state: str
    probability: float
    mc: float
    mcse: float
    intervals: dict[str, list[float]]


class NodeDoc(TypedDict):
    """One node: what it is, what is known of it, and its marginal."""

    id: str
    title: str
    question: bool
    states: list[str]
    parents: list[str]
    observed: str | None
    observed_from: str | None
    given: str | None
    set: str | None
    marginal: list[EstimateDoc]
    deadline: str | None


class GivenDoc(TypedDict):
    """The node state a conditional is given."""

    node: str
    state: str


class ConditionalDoc(TypedDict):
    """Every other node's probability given one node's state."""

    given: GivenDoc
    probabilities: dict[str, float]


class BarDoc(TypedDict):
    """One cell's 80% range and the target at each end."""

    cell: str
    range80: list[float]
    target_at: list[float]
    swing: float


class GapDoc(TypedDict):
    """A linked question's own forecast against the network's."""

    node: str
    own: float
    own_interval80: list[float]
    network: float
    network_interval80: list[float]
    gap: float
    flagged: bool
    own_method: str


class ReconciliationDoc(TypedDict):
    """The network with the questions' own forecasts taken as evidence."""

    method: str
    probabilities: dict[str, float]


class CoherenceDoc(TypedDict):
    """Every gap, the reconciliation, and the questions not compared (with why)."""

    gaps: list[GapDoc]
    reconciliation: ReconciliationDoc
    skipped: dict[str, str]


class CellDoc(TypedDict):
    """One table cell: its experts, their weights and its pooled mean."""

    cell: str
    node: str
    experts: list[str]
    weights: list[float]
    mean: list[float]


class InferenceDoc(TypedDict):
    """How the intervals were made, with the weights' diagnostics."""

    method: str
    description: str
    draws: int
    pareto_k: float
    ess: float
    trusted: bool
    seed: int
    seconds: float


class NetworkDoc(TypedDict):
    """The ``network`` object of ``forecast run --format json``."""

    query: QueryDoc
    asked: str
    evidence: dict[str, str]
    target: str
    nodes: list[NodeDoc]
    conditionals: list[ConditionalDoc]
    tornado: list[BarDoc]
    coherence: CoherenceDoc
    cells: list[CellDoc]
    inference: InferenceDoc
    notes: list[str]


__all__ = [
    "BarDoc",
    "CellDoc",
    "CoherenceDoc",
    "ConditionalDoc",
    "EstimateDoc",
    "GapDoc",
    "GivenDoc",
    "InferenceDoc",
    "NetworkDoc",
    "NodeDoc",
    "QueryDoc",
    "ReconciliationDoc",
]
