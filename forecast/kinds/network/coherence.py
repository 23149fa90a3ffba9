"""Coherence: each linked question's own forecast against the network's.

For a node that is a question with parents, the network implies a forecast (its
marginal) that its own file forecasts too. The gap is network minus own; it is flagged
when it is larger than both 80% intervals (wider than the own forecast's and than the
network's): the two cannot both be right.

One reconciliation is offered: take each question's own forecast as evidence on its
node (Jeffrey's rule, as virtual evidence of likelihood ratio own odds / network odds,
which makes the node's marginal its own forecast) and show what that does to every
other node. With several questions the likelihood ratios are fitted together by
iterative proportional fitting on the enumerated joint (at the cells' means).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.network.infer import Analysis, Prepared, Query, evidence_of
from forecast.kinds.network.joint import intervene, joint, point_tables
from forecast.kinds.network.questions import OwnForecast

if TYPE_CHECKING:
    from forecast.kinds.network.document import CoherenceDoc, GapDoc

ROUNDS = 200
"""Iterative proportional fitting rounds (each a pass over the questions)."""


@dataclass(frozen=True)
class Gap:
    """One question: its own forecast, the network's, and the gap."""

    node: str
    own: float
    own_interval: tuple[float, float]
    network: float
    network_interval: tuple[float, float]
    method: str

    @property
    def gap(self) -> float:
        """Network minus own."""
        return self.network - self.own

    @property
    def flagged(self) -> bool:
        """The gap is larger than both 80% intervals' widths."""
        own_w = self.own_interval[1] - self.own_interval[0]
        net_w = self.network_interval[1] - self.network_interval[0]
        return abs(self.gap) > own_w and abs(self.gap) > net_w

    def to_dict(self) -> GapDoc:
        """Plain data for JSON."""
        return {
            "node": self.node,
            "own": self.own,
            "own_interval80": list(self.own_interval),
            "network": self.network,
            "network_interval80": list(self.network_interval),
            "gap": self.gap,
            "flagged": self.flagged,
            "own_method": self.method,
        }


@dataclass(frozen=True)
class Coherence:
    """Every linked question's gap, and the network reconciled with their forecasts."""

    gaps: tuple[Gap, ...]
    reconciled: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def flagged(self) -> tuple[Gap, ...]:
        """The gaps larger than both intervals."""
        return tuple(g for g in self.gaps if g.flagged)

    def to_dict(self) -> CoherenceDoc:
        """Plain data for JSON (the ``coherence`` object)."""
        return {
            "gaps": [g.to_dict() for g in self.gaps],
            "reconciliation": {
                "method": "own forecasts as virtual evidence (Jeffrey's rule)",
                "probabilities": dict(self.reconciled),
            },
            "skipped": dict(self.skipped),
        }


def reconcile(prep: Prepared, query: Query, targets: Mapping[str, float]) -> dict[str, float]:
    """P(node = first state) of every node once each target node's marginal is set to
    its own forecast by virtual evidence (iterative proportional fitting)."""
    graph = prep.graph
    t = point_tables(prep.spec, graph, prep.cells, prep.means)
    if query.do:
        t = intervene(t, graph, query.do)
    p = joint(t, graph)[0] * graph.mask(evidence_of(prep, query))
    p = p / p.sum()
    ind = graph.indicators
    for _ in range(ROUNDS):
        worst = 0.0
        for node, want in targets.items():
            yes = ind[:, graph.column(node, graph.states[node][0])] > 0
            have = float(p[yes].sum())
            if have <= 0.0 or have >= 1.0:
                continue
            worst = max(worst, abs(have - want))
            p = np.where(yes, p * want / have, p * (1 - want) / (1 - have))
        if worst < 1e-12:
            break
    probs = p @ ind
    return {n: float(probs[graph.column(n, graph.states[n][0])]) for n in graph.names}


def coherence(
    prep: Prepared, analysis: Analysis, own: Mapping[str, OwnForecast | None]
) -> Coherence:
    """Gaps of the question nodes with parents (those observed are known, not forecast).

    ``own`` maps a question node to its own forecast, None when it could not be had
    without the sampler.
    """
    gaps: list[Gap] = []
    skipped: dict[str, str] = {}
    for node in prep.spec.nodes:
        if node.question is None or not node.parents:
            continue
        name = node.name
        if name in analysis.evidence or name in analysis.query.do:
            skipped[name] = "known (observed, given or set)"
            continue
        mine = own.get(name)
        if mine is None:
            skipped[name] = "its own forecast needs the sampler (run the network)"
            continue
        est = next(e for e in analysis.marginals[name] if e.state == "yes")
        gaps.append(
            Gap(
                name,
                mine.mean,
                mine.interval(0.8),
                est.probability,
                est.intervals[0.8],
                mine.method,
            )
        )
    reconciled = reconcile(prep, analysis.query, {g.node: g.own for g in gaps}) if gaps else {}
    return Coherence(tuple(gaps), reconciled, skipped)


__all__ = ["Coherence", "Gap", "coherence", "reconcile"]
