"""The network's PyMC model: the definition of what :mod:`.infer` computes.

* each cell is a random variable with its pooled prior: a Beta (a Dirichlet for a
  categorical node), or the weighted mixture of the experts' Betas (Dirichlets) for the
  linear pool; ``extremize`` d maps it through p* = sigmoid(d · logit p);
* the discrete nodes are marginalised exactly: the probability of each joint state is
  the product of one entry of each node's table (the same enumeration, in PyTensor);
* the evidence (resolved questions, observed nodes, ``--given``) enters as the log of
  its probability given the cells (a ``Potential``); ``--do`` cuts the node's table;
* each node state's probability given the evidence is a ``Deterministic``.

Sampling this model with NUTS gives the posterior of the cells that the importance
weights of :mod:`.infer` approximate; :func:`analyse_sampled` uses it when the weights
cannot be trusted (a Pareto k above ArviZ's bound).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.network.cells import Cell, table_parents
from forecast.kinds.network.infer import Analysis, Prepared, Query, evidence_of

if TYPE_CHECKING:
    import pymc as pm
    from pytensor.compile.function.types import Function
    from pytensor.tensor import TensorVariable
    from xarray import DataTree

    from forecast.inference import Diagnostics, SamplerSettings


def _cell_variable(cell: Cell) -> TensorVariable:
    import pymc as pm
    import pytensor.tensor as pt

    comps, weights = cell.pooled()
    k = len(cell.states)
    name = cell.name if cell.extremize == 1.0 else f"{cell.name}~pooled"
    if k == 2:
        if len(comps) == 1:
            yes = pm.Beta(name, alpha=comps[0][0], beta=comps[0][1])
        else:
            dists = [pm.Beta.dist(alpha=a[0], beta=a[1]) for a in comps]
            yes = pm.Mixture(name, w=np.asarray(weights), comp_dists=dists)
        if cell.extremize != 1.0:
            yes = pm.Deterministic(
                cell.name, pt.sigmoid(cell.extremize * (pt.log(yes) - pt.log1p(-yes)))
            )
        return pt.stack([yes, 1.0 - yes])
    if len(comps) == 1:
        vec = pm.Dirichlet(name, a=np.asarray(comps[0]))
    else:
        dists = [pm.Dirichlet.dist(a=np.asarray(a)) for a in comps]
        vec = pm.Mixture(name, w=np.asarray(weights), comp_dists=dists)
    if cell.extremize != 1.0:
        powered = pt.exp(cell.extremize * pt.log(vec))
        vec = pm.Deterministic(cell.name, powered / powered.sum())
    return vec


def build(prep: Prepared, query: Query | None = None) -> pm.Model:
    """The PyMC model of the network under ``query`` (evidence and interventions)."""
    import pymc as pm
    import pytensor.tensor as pt

    query = query or Query()
    graph = prep.graph
    fixed = evidence_of(prep, query)
    with pm.Model() as model:
        values = {c.name: _cell_variable(c) for c in prep.cells}
        by_node: dict[str, dict[tuple[str, ...], TensorVariable]] = {}
        for c in prep.cells:
            by_node.setdefault(c.node, {})[c.key] = values[c.name]
        flat: dict[str, TensorVariable] = {}
        for node in prep.spec.nodes:
            mine = by_node[node.name]
            k = len(node.state_names)
            if node.name in query.do:
                onehot = np.zeros(k)
                onehot[node.state_names.index(query.do[node.name])] = 1.0
                entries = [pt.as_tensor(onehot)] * int(
                    np.prod([len(graph.states[p]) for p in node.parents])
                )
            else:
                entries = []
                for combo in np.ndindex(*[len(graph.states[p]) for p in node.parents]):
                    named = dict(zip(node.parents, combo, strict=True))
                    states = {p: graph.states[p][named[p]] for p in node.parents}
                    if not node.parents:
                        entries.append(mine[()])
                    elif node.noisy_or is not None:
                        no = mine[("leak",)][1]
                        for p in node.parents:
                            if states[p] == "yes":
                                no = no * mine[("cause", p)][1]
                        entries.append(pt.stack([1.0 - no, no]))
                    else:
                        key = tuple(states[p] for p in table_parents(node))
                        entries.append(mine[key])
            flat[node.name] = pt.concatenate(entries)
        prob: TensorVariable | None = None
        for n in graph.names:
            part = flat[n][graph.gathers[n]]
            prob = part if prob is None else prob * part
        kept = prob * graph.mask(fixed)
        z = kept.sum()
        pm.Potential("evidence", pt.log(z))
        probs = pt.dot(kept, graph.indicators) / z
        for j, (n, s) in enumerate(graph.columns):
            pm.Deterministic(f"P({n}={s})", probs[j])
    return model


def log_evidence(prep: Prepared, query: Query | None = None) -> Function:
    """A compiled function: the cells' values (by name) -> log P(evidence | cells)."""
    model = build(prep, query)
    return model.compile_fn(model.potentials[0], inputs=None, on_unused_input="ignore")


def sample_cells(
    prep: Prepared, query: Query, settings: SamplerSettings
) -> tuple[dict[str, np.ndarray], Diagnostics]:
    """Posterior draws of every cell from NUTS on the model, as (draws, states) arrays,
    and the sampler's diagnostics over the cells (R-hat, ESS, divergences)."""
    import time

    from forecast.inference import diagnose, sample

    start = time.perf_counter()
    idata = sample(build(prep, query), settings)
    names = [c.name for c in prep.cells]
    return _cells(prep, idata), diagnose(idata, names, time.perf_counter() - start)


def sampled_draws(prep: Prepared, query: Query, settings: SamplerSettings) -> dict[str, np.ndarray]:
    """Posterior draws of every cell from NUTS on the model, as (draws, states) arrays."""
    return sample_cells(prep, query, settings)[0]


def _cells(prep: Prepared, idata: DataTree) -> dict[str, np.ndarray]:
    post = idata["posterior"]
    out: dict[str, np.ndarray] = {}
    for c in prep.cells:
        arr = np.asarray(post[c.name].values, dtype=float)
        arr = arr.reshape(arr.shape[0] * arr.shape[1], *arr.shape[2:])
        out[c.name] = np.stack([arr, 1.0 - arr], axis=1) if arr.ndim == 1 else arr
    return out


def analyse_sampled(prep: Prepared, query: Query, settings: SamplerSettings) -> Analysis:
    """:func:`~.infer.analyse` on NUTS draws of the cells' posterior (equal weights)."""
    from dataclasses import replace

    from forecast.kinds.network.infer import analyse

    return analyse(replace(prep, draws=sampled_draws(prep, query, settings)), query, posterior=True)


__all__ = ["analyse_sampled", "build", "log_evidence", "sample_cells", "sampled_draws"]
