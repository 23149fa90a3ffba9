"""A network forecast as the tool's :class:`~forecast.results.Forecast` (for every report).

The headline is the target node's probability of its first state (``yes``) under the
query, with its 80% and 95% intervals; the prior is the target's with no evidence and no
conditions. Everything else is the ``network`` object (:meth:`NetworkForecast.to_dict`),
which the JSON carries whole and the reports render (:mod:`.sections`). Diagnostics are
those of the method that made the intervals (:func:`network_diagnostics`), and the
provenance names it: ``exact`` (no evidence: the cells' prior draws), ``importance``
(the weights' Pareto k and effective size) or ``nuts`` (R-hat, ESS, divergences).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from forecast import results
from forecast.inference import Diagnostics, SamplerSettings
from forecast.kinds.network.infer import MASSES
from forecast.kinds.network.run import NetworkForecast
from forecast.psis import good_k
from forecast.staleness import facts_date

if TYPE_CHECKING:
    from forecast.effects import Chosen
    from forecast.headline import Pools
    from forecast.kinds.network.document import NetworkDoc
    from forecast.ledger.pick import NetworkNodeDoc
    from forecast.questions.loader import LoadedQuestion
    from forecast.sensitivity import Sensitivity


@dataclass(frozen=True)
class NetworkResult:
    """What a network forecast adds: the ``network`` object, its sensitivity and pools."""

    network: NetworkForecast
    sensitivity: Sensitivity | None = None
    pools: Pools | None = None
    scenario: Chosen | None = None

    @functools.cached_property
    def document(self) -> NetworkDoc:
        """The ``network`` object of the JSON, made once."""
        return self.network.to_dict()

    def to_dict(self) -> dict[str, object]:
        """``network``, then ``sensitivity`` and ``pools`` when computed."""
        out: dict[str, object] = {"network": self.document}
        if self.sensitivity is not None:
            out["sensitivity"] = self.sensitivity.to_dict()
        if self.pools is not None:
            out["pools"] = self.pools.to_dict()
        return out


@dataclass(frozen=True)
class NodeResult:
    """What a network's forecast of one of its question nodes adds: where it came from."""

    network: str
    node: str
    sensitivity: Sensitivity | None = None
    pools: Pools | None = None
    scenario: Chosen | None = None

    def to_dict(self) -> dict[str, NetworkNodeDoc]:
        """``network_node``."""
        return {"network_node": {"network": self.network, "node": self.node}}


def network_of(f: results.Forecast) -> NetworkForecast:
    """The computed network of a network forecast (what its reports show)."""
    result = f.result
    assert isinstance(result, NetworkResult), type(result)
    return result.network


def _moved_by(nf: NetworkForecast) -> str:
    """What moved the target from the tables alone: evidence, conditions, interventions."""
    parts = []
    if nf.prep.observed:
        parts.append(
            "resolved/observed " + ", ".join(f"{k}={v}" for k, v in nf.prep.observed.items())
        )
    q = nf.analysis.query
    if q.given:
        parts.append("given " + ", ".join(f"{k}={v}" for k, v in q.given.items()))
    if q.do:
        parts.append("do(" + ", ".join(f"{k}={v}" for k, v in q.do.items()) + ")")
    return "; ".join(parts) or "no evidence, no conditions"


SAMPLERS = {"exact": "network-enumeration", "importance": "psis-importance", "nuts": "pymc-nuts"}
"""``provenance.sampler`` of a network forecast made by each method."""


def network_diagnostics(nf: NetworkForecast) -> Diagnostics:
    """The diagnostics of the method that made the intervals: none needed (``exact``),
    the weights' Pareto k and effective size (``importance``), or NUTS's R-hat, ESS and
    divergences (``nuts``). The headline is an enumeration of every joint state."""
    a = nf.analysis
    states = int(nf.prep.graph.codes.shape[0])
    if nf.nuts is not None:
        return replace(nf.nuts, method="nuts", enumerated=states)
    warnings: tuple[str, ...] = ()
    if not a.trusted:
        warnings = (
            f"importance weights' Pareto k {a.pareto_k:.2f} is above {good_k(a.draws):.2f}",
        )
    nan = float("nan")
    importance = nf.method == "importance"
    return Diagnostics(
        nan,
        nan,
        nan,
        0,
        a.draws,
        1,
        nf.seconds,
        warnings,
        method=nf.method,
        pareto_k=a.pareto_k if importance else None,
        importance_ess=float(a.ess) if importance else None,
        enumerated=states,
    )


