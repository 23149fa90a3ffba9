"""One network forecast: own forecasts, cells, marginals, conditionals, tornado, coherence.

:func:`run_network` is what ``forecast run NET`` computes; :class:`NetworkForecast` holds
it as plain data (``to_dict`` is the ``network`` object of the JSON, see docs/json.md).
The cells are drawn from their priors and weighted by the evidence (NumPy, no sampler);
when the weights cannot be trusted (Pareto k above ArviZ's bound) and sampling is
allowed, the cells' posterior is sampled by NUTS on the PyMC model instead, and the
report says which was used.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.network.cells import build_cells
from forecast.kinds.network.coherence import Coherence, coherence
from forecast.kinds.network.infer import (
    Analysis,
    Prepared,
    Query,
    analyse,
    analyse_with_prior,
    conditionals,
    prepare,
)
from forecast.kinds.network.load import LoadedNetwork
from forecast.kinds.network.questions import OwnForecast, own_forecast
from forecast.kinds.network.tornado import Bar, tornado
from forecast.kinds.network.views import ConditionalView, NodeView

if TYPE_CHECKING:
    from forecast.inference import Diagnostics, SamplerSettings
    from forecast.kinds.network.document import ConditionalDoc, NetworkDoc, NodeDoc

SCHEMA_KEY = "network"
DESCRIPTIONS = {
    "exact": "exact enumeration at the cells' means; the intervals over the cells' prior "
    "draws (no evidence to weight them by)",
    "importance": "exact enumeration at the cells' means; the intervals over the cells' "
    "prior draws, importance-weighted by the evidence (Pareto-smoothed)",
    "nuts": "exact enumeration at the cells' means; the intervals over NUTS draws of the "
    "cells' posterior on the network's PyMC model",
}
"""What each method (``exact``, ``importance``, ``nuts``) computed, for the report."""
DEFAULT_DRAWS = 4000


@dataclass(frozen=True)
class NetworkForecast:
    """Everything a network report shows."""

    net: LoadedNetwork
    prep: Prepared
    analysis: Analysis
    conditionals: dict[tuple[str, str], np.ndarray]
    tornado: tuple[Bar, ...]
    coherence: Coherence
    own: dict[str, OwnForecast | None]
    method: str
    seed: int
    seconds: float
    notes: tuple[str, ...] = field(default=())
    sampled: Prepared | None = None
    """The cells' posterior draws when NUTS made them (None: ``prep``'s weighted draws)."""
    nuts: Diagnostics | None = None
    """NUTS's diagnostics over the cells when it sampled them."""
    prior: Analysis | None = None
    """The marginals from the tables alone (no evidence, no query); None when the
    analysis is that already."""

    @property
    def description(self) -> str:
        """How the numbers were computed, in words."""
        return DESCRIPTIONS[self.method]

    @property
    def target(self) -> str:
        """The node the tornado is about."""
        return self.net.spec.target_node

    @functools.cached_property
    def nodes(self) -> tuple[NodeView, ...]:
        """Every node in the file's order, with what is known of it and its marginal."""
        a = self.analysis
        observed, sources = self.net.observed(), self.net.observed_from()
        return tuple(
            NodeView(
                id=n.name,
                title=self.net.title(n),
                question=n.question is not None,
                states=tuple(n.state_names),
                parents=tuple(n.parents),
                observed=observed.get(n.name),
                observed_from=sources.get(n.name),
                given=a.query.given.get(n.name),
                set_to=a.query.do.get(n.name),
                marginal=a.marginals[n.name],
                deadline=(
                    self.net.questions[n.name].spec.deadline
                    if n.name in self.net.questions
                    else None
                ),
            )
            for n in self.net.spec.nodes
        )

    @functools.cached_property
    def conditional_views(self) -> tuple[ConditionalView, ...]:
        """Every other node's probability given each node state (exact, at the means)."""
        columns = self.prep.graph.columns
        return tuple(
            ConditionalView(
                node,
                state,
                {(n, s): float(v[j]) for j, (n, s) in enumerate(columns) if n != node},
            )
            for (node, state), v in self.conditionals.items()
        )

    @property
    def asked(self) -> str:
        """``intervention`` (a ``--do``), ``conditioning`` (a ``--given``) or ``none``."""
        q = self.analysis.query
        return "intervention" if q.do else "conditioning" if q.given else "none"

    def to_dict(self) -> NetworkDoc:
        """The ``network`` object of ``forecast run --format json``."""
        a = self.analysis
        nodes: list[NodeDoc] = [n.to_dict() for n in self.nodes]
        conds: list[ConditionalDoc] = [c.to_dict() for c in self.conditional_views]
        return {
            "query": a.query.to_dict(),
            "asked": self.asked,
            "evidence": dict(a.evidence),
            "target": self.target,
            "nodes": nodes,
            "conditionals": conds,
            "tornado": [b.to_dict() for b in self.tornado],
            "coherence": self.coherence.to_dict(),
            "cells": [
                {
                    "cell": c.name,
                    "node": c.node,
                    "experts": list(c.experts),
                    "weights": list(c.weights),
                    "mean": [float(x) for x in self.prep.means[c.name]],
                }
                for c in self.prep.cells
            ],
            "inference": {
                "method": self.method,
                "description": self.description,
                "draws": a.draws,
                "pareto_k": a.pareto_k,
                "ess": a.ess,
                "trusted": a.trusted,
                "seed": self.seed,
                "seconds": self.seconds,
            },
            "notes": list(self.notes),
        }


