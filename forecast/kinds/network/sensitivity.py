"""How much a network forecast rests on its tables' priors and on its evidence.

**Power-scaling** (as for the other kinds, :func:`forecast.sensitivity.assess`): the
prior is every cell's pooled prior (a Beta, a Dirichlet, or the experts' mixture of
them), the likelihood is P(evidence | cells), the probability of the observed nodes,
the resolved questions and ``--given`` under the cells. Both are evaluated at the cells'
posterior draws: the prior draws resampled by their importance weights (systematic
resampling), or NUTS's draws when NUTS made them. An extremized cell's prior is taken
on the pooled value before extremizing, as the PyMC model writes it. Without evidence
there is no likelihood to scale: the tornado of cells says which priors matter.

**Pool swaps and drop-one**: where a cell has several experts, the forecast with every
such cell pooled the other way (linear or logarithmic) and with each expert left out
of every cell they share with others. These are exact: a change of prior changes only
the cells' prior means, and the forecast is the enumeration at those means (the joint
is multilinear in independent cells, :mod:`forecast.kinds.network.cells`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.network.cells import Cell
from forecast.kinds.network.infer import Analysis, Prepared, Query, evidence_of, exact, per_draw
from forecast.sensitivity import Sensitivity, assess

if TYPE_CHECKING:
    from forecast.elicit.pool import Comparison

NETWORK_LABELS = {"q": "forecast"}
NO_EVIDENCE = (
    "no data: no node is observed, resolved or given; the forecast is the tables' "
    "priors (the tornado of cells shows which of them move it)"
)
POOLS = ("linear", "logarithmic")
"""The pools a network's cells admit."""


def _pre_extremized(x: np.ndarray, d: float) -> np.ndarray:
    """The pooled value before p* ∝ p^d: p ∝ p*^(1/d) (two states: sigmoid(logit p* / d))."""
    if d == 1.0:
        return x
    logp = np.log(np.clip(x, 1e-300, None)) / d
    logp -= logp.max(axis=-1, keepdims=True)
    out = np.exp(logp)
    return np.asarray(out / out.sum(axis=-1, keepdims=True))


def cell_log_prior(cell: Cell, x: np.ndarray) -> np.ndarray:
    """Log density of the cell's pooled prior at draws ``x`` (draws, states)."""
    from scipy import special  # with evidence only, when PSIS has loaded SciPy already

    comps, weights = cell.pooled()
    v = np.clip(_pre_extremized(np.asarray(x, dtype=float), cell.extremize), 1e-300, 1.0)
    logv = np.log(v)
    parts = []
    for w, a in zip(weights, comps, strict=True):
        alpha = np.asarray(a, dtype=float)
        norm = special.gammaln(alpha.sum()) - special.gammaln(alpha).sum()
        # A Beta is the Dirichlet over (yes, no): the same density as PyMC's Beta on yes.
        parts.append(np.log(w) + norm + logv @ (alpha - 1.0))
    return np.asarray(special.logsumexp(np.stack(parts), axis=0), dtype=float)


def log_prior(prep: Prepared, draws: Mapping[str, np.ndarray]) -> np.ndarray:
    """The cells' joint log prior at each draw (the cells are independent a priori)."""
    out = np.zeros(next(iter(draws.values())).shape[0])
    for c in prep.cells:
        out += cell_log_prior(c, draws[c.name])
    return out


def log_likelihood(prep: Prepared, query: Query) -> np.ndarray | None:
    """log P(evidence | cells) at each of ``prep``'s draws; None without evidence."""
    if not evidence_of(prep, query):
        return None
    z, _ = per_draw(prep, query)
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(z), dtype=float)


def _resample(weights: np.ndarray, seed: int) -> np.ndarray:
    """Indices of a systematic resample of the draws by normalised ``weights``."""
    n = weights.size
    edges = np.cumsum(weights / weights.sum())
    edges[-1] = 1.0
    u = np.random.default_rng(seed).random()
    return np.asarray(np.searchsorted(edges, (u + np.arange(n)) / n))


def _resampled(analysis: Analysis, seed: int) -> np.ndarray | None:
    """Indices of the cells' posterior draws among the analysis' draws, resampled by its
    weights; None when every draw already counts the same."""
    w = np.asarray(analysis.weights, dtype=float)
    if np.allclose(w, w[0]):
        return None
    return _resample(w, seed)


