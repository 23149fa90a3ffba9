"""Exact enumeration of the joint states, vectorised over draws of the cells.

Nothing discrete is sampled: for each draw of the cells the probability of every joint
state (at most :data:`~forecast.kinds.network.spec.MAX_JOINT`) is the product of one
entry of each node's table, gathered for all joint states and draws at once. Evidence
and conditioning keep the joint states they allow; an intervention ``do(node = s)``
replaces the node's table by certainty of ``s`` (the truncated factorisation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from forecast.kinds.network.cells import Cell, table_parents
from forecast.kinds.network.checks import topological
from forecast.kinds.network.spec import NetworkQuestion


@dataclass(frozen=True)
class Graph:
    """The nodes in topological order, their states and parents, and the joint states."""

    names: tuple[str, ...]
    states: dict[str, tuple[str, ...]]
    parents: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, spec: NetworkQuestion) -> Graph:
        """The graph of a network file."""
        order = topological({n.name: list(n.parents) for n in spec.nodes})
        return cls(
            tuple(order),
            {n.name: n.state_names for n in spec.nodes},
            {n.name: tuple(n.parents) for n in spec.nodes},
        )

    @cached_property
    def cards(self) -> tuple[int, ...]:
        """State counts, in ``names`` order."""
        return tuple(len(self.states[n]) for n in self.names)

    @cached_property
    def codes(self) -> np.ndarray:
        """The state index of each node (column) in each joint state (row)."""
        grids = np.indices(self.cards).reshape(len(self.cards), -1)
        return np.ascontiguousarray(grids.T)

    @cached_property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(node, state) of each column of :attr:`indicators`."""
        return tuple((n, s) for n in self.names for s in self.states[n])

    @cached_property
    def indicators(self) -> np.ndarray:
        """One-hot (joint state, node state): which states each joint state holds."""
        out = np.zeros((self.codes.shape[0], len(self.columns)))
        col = 0
        for i, n in enumerate(self.names):
            for k in range(len(self.states[n])):
                out[:, col] = self.codes[:, i] == k
                col += 1
        return out

    def column(self, node: str, state: str) -> int:
        """The column of ``node = state`` in :attr:`indicators`."""
        return self.columns.index((node, state))

    def index(self, node: str) -> int:
        """The position of ``node`` in ``names``."""
        return self.names.index(node)

    def mask(self, fixed: Mapping[str, str]) -> np.ndarray:
        """The joint states in which every node of ``fixed`` is in its state."""
        keep = np.ones(self.codes.shape[0], dtype=bool)
        for node, state in fixed.items():
            keep &= self.codes[:, self.index(node)] == self.states[node].index(state)
        return keep

    @cached_property
    def gathers(self) -> dict[str, np.ndarray]:
        """For each node, the flat index into its table (parents..., own) per joint state."""
        out: dict[str, np.ndarray] = {}
        for n in self.names:
            axes = [self.index(p) for p in self.parents[n]] + [self.index(n)]
            dims = [len(self.states[p]) for p in self.parents[n]] + [len(self.states[n])]
            out[n] = np.ravel_multi_index(tuple(self.codes[:, a] for a in axes), dims)
        return out


def tables(
    spec: NetworkQuestion, graph: Graph, cells: Sequence[Cell], values: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each node's table for every draw: shape (draws, parents' states..., own states).

    ``values[cell.name]`` holds the cell's draws, shape (draws, states).
    """
    by_node: dict[str, dict[tuple[str, ...], np.ndarray]] = {}
    for c in cells:
        by_node.setdefault(c.node, {})[c.key] = np.asarray(values[c.name], dtype=float)
    out: dict[str, np.ndarray] = {}
    for node in spec.nodes:
        mine = by_node[node.name]
        draws = next(iter(mine.values())).shape[0]
        k = len(node.state_names)
        pcards = [len(graph.states[p]) for p in node.parents]
        table = np.empty((draws, *pcards, k))
        if not node.parents:
            table[:] = mine[()]
        elif node.noisy_or is not None:
            leak_no = mine[("leak",)][:, 1]
            for combo in np.ndindex(*pcards):
                no = leak_no.copy()
                for p, s in zip(node.parents, combo, strict=True):
                    if graph.states[p][s] == "yes":
                        no = no * mine[("cause", p)][:, 1]
                table[(slice(None), *combo, 1)] = no
                table[(slice(None), *combo, 0)] = 1.0 - no
        else:
            used = table_parents(node)
            for combo in np.ndindex(*pcards):
                named = dict(zip(node.parents, combo, strict=True))
                key = tuple(graph.states[p][named[p]] for p in used)
                table[(slice(None), *combo)] = mine[key]
        out[node.name] = table
    return out


def intervene(
    tables_: Mapping[str, np.ndarray], graph: Graph, do: Mapping[str, str]
) -> dict[str, np.ndarray]:
    """The tables with each node of ``do`` certain to be in its state (its parents cut)."""
    out = dict(tables_)
    for node, state in do.items():
        t = np.zeros_like(out[node])
        t[..., graph.states[node].index(state)] = 1.0
        out[node] = t
    return out


def joint(tables_: Mapping[str, np.ndarray], graph: Graph) -> np.ndarray:
    """P(joint state | cells) for every draw: shape (draws, joint states).

    Built node by node in topological order, each table broadcast over the nodes
    before it (its parents on their axes), so the work is about twice the size of the
    result; the joint states come out in the order of :attr:`Graph.codes`. The draws
    are the last, contiguous axis while it is built (NumPy's inner loop runs over the
    draws, not over a node's two or three states): the result is the transpose of a
    (joint states, draws) array, a view.
    """
    out: np.ndarray | None = None
    for k, n in enumerate(graph.names):
        t = np.asarray(tables_[n])
        parents = graph.parents[n]
        # Parents' axes in topological order, then the node's own, then the draws.
        order = sorted(range(len(parents)), key=lambda i: graph.index(parents[i]))
        t = np.moveaxis(t, [0, *(1 + i for i in order)], [-1, *range(len(parents))])
        shape = [1] * k + [t.shape[-2], t.shape[-1]]
        for i in order:
            shape[graph.index(parents[i])] = graph.cards[graph.index(parents[i])]
        t = np.ascontiguousarray(t).reshape(shape)
        out = t if out is None else out[..., None, :] * t
    assert out is not None
    return out.reshape(-1, out.shape[-1]).T


def point_tables(
    spec: NetworkQuestion, graph: Graph, cells: Sequence[Cell], means: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The tables at the cells' means (one 'draw')."""
    return tables(spec, graph, cells, {k: np.asarray(v)[None, :] for k, v in means.items()})


__all__ = ["Graph", "intervene", "joint", "point_tables", "tables"]