def own_forecasts(
    net: LoadedNetwork, *, sample: bool, settings: SamplerSettings | None = None
) -> dict[str, OwnForecast | None]:
    """Each question node's own forecast (None where it needs the sampler)."""
    return {
        name: own_forecast(q, sample=sample, settings=settings) for name, q in net.questions.items()
    }


def run_network(
    net: LoadedNetwork,
    query: Query | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    sample: bool = True,
    settings: SamplerSettings | None = None,
) -> NetworkForecast:
    """Forecast every node of ``net`` under ``query``.

    ``sample``: questions of kinds that need the sampler are sampled for their own
    forecast, and NUTS replaces weights that cannot be trusted (off for ``check``).
    """
    start = time.perf_counter()
    query = query or Query()
    own = own_forecasts(net, sample=sample, settings=settings)
    notes: list[str] = []
    priors: dict[str, tuple[float, float]] = {}
    for node in net.spec.nodes:
        if node.question is not None and not node.parents:
            mine = own.get(node.name)
            if mine is None:
                notes.append(f"{node.name}: its own forecast needs the sampler; uniform prior")
                continue
            priors[node.name] = mine.beta()
    cells = build_cells(net.spec, priors)
    prep = prepare(net.spec, cells, net.observed(), draws=draws, seed=seed)
    analysis, prior = analyse_with_prior(prep, query)
    asked = getattr(settings, "method", "auto")
    method = "exact" if analysis.uniform else "importance"
    if asked == "exact" and method != "exact":
        from forecast.errors import UsageError

        raise UsageError(
            f"--method exact: the evidence ({', '.join(analysis.evidence)}) weights the "
            "cells' draws; the intervals need importance weights or NUTS",
            hint="use --method auto, importance or nuts",
        )
    sampled: Prepared | None = None
    nuts: Diagnostics | None = None
    if sample and (asked == "nuts" or (asked == "auto" and not analysis.trusted)):
        from dataclasses import replace

        from forecast.inference import SamplerSettings
        from forecast.kinds.network.model import sample_cells

        base = settings or SamplerSettings()
        how = SamplerSettings(draws=base.draws, tune=base.tune, chains=base.chains, seed=seed)
        cells_draws, nuts = sample_cells(prep, query, how)
        sampled = replace(prep, draws=cells_draws)
        why = "" if asked == "nuts" else f" (the weights' Pareto k was {analysis.pareto_k:.2f})"
        analysis = analyse(sampled, query, posterior=True)
        method = "nuts"
        notes.append(f"NUTS sampled the cells' posterior{why}")
    elif not analysis.trusted:
        notes.append(
            f"the evidence weights' Pareto k is {analysis.pareto_k:.2f}: the intervals are "
            "rough; --method nuts samples the cells instead"
        )
    target = net.spec.target_node
    return NetworkForecast(
        net,
        prep,
        analysis,
        conditionals(prep, query),
        tuple(tornado(prep, query, target)),
        coherence(prep, analysis, own),
        own,
        method,
        seed,
        time.perf_counter() - start,
        tuple(notes),
        sampled,
        nuts,
        prior,
    )


__all__ = ["DEFAULT_DRAWS", "NetworkForecast", "own_forecasts", "run_network"]
