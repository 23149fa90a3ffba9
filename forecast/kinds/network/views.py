"""A network forecast's nodes and conditionals as typed records, for the reports and JSON.

The report sections (:mod:`.sections`), the graph's picture (:mod:`.svg`) and the
ledger's node forecasts read these records; their ``to_dict`` gives the JSON shapes of
:mod:`.document` (docs/json.md, ``network``), so the JSON is made from the same values
the reports show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.kinds.network.document import ConditionalDoc, NodeDoc
    from forecast.kinds.network.infer import Estimate

YES_NO = ("yes", "no")


@dataclass(frozen=True)
class NodeView:
    """One node: what it is, what is known of it, and its marginal under the query."""

    id: str
    title: str
    question: bool
    states: tuple[str, ...]
    parents: tuple[str, ...]
    observed: str | None
    """Its state when a resolved question, the file or the ledger says it."""
    observed_from: str | None
    """Where the observed state came from."""
    given: str | None
    """Its state under ``--given``."""
    set_to: str | None
    """Its state under ``--do``."""
    marginal: tuple[Estimate, ...]
    deadline: dt.date | None
    """A question node's deadline (its question's)."""

    @property
    def yes_no(self) -> bool:
        """Whether the node's states are ``yes`` and ``no``."""
        return self.states == YES_NO

    def to_dict(self) -> NodeDoc:
        """Plain data for JSON (one of ``network.nodes``)."""
        return {
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "states": list(self.states),
            "parents": list(self.parents),
            "observed": self.observed,
            "observed_from": self.observed_from,
            "given": self.given,
            "set": self.set_to,
            "marginal": [e.to_dict() for e in self.marginal],
            "deadline": self.deadline.isoformat() if self.deadline is not None else None,
        }


@dataclass(frozen=True)
class ConditionalView:
    """Every other node state's probability given that ``node`` is in ``state`` (exact)."""

    node: str
    state: str
    probabilities: dict[tuple[str, str], float]
    """``(node, state)`` of every other node -> its probability, in the graph's order."""

    def to_dict(self) -> ConditionalDoc:
        """Plain data for JSON (one of ``network.conditionals``)."""
        return {
            "given": {"node": self.node, "state": self.state},
            "probabilities": {f"{n}={s}": p for (n, s), p in self.probabilities.items()},
        }


def topological(nodes: tuple[NodeView, ...]) -> list[NodeView]:
    """``nodes`` each after its parents, otherwise in their order."""
    done: set[str] = set()
    out: list[NodeView] = []
    while len(out) < len(nodes):
        for n in nodes:
            if n.id not in done and all(p in done for p in n.parents):
                out.append(n)
                done.add(n.id)
                break
    return out


__all__ = ["ConditionalView", "NodeView", "topological"]
