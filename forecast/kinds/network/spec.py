"""The ``network`` question: linked questions as a Bayesian network of elicited tables.

A network names its nodes: existing questions of the priors folder (``question: ID``)
or intermediate events of its own (``id: ID`` with a title and a resolution, binary by
default, or categorical with up to five ``states``). Each child node gives, for every
combination of its parents' states, the experts' judgements of its probability (a
``table`` row), or a stated default: ``noisy_or`` (a leak and one cause per parent) or
``independent_of`` (parents the table does not depend on). Every judgement is in any form
an event question's expert may use; a categorical node's experts give a
``distribution`` over its states instead. The whole-graph checks (a cycle, a missing
combination, a table that cannot sum to 1) are in :mod:`forecast.kinds.network.checks`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from forecast.questions.base import NonEmpty, QuestionMeta, Source, StrictModel
from forecast.questions.experts import Identifier, Pool
from forecast.questions.judgement import ProbabilityJudgement

MAX_NODES = 12
"""Most nodes in one network."""

MAX_STATES = 5
"""Most states of a categorical node."""

MAX_JOINT = 4096
"""Most joint states (the product of the nodes' state counts) the exact enumeration takes."""

BINARY = ("yes", "no")
"""The states of a binary node; a table cell of a binary node is P(yes)."""

StateName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=32)]


def _yes_no(value: object) -> object:
    """YAML reads unquoted yes/no as true/false: as a state they are the words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


class Distribution(StrictModel):
    """One expert's judgement of a categorical node's probabilities (a Dirichlet).

    ``probabilities`` (summing to 1) with a ``strength`` "as if n cases" make
    Dirichlet(n · p); ``counts`` "as if these counts of each state" make Dirichlet(k + 1).
    """

    probabilities: dict[StateName, Annotated[float, Field(gt=0.0, lt=1.0)]] | None = None
    strength: Annotated[float, Field(ge=1.0, le=1e6)] | None = None
    counts: dict[StateName, Annotated[int, Field(ge=0)]] | None = None

    @field_validator("probabilities", "counts", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        if isinstance(value, dict):
            return {_yes_no(k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Distribution:
        given = {k for k in type(self).model_fields if getattr(self, k) is not None}
        if given not in ({"probabilities", "strength"}, {"counts"}):
            raise PydanticCustomError(
                "distribution_form",
                "{got} is not a distribution form; give probabilities + strength, or counts",
                {"got": " + ".join(sorted(given)) or "nothing"},
            )
        return self

    def states(self) -> tuple[str, ...]:
        """The states it names, in its order."""
        return tuple(self.probabilities or self.counts or {})

    def concentration(self, states: tuple[str, ...]) -> tuple[float, ...]:
        """The Dirichlet's concentration over ``states``."""
        if self.counts is not None:
            return tuple(self.counts[s] + 1.0 for s in states)
        assert self.probabilities is not None and self.strength is not None
        total = sum(self.probabilities.values())
        return tuple(self.strength * self.probabilities[s] / total for s in states)


class CellExpert(StrictModel):
    """One expert's judgement of one table cell.

    ``judgement`` (any probability form of an event question) for P(yes) of a binary
    node; ``distribution`` for a categorical node.
    """

    name: NonEmpty
    judgement: ProbabilityJudgement | None = None
    distribution: Distribution | None = None
    weight: Annotated[float, Field(ge=0.0, le=1e6)] | None = None
    date: dt.date | None = Field(default=None, description="when the judgement was made")

    @model_validator(mode="after")
    def _one(self) -> CellExpert:
        if (self.judgement is None) == (self.distribution is None):
            raise PydanticCustomError(
                "cell_form",
                "give a judgement (P(yes) of a binary node) or a distribution (over a "
                "categorical node's states), not {what}",
                {"what": "both" if self.judgement is not None else "neither"},
            )
        return self


Experts = Annotated[list[CellExpert], Field(min_length=1)]


class Row(StrictModel):
    """One combination of the parents' states and the experts' judgements for it."""

    when: dict[Identifier, StateName] = Field(default_factory=dict)
    experts: Experts

    @field_validator("when", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _yes_no(v) for k, v in value.items()}
        return value


class NoisyOr(StrictModel):
    """A binary child of binary parents as a noisy OR.

    ``leak`` is P(yes) with every parent at ``no``; ``causes[parent]`` is the probability
    that this parent, at ``yes``, brings the event about by itself. Then
    P(no | parents) = (1 - leak) · Π over the parents at yes of (1 - cause).
    """

    leak: Experts
    causes: dict[Identifier, Experts]


class Node(StrictModel):
    """One node: a question of the priors folder or an intermediate event."""

    question: Identifier | None = None
    id: Identifier | None = None
    title: NonEmpty | None = None
    resolution: NonEmpty | None = None
    states: Annotated[list[StateName], Field(min_length=2, max_length=MAX_STATES)] | None = None
    observed: StateName | None = Field(
        default=None, description="the state an intermediate node is known to be in"
    )
    parents: list[Identifier] = Field(default_factory=list)
    experts: Experts | None = None
    table: Annotated[list[Row], Field(min_length=1)] | None = None
    noisy_or: NoisyOr | None = None
    independent_of: list[Identifier] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    note: str | None = None

    @field_validator("observed", mode="before")
    @classmethod
    def _word(cls, value: object) -> object:
        return _yes_no(value)

    @field_validator("states", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        return [_yes_no(v) for v in value] if isinstance(value, list) else value

    @property
    def name(self) -> str:
        """The node's id (the question's id for a question node)."""
        out = self.question or self.id
        assert out is not None
        return out

    @property
    def state_names(self) -> tuple[str, ...]:
        """Its states (``yes``, ``no`` unless it names others)."""
        return tuple(self.states) if self.states else BINARY

    @property
    def binary(self) -> bool:
        """True for a yes/no node."""
        return self.state_names == BINARY


class NetworkQuestion(QuestionMeta):
    """Linked questions: nodes, their parents and the experts' conditional tables."""

    kind: Literal["network"]
    nodes: Annotated[list[Node], Field(min_length=1, max_length=MAX_NODES)]
    target: Identifier | None = Field(
        default=None, description="the node the tornado of cells is about (default: the last)"
    )
    pool: Pool = Field(default_factory=Pool)
    _ledger: str | None = PrivateAttr(default=None)
    """The ledger ``--ledger`` names (None: the configured one), read for outcomes."""

    def with_ledger(self, ledger: str | None) -> NetworkQuestion:
        """The network reading its question nodes' outcomes from ``ledger``."""
        out = self.model_copy()
        out._ledger = ledger
        return out

    @property
    def ledger(self) -> str | None:
        """The ledger ``--ledger`` named, if any."""
        return self._ledger

    @model_validator(mode="after")
    def _whole_graph(self) -> NetworkQuestion:
        from forecast.kinds.network.checks import check_network

        check_network(self)
        return self

    def node(self, name: str) -> Node:
        """The node called ``name``."""
        return next(n for n in self.nodes if n.name == name)

    @property
    def target_node(self) -> str:
        """The node the tornado is about: ``target``, else the last node."""
        return self.target or self.nodes[-1].name


__all__ = [
    "BINARY",
    "MAX_JOINT",
    "MAX_NODES",
    "MAX_STATES",
    "CellExpert",
    "Distribution",
    "NetworkQuestion",
    "Node",
    "NoisyOr",
    "Row",
]
