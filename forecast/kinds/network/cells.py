"""Table cells: each a Beta (a Dirichlet for a categorical node), experts pooled.

Every judgement is fitted as an event question's expert is (:func:`fit_probability`:
strength, pseudo-counts, PreliZ's maxent for an interval, least squares for quantiles
and roulette). A cell's experts are pooled as an event question's are: ``linear`` (the
weighted mixture, the default) or ``logarithmic`` (the normalised weighted product, again
a Beta: Σ w_i (a_i - 1) + 1), then ``extremize`` d: p* = sigmoid(d · logit p) (for a
categorical cell p*_k ∝ p_k^d). A root question node takes its prior from the
question's own forecast, as the Beta with its mean and spread (:mod:`.questions`).

Cells are independent a priori and each term of the joint probability holds at most
one entry of each cell, so the joint is multilinear in the cells: the forecast
(E over the cells of P(x | evidence, cells), posterior-weighted) is exactly the
enumeration on the cells' prior means. Draws are needed only for the intervals.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forecast.elicit.distributions import Fitted
from forecast.elicit.fit import FitCache, default_cache, fit_at, fit_probability
from forecast.elicit.pool import normalise
from forecast.kinds.network.spec import CellExpert, NetworkQuestion, Node
from forecast.questions.experts import given_weights

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Cell:
    """One uncertain table entry: a distribution over a node's states for one row.

    ``key`` says which row: ``()`` for a root, the parents' states for a table row
    (in the order of the node's parents not in ``independent_of``), ``("leak",)`` or
    ``("cause", PARENT)`` for a noisy OR. ``alphas`` holds one concentration per expert
    (two entries, yes and no, for a Beta), ``weights`` their normalised weights.
    """

    node: str
    key: tuple[str, ...]
    label: str
    states: tuple[str, ...]
    experts: tuple[str, ...]
    alphas: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    method: str = "linear"
    extremize: float = 1.0
    where: Loc = ()

    @property
    def name(self) -> str:
        """``node[label]`` (the node's id alone for a root)."""
        return f"{self.node}[{self.label}]" if self.label else self.node

    def pooled(self) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...]]:
        """Components and weights of the pool before extremizing."""
        if self.method == "logarithmic" and len(self.alphas) > 1:
            k = len(self.states)
            conc = tuple(
                1.0 + sum(w * (a[j] - 1.0) for w, a in zip(self.weights, self.alphas, strict=True))
                for j in range(k)
            )
            return (conc,), (1.0,)
        return self.alphas, self.weights

    def mean(self) -> np.ndarray:
        """E[p] over the states (exactly; by quadrature when extremized)."""
        comps, weights = self.pooled()
        if self.extremize == 1.0:
            return sum(
                (w * np.asarray(a) / sum(a) for w, a in zip(weights, comps, strict=True)),
                start=np.zeros(len(self.states)),
            )
        if len(self.states) == 2:
            d = self.extremize
            from scipy import integrate, special  # an extremized cell's mean only

            def expect(a: float, b: float) -> float:
                def f(p: float) -> float:
                    return float(special.expit(d * special.logit(p)) * _beta_pdf(p, a, b))

                return float(integrate.quad(f, 0.0, 1.0, limit=200, points=[a / (a + b)])[0])

            yes = sum(w * expect(a[0], a[1]) for w, a in zip(weights, comps, strict=True))
            return np.array([yes, 1.0 - yes])
        rng = np.random.default_rng(0)
        return np.asarray(self.draw(200_000, rng).mean(axis=0))

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws of the cell, shape (n, states)."""
        comps, weights = self.pooled()
        which = rng.choice(len(comps), size=n, p=np.asarray(weights))
        out = np.empty((n, len(self.states)))
        for c, conc in enumerate(comps):
            pick = which == c
            if pick.any():
                out[pick] = rng.dirichlet(conc, size=int(pick.sum()))
        if self.extremize != 1.0:
            out = _extremized(out, self.extremize)
        return out


def _beta_pdf(p: float, a: float, b: float) -> float:
    from scipy import special

    if p <= 0.0 or p >= 1.0:
        return 0.0
    return math.exp((a - 1) * math.log(p) + (b - 1) * math.log1p(-p) - special.betaln(a, b))


def _extremized(p: np.ndarray, d: float) -> np.ndarray:
    """p*_k ∝ p_k^d (for two states: sigmoid(d · logit p))."""
    logp = d * np.log(np.clip(p, 1e-300, None))
    logp -= logp.max(axis=1, keepdims=True)
    q = np.exp(logp)
    return q / q.sum(axis=1, keepdims=True)


def _fit(
    experts: Sequence[CellExpert], node: Node, where: Loc, cache: FitCache
) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...]]:
    alphas: list[tuple[float, ...]] = []
    for i, e in enumerate(experts):
        if e.judgement is not None:
            f: Fitted = fit_at((*where, i, "judgement"), fit_probability, e.judgement, cache)
            alphas.append((f.params["alpha"], f.params["beta"]))
        else:
            assert e.distribution is not None
            alphas.append(e.distribution.concentration(node.state_names))
    weights = tuple(float(w) for w in normalise(given_weights([e.weight for e in experts])))
    return tuple(alphas), weights


def _label(key: tuple[str, ...], used: Sequence[str]) -> str:
    if not key:
        return ""
    if key[0] == "leak" and not used:
        return "leak"
    if key[0] == "cause" and not used:
        return f"cause={key[1]}"
    return ",".join(f"{p}={s}" for p, s in zip(used, key, strict=True))


def table_parents(node: Node) -> list[str]:
    """The parents a node's table rows name (all but those in ``independent_of``)."""
    return [p for p in node.parents if p not in node.independent_of]