def posterior_draws(prep: Prepared, analysis: Analysis, seed: int) -> Prepared:
    """``prep`` with the cells' posterior draws: resampled by the analysis' weights
    (unless every draw already counts the same)."""
    idx = _resampled(analysis, seed)
    if idx is None:
        return prep
    return replace(prep, draws={k: v[idx] for k, v in prep.draws.items()})


def power_scaling(
    prep: Prepared, analysis: Analysis, target: str, *, seed: int = 0, sampled: bool = False
) -> Sensitivity:
    """Power-scaling sensitivity of P(``target`` = its first state), the forecast.

    ``prep`` holds the draws ``analysis`` was computed on: prior draws with importance
    weights, or (``sampled``) NUTS's posterior draws. The enumeration at each draw,
    P(evidence | cells) and P(target | evidence, cells), is the analysis' own, taken at
    the posterior draws' indices: the joint is not enumerated again.
    """
    query = analysis.query
    if not evidence_of(prep, query):
        return assess({}, np.zeros((1, 1)), np.zeros((1, 1)), None, no_data=NO_EVIDENCE)
    assert analysis.likelihood.shape[0] == prep.size, "the analysis is of other draws"
    idx = None if sampled else _resampled(analysis, seed)
    z, cond, draws = analysis.likelihood, analysis.per_draw, prep.draws
    if idx is not None:
        z, cond = z[idx], cond[idx]
        draws = {k: v[idx] for k, v in draws.items()}
    with np.errstate(divide="ignore"):
        ll = np.log(z)
    lp = log_prior(prep, draws)
    g = prep.graph
    forecast = cond[:, g.column(target, g.states[target][0])][None, :]
    shown = ", ".join(f"{k}={v}" for k, v in evidence_of(prep, query).items())
    return assess(
        {"q": forecast},
        forecast,
        lp[None, :],
        ll[None, :],
        prior_label="the tables' priors",
        data_label=f"evidence ({shown})",
        labels=NETWORK_LABELS,
        no_data=NO_EVIDENCE,
    )


def _target(prep: Prepared, query: Query, cells: Sequence[Cell], target: str) -> float:
    """P(target = first state | query) exactly, with the cells ``cells``."""
    means = {c.name: c.mean() for c in cells}
    probs, _ = exact(replace(prep, cells=tuple(cells), means=means), query)
    g = prep.graph
    return float(probs[g.column(target, g.states[target][0])])


def _shares(cell: Cell, expert: str) -> bool:
    """Whether ``expert`` judges ``cell`` with others who carry weight."""
    rest = sum(w for n, w in zip(cell.experts, cell.weights, strict=True) if n != expert)
    return expert in cell.experts and rest > 0


def _without(cell: Cell, expert: str) -> Cell:
    """The cell with ``expert`` left out, the others' weights renormalised."""
    keep = [i for i, n in enumerate(cell.experts) if n != expert]
    total = sum(cell.weights[i] for i in keep)
    return replace(
        cell,
        experts=tuple(cell.experts[i] for i in keep),
        alphas=tuple(cell.alphas[i] for i in keep),
        weights=tuple(cell.weights[i] / total for i in keep),
    )


def pools(prep: Prepared, query: Query, target: str) -> Comparison | None:
    """The forecast under each pool of the cells and with each expert left out, or None
    when no cell has several experts."""
    from forecast.elicit.pool import Alternative, Comparison, PoolSpec

    shared = [c for c in prep.cells if len(c.experts) > 1]
    if not shared:
        return None
    spec = prep.spec.pool
    reference = _target(prep, query, prep.cells, target)
    rows: list[Alternative] = []
    for method in POOLS:
        alt = PoolSpec(method, spec.extremize)
        if method == spec.method:
            rows.append(Alternative(alt.describe(), "pool", method, reference, 0.0, True))
            continue
        cells = [replace(c, method=method) for c in prep.cells]
        value = _target(prep, query, cells, target)
        rows.append(Alternative(alt.describe(), "pool", method, value, value - reference))
    names = list(dict.fromkeys(n for c in shared for n in c.experts))
    for name in names:
        cells = [_without(c, name) if _shares(c, name) else c for c in prep.cells]
        value = _target(prep, query, cells, target)
        rows.append(
            Alternative(
                f"without {name}", "drop", spec.method, value, value - reference, expert=name
            )
        )
    return Comparison(PoolSpec(spec.method, spec.extremize), reference, tuple(rows))


__all__ = [
    "NO_EVIDENCE",
    "cell_log_prior",
    "log_likelihood",
    "log_prior",
    "pools",
    "posterior_draws",
    "power_scaling",
]
