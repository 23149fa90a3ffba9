"""Many questions of one network at once: every single-node conditional, and sweeps.

* :func:`conditionals_over_draws`: for every node state s of every node G, each node's
  probability given G = s, with its 80% interval over the cells' posterior, from one
  pass over the joint: the pairwise table P(G = s, X = x, evidence | cells) for all
  pairs is one matrix product per block of draws;
* :func:`sweep_states`: scenarios that condition on (``given``) or set (``do``) node
  states, each node's forecast under each, exactly, vectorised over scenarios: setting a
  node divides its table's entry out of every joint state (truncated factorisation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecast.kinds.network.infer import CHUNK, Prepared, Query, weighted_quantiles
from forecast.kinds.network.joint import joint, point_tables, tables


def conditionals_over_draws(
    prep: Prepared, mass: float = 0.8
) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """P(X = first state | G = s, evidence) for every G, s and X, with ``mass`` intervals.

    Returns ``{(G, s): {"probability": (columns,), "interval": (columns, 2)}}`` over the
    indicator columns of the graph (the columns of G itself are 1 or 0).
    """
    g = prep.graph
    ind = g.indicators
    mask = g.mask(prep.observed)
    firsts = [g.column(n, g.states[n][0]) for n in g.names]
    k, f = ind.shape[1], len(firsts)
    # Columns of (given column a, asked first-state column b): ind[:, a] * ind[:, b].
    # Single precision for the intervals' pairwise tables (the exact values are double):
    # the product is most of the work, and twice as fast.
    pair_cols = (ind[:, :, None] * ind[:, None, firsts]).reshape(ind.shape[0], k * f)
    pair_cols = pair_cols.astype(np.float32)
    pairs = np.empty((prep.size, k, f))
    weight = np.empty((prep.size, k))
    for lo in range(0, prep.size, CHUNK):
        hi = min(lo + CHUNK, prep.size)
        part = {c: v[lo:hi] for c, v in prep.draws.items()}
        p = joint(tables(prep.spec, g, prep.cells, part), g) * mask
        pairs[lo:hi] = (p.astype(np.float32) @ pair_cols).reshape(hi - lo, k, f)
        weight[lo:hi] = p @ ind
    point = joint(point_tables(prep.spec, g, prep.cells, prep.means), g)[0] * mask
    exact_pairs = (ind * point[:, None]).T @ ind[:, firsts]
    exact_given = point @ ind
    qs = [(1 - mass) / 2, (1 + mass) / 2]
    out: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for a, col in enumerate(g.columns):
        if exact_given[a] <= 0.0:
            continue
        w = weight[:, a]
        if w.sum() <= 0.0:
            continue
        w = w / w.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            per = pairs[:, a, :] / weight[:, a, None]
        per = np.nan_to_num(per)
        bands = weighted_quantiles(per.T, np.broadcast_to(w, per.T.shape), qs)
        out[col] = {"probability": exact_pairs[a] / exact_given[a], "interval": bands}
    return out


def sweep_states(prep: Prepared, scenarios: Sequence[Query]) -> np.ndarray:
    """Each indicator column's probability under each scenario (scenarios, columns).

    A scenario impossible under the evidence gives NaN.
    """
    g = prep.graph
    t = point_tables(prep.spec, g, prep.cells, prep.means)
    point = joint(t, g)[0]
    # The table entry of each node in each joint state, to divide out when it is set.
    entry = {n: np.take(t[n].reshape(-1), g.gathers[n]) for n in g.names}
    weights = np.empty((len(scenarios), point.size))
    for i, s in enumerate(scenarios):
        fixed = {k: v for k, v in prep.observed.items() if k not in s.do}
        fixed.update(s.given)
        w = g.mask({**fixed, **s.do}).astype(float)
        for node in s.do:
            with np.errstate(invalid="ignore", divide="ignore"):
                w = np.where(w > 0, w / entry[node], 0.0)
        weights[i] = w
    p = weights * point
    z = p.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((p @ g.indicators) / z)


__all__ = ["conditionals_over_draws", "sweep_states"]