def build_cells(
    spec: NetworkQuestion,
    question_priors: dict[str, tuple[float, float]] | None = None,
    cache: FitCache | None = None,
) -> list[Cell]:
    """Every cell of the network, in the order of the file.

    ``question_priors`` gives a root question node's Beta (alpha, beta) from its own
    forecast (see :mod:`forecast.kinds.network.questions`).
    """
    cache = cache or default_cache()
    pool = (spec.pool.method, spec.pool.extremize)
    out: list[Cell] = []
    for i, node in enumerate(spec.nodes):
        at: Loc = ("nodes", i)
        states = node.state_names

        def add(
            key: tuple[str, ...],
            label: str,
            experts: Sequence[CellExpert],
            where: Loc,
            node: Node = node,
        ) -> None:
            alphas, weights = _fit(experts, node, where, cache)
            names = tuple(e.name for e in experts)
            out.append(
                Cell(node.name, key, label, node.state_names, names, alphas, weights, *pool, where)
            )

        if not node.parents:
            if node.experts is not None:
                add((), "", node.experts, (*at, "experts"))
            else:
                a, b = (question_priors or {}).get(node.name, (1.0, 1.0))
                out.append(Cell(node.name, (), "", states, ("own forecast",), ((a, b),), (1.0,)))
        elif node.noisy_or is not None:
            add(("leak",), "leak", node.noisy_or.leak, (*at, "noisy_or", "leak"))
            for p in node.parents:
                add(
                    ("cause", p),
                    f"cause={p}",
                    node.noisy_or.causes[p],
                    (*at, "noisy_or", "causes", p),
                )
        else:
            assert node.table is not None
            used = table_parents(node)
            for r, row in enumerate(node.table):
                key = tuple(row.when[p] for p in used)
                add(key, _label(key, used) or "any", row.experts, (*at, "table", r, "experts"))
    cache.flush()
    return out


def combinations(node: Node, states: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Every combination of a node's parents' states, in the order of ``node.parents``."""
    return list(itertools.product(*(states[p] for p in node.parents)))


__all__ = ["Cell", "build_cells", "combinations", "table_parents"]
