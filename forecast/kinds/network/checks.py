"""Whole-network checks, every problem placed on the key to change.

A cycle (named node by node), an unknown parent (with the names it could mean), a
missing combination of parents' states (unless ``noisy_or`` or ``independent_of`` says
how to fill it), a categorical judgement whose probabilities cannot sum to 1, cells of
the wrong form, and a network too large to enumerate. All are collected before raising.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from forecast.kinds.network.rows import (
    Collector,
    check_cells,
    check_noisy_or,
    check_table,
    close,
)
from forecast.kinds.network.spec import BINARY, MAX_JOINT

if TYPE_CHECKING:
    from forecast.kinds.network.spec import NetworkQuestion, Node

Loc = tuple[str | int, ...]


def find_cycle(parents: dict[str, list[str]]) -> list[str] | None:
    """A cycle as the nodes met along it (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        path.append(n)
        for p in parents.get(n, []):
            if p not in parents:
                continue
            if state.get(p) == 1:
                return [*path[path.index(p) :], p]
            if p not in state:
                found = visit(p)
                if found:
                    return found
        path.pop()
        state[n] = 2
        return None

    for n in parents:
        if n not in state:
            found = visit(n)
            if found:
                # Parents point backwards: read the cycle as influence flows.
                return list(reversed(found))
    return None


def topological(parents: dict[str, list[str]]) -> list[str]:
    """The nodes, each after its parents (in file order where free)."""
    out: list[str] = []
    done: set[str] = set()
    while len(out) < len(parents):
        for n, ps in parents.items():
            if n not in done and all(p in done for p in ps):
                out.append(n)
                done.add(n)
                break
        else:  # pragma: no cover - refused as a cycle before
            raise ValueError("the network has a cycle")
    return out


def _check_node(i: int, node: Node, nodes: dict[str, Node], out: Collector) -> None:
    at: Loc = ("nodes", i)
    if node.question is not None:
        for key in ("title", "resolution", "states", "observed"):
            if getattr(node, key) is not None:
                out.add(
                    (*at, key),
                    "question_key",
                    f"a question node takes its {key} from its own file "
                    f"(priors/{node.question}.yaml)",
                )
    else:
        for key in ("title", "resolution"):
            if getattr(node, key) is None:
                out.add(
                    (*at, key),
                    "missing",
                    f"required but missing: an intermediate "
                    f"node says what it is and how it resolves ({key})",
                )
    states = node.state_names
    if len(set(states)) != len(states):
        out.add((*at, "states"), "duplicate_state", "each state is named once", list(states))
    if node.observed is not None and node.observed not in states:
        out.add(
            (*at, "observed"),
            "unknown_state",
            f"'{node.observed}' is not a state of '{node.name}' (states: {', '.join(states)})",
        )
    for j, p in enumerate(node.parents):
        if p == node.name:
            out.add((*at, "parents", j), "self_parent", f"'{p}' cannot be its own parent", p)
        elif p not in nodes:
            out.add(
                (*at, "parents", j),
                "unknown_parent",
                f"no node is called '{p}'{close(p, list(nodes))}",
                p,
            )
        elif node.parents.index(p) != j:
            out.add((*at, "parents", j), "duplicate_parent", f"'{p}' is listed twice", p)
    if not node.parents:
        for key in ("table", "noisy_or"):
            if getattr(node, key) is not None:
                out.add(
                    (*at, key),
                    "root_table",
                    f"'{node.name}' has no parents: give its "
                    "experts' judgements as experts, without a table",
                )
        if node.independent_of:
            out.add(
                (*at, "independent_of"),
                "root_table",
                f"'{node.name}' has no parents to be independent of",
            )
        if node.experts is None and node.question is None:
            out.add(
                at,
                "missing_experts",
                f"'{node.name}' has no parents: give its experts' judgements of it (experts)",
            )
        if node.experts is not None and node.question is not None:
            out.add(
                (*at, "experts"),
                "question_root",
                "a question node without parents "
                f"takes its prior from its own forecast (priors/{node.question}.yaml)",
            )
        if node.experts is not None:
            check_cells(node.experts, node, (*at, "experts"), out)
        return
    if node.experts is not None:
        out.add(
            (*at, "experts"),
            "child_experts",
            f"'{node.name}' has parents: give a table "
            "row per combination of their states (table), or noisy_or",
        )
    known = [p for p in node.parents if p in nodes]
    if (node.table is None) == (node.noisy_or is None):
        out.add(
            at, "table_form", f"'{node.name}' has parents: give exactly one of table or noisy_or"
        )
        return
    if node.noisy_or is not None:
        check_noisy_or(node, nodes, known, at, out)
    else:
        check_table(node, nodes, known, at, out)


def check_network(spec: NetworkQuestion) -> None:
    """Refuse a network that cannot be enumerated, with every problem located.

    Raises
    ------
    pydantic_core.ValidationError
        Every problem, each at its key (pydantic places it in the file).
    """
    out = Collector()
    nodes: dict[str, Node] = {}
    for i, node in enumerate(spec.nodes):
        if (node.question is None) == (node.id is None):
            out.add(
                ("nodes", i),
                "node_form",
                "give a node either question: ID (a question "
                "of the priors folder) or id: ID (an intermediate node), not "
                + ("both" if node.question else "neither"),
            )
            continue
        if node.name in nodes:
            key = "question" if node.question else "id"
            out.add(
                ("nodes", i, key), "duplicate_node", f"node '{node.name}' is given twice", node.name
            )
            continue
        nodes[node.name] = node
    for i, node in enumerate(spec.nodes):
        if (node.question is None) != (node.id is None) and nodes.get(node.name) is node:
            _check_node(i, node, nodes, out)
    cycle = find_cycle({n: list(v.parents) for n, v in nodes.items()})
    if cycle:
        i = next(i for i, n in enumerate(spec.nodes) if n.name == cycle[-1])
        out.add(
            ("nodes", i, "parents"),
            "cycle",
            "the network has a cycle: "
            + " -> ".join(cycle)
            + "; a node cannot depend on itself through others",
        )
    joint = math.prod(len(n.state_names) for n in nodes.values())
    if joint > MAX_JOINT:
        out.add(
            ("nodes",),
            "too_large",
            f"the nodes have {joint} joint states; at most "
            f"{MAX_JOINT} can be enumerated exactly (12 yes/no nodes)",
        )
    if spec.target is not None and spec.target not in nodes:
        out.add(
            ("target",),
            "unknown_node",
            f"no node is called '{spec.target}'{close(spec.target, list(nodes))}",
            spec.target,
        )
    if spec.pool.method == "hierarchical":
        out.add(
            ("pool", "method"),
            "network_pool",
            "a network's cells pool their experts "
            "linearly or logarithmically (hierarchical is for event questions)",
        )
    out.raise_any()


__all__ = ["BINARY", "check_network", "close", "find_cycle", "topological"]