def judged(nf: NetworkForecast) -> NetworkResult:
    """The network with its sensitivity and pool comparison (the shared sensitivity table
    renders both)."""
    from forecast.headline import measured_from
    from forecast.kinds.network.sensitivity import pools, power_scaling

    prep = nf.sampled or nf.prep
    sens = power_scaling(prep, nf.analysis, nf.target, seed=nf.seed, sampled=nf.sampled is not None)
    compared = pools(nf.prep, nf.analysis.query, nf.target)
    headline = nf.analysis.probability(nf.target, state_of(nf))
    return NetworkResult(
        nf, sens, measured_from(compared, headline) if compared is not None else None
    )


def state_of(nf: NetworkForecast) -> str:
    """The target's first state, whose probability is the headline."""
    return nf.prep.graph.states[nf.target][0]


def to_forecast(
    nf: NetworkForecast, q: LoadedQuestion, settings: SamplerSettings
) -> results.Forecast:
    """The Forecast of question file ``q`` (the network) from its computed network."""
    spec = nf.net.spec
    target = nf.target
    state = nf.prep.graph.states[target][0]
    est = next(e for e in nf.analysis.marginals[target] if e.state == state)
    prior = nf.prior
    prior_est = (
        next(e for e in prior.marginals[target] if e.state == state) if prior is not None else est
    )
    diagnostics = network_diagnostics(nf)
    if nf.method == "nuts":
        sampler = replace(settings, seed=nf.seed, method="nuts")
    else:
        a = nf.analysis
        sampler = replace(settings, seed=nf.seed, draws=a.draws, tune=0, chains=1)
        sampler = replace(sampler, method=nf.method)
    provenance = results.provenance(str(q.path), q.sha256, sampler)
    provenance = replace(provenance, sampler=SAMPLERS[nf.method], method=nf.method)
    column = nf.prep.graph.column(target, state)
    return results.Forecast(
        question_id=q.id,
        title=spec.title,
        kind="network",
        deadline=spec.deadline,
        status=spec.status,
        resolution=spec.resolution,
        probability=est.probability,
        mcse=est.mcse,
        intervals=tuple(results.Interval(m, *est.intervals[m]) for m in MASSES),
        prior_probability=prior_est.probability,
        prior_interval=results.Interval(0.95, *prior_est.intervals[0.95]),
        steps=(
            results.Step(
                f"{target}: the tables alone",
                "experts",
                prior_est.probability,
                prior_est.probability,
            ),
            results.Step(_moved_by(nf), "evidence", prior_est.probability, est.probability),
        ),
        experts=(),
        evidence=(),
        base_rate=None,
        diagnostics=diagnostics,
        provenance=provenance,
        result=judged(nf),
        facts_as_of=facts_date(spec),
        draws={"q": np.asarray(nf.analysis.per_draw[:, column])},
    )


def node_forecasts(f: results.Forecast) -> list[results.Forecast]:
    """The network's forecast of each open question node, as a Forecast of that question.

    Each is recorded in the ledger under the question's id with kind ``network``: told
    apart from the question's own forecasts by that kind, shown as network-implied in
    ``history`` and scored only by ``score --kind network``. None under a query:
    the ledger keeps the forecasts that are scored.
    """
    nf = network_of(f)
    if nf.asked != "none":
        return []
    out = []
    for n in nf.nodes:
        if not n.question or n.observed is not None:
            continue
        yes = n.marginal[0]
        out.append(
            replace(
                f,
                question_id=n.id,
                title=n.title,
                deadline=n.deadline or f.deadline,
                probability=yes.probability,
                mcse=yes.mcse,
                intervals=tuple(results.Interval(m, *yes.intervals[m]) for m in MASSES),
                steps=(),
                result=NodeResult(f.question_id, n.id),
                weighting=None,
                draws={},
            )
        )
    return out


__all__ = ["NetworkResult", "NodeResult", "network_of", "node_forecasts", "to_forecast"]
