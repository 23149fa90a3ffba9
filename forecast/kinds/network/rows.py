"""Checks of one node's cells and table rows, each problem noted at its key.

Used by :func:`forecast.kinds.network.checks.check_network`.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

if TYPE_CHECKING:
    from forecast.kinds.network.spec import CellExpert, Node

Loc = tuple[str | int, ...]
SUM_TOLERANCE = 1e-6
"""How far from 1 a categorical judgement's probabilities may sum (rounding)."""


class Collector:
    """Problems noted at their keys, raised together as one ValidationError."""

    def __init__(self) -> None:
        self.details: list[InitErrorDetails] = []

    def add(self, loc: Loc, kind: str, message: str, value: object = None) -> None:
        """Note one problem at ``loc`` (the message is final: no template fields)."""
        err = PydanticCustomError(kind, message)
        self.details.append(InitErrorDetails(type=err, loc=loc, input=value))

    def raise_any(self) -> None:
        if self.details:
            raise ValidationError.from_exception_data("NetworkQuestion", self.details)


def close(name: str, names: Sequence[str]) -> str:
    """`` (did you mean 'x' or 'y'?)`` for the names close to ``name``, else empty."""
    found = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    if not found:
        return ""
    return " (did you mean " + " or ".join(repr(f) for f in found) + "?)"


def check_cells(experts: Sequence[CellExpert], node: Node, loc: Loc, out: Collector) -> None:
    names: dict[str, int] = {}
    for i, e in enumerate(experts):
        if e.name in names:
            out.add(
                (*loc, i, "name"),
                "duplicate_name",
                f"expert name '{e.name}' is given twice (first at {names[e.name]})",
                e.name,
            )
        names.setdefault(e.name, i)
        if node.binary and e.judgement is None:
            out.add(
                (*loc, i, "distribution"),
                "cell_form",
                f"'{node.name}' is yes/no: give a judgement of P(yes), not a distribution",
            )
        elif not node.binary and e.distribution is None:
            out.add(
                (*loc, i, "judgement"),
                "cell_form",
                f"'{node.name}' has states {', '.join(node.state_names)}: give a "
                "distribution over them (probabilities + strength, or counts)",
            )
        elif e.distribution is not None:
            d = e.distribution
            if set(d.states()) != set(node.state_names):
                key = "probabilities" if d.probabilities is not None else "counts"
                out.add(
                    (*loc, i, "distribution", key),
                    "states",
                    f"name each of the states {', '.join(node.state_names)} once "
                    f"(got {', '.join(d.states())})",
                )
            elif d.probabilities is not None:
                total = math.fsum(d.probabilities.values())
                if abs(total - 1.0) > SUM_TOLERANCE:
                    out.add(
                        (*loc, i, "distribution", "probabilities"),
                        "sum_to_one",
                        f"the probabilities sum to {total:.6g}, not 1: a table row must "
                        "sum to 1 over the node's states",
                        list(d.probabilities.values()),
                    )
    weights = [e.weight for e in experts]
    given = [w for w in weights if w is not None]
    if given and len(given) != len(weights):
        out.add(
            loc,
            "partial_weights",
            f"give a weight to every expert or to none "
            f"({len(given)} of {len(weights)} experts have one)",
        )
    elif given and sum(given) <= 0:
        out.add(loc, "zero_weights", "expert weights must not all be zero")


def check_noisy_or(
    node: Node, nodes: dict[str, Node], known: list[str], at: Loc, out: Collector
) -> None:
    assert node.noisy_or is not None
    if not node.binary or any(not nodes[p].binary for p in known):
        out.add(
            (*at, "noisy_or"),
            "noisy_or_binary",
            "noisy_or is for a yes/no node whose parents are all yes/no",
        )
    if node.independent_of:
        out.add(
            (*at, "independent_of"),
            "noisy_or_independent",
            "with noisy_or, leave a parent out of parents rather than independent_of",
        )
    check_cells(node.noisy_or.leak, node, (*at, "noisy_or", "leak"), out)
    for p, experts in node.noisy_or.causes.items():
        if p not in node.parents:
            out.add(
                (*at, "noisy_or", "causes", p),
                "unknown_cause",
                f"'{p}' is not a parent of '{node.name}'{close(p, node.parents)}",
                p,
            )
        check_cells(experts, node, (*at, "noisy_or", "causes", p), out)
    missing = [p for p in node.parents if p not in node.noisy_or.causes]
    if missing:
        out.add(
            (*at, "noisy_or", "causes"),
            "missing_cause",
            f"give a cause for each parent: missing {', '.join(missing)}",
        )


def check_table(
    node: Node, nodes: dict[str, Node], known: list[str], at: Loc, out: Collector
) -> None:
    assert node.table is not None
    for j, p in enumerate(node.independent_of):
        if p not in node.parents:
            out.add(
                (*at, "independent_of", j),
                "not_parent",
                f"'{p}' is not a parent of '{node.name}'{close(p, node.parents)}",
                p,
            )
    used = [p for p in known if p not in node.independent_of]
    seen: dict[tuple[str, ...], int] = {}
    for r, row in enumerate(node.table):
        where: Loc = (*at, "table", r)
        check_cells(row.experts, node, (*where, "experts"), out)
        unknown = [p for p in node.parents if p not in known]  # reported at parents
        extra = [k for k in row.when if k not in used and k not in unknown]
        for k in extra:
            why = (
                "it is listed in independent_of"
                if k in node.independent_of
                else f"it is not a parent of '{node.name}'{close(k, used)}"
            )
            out.add((*where, "when", k), "not_parent", f"'{k}' cannot be in when: {why}", k)
        lacking = [p for p in used if p not in row.when]
        if lacking:
            out.add(
                (*where, "when"),
                "when_incomplete",
                f"say the state of every parent the table depends on: missing {', '.join(lacking)}",
            )
        bad = False
        for k, v in row.when.items():
            if k in used and v not in nodes[k].state_names:
                out.add(
                    (*where, "when", k),
                    "unknown_state",
                    f"'{v}' is not a state of '{k}' (states: {', '.join(nodes[k].state_names)})",
                    v,
                )
                bad = True
        if extra or lacking or bad or unknown:
            continue
        combo = tuple(row.when[p] for p in used)
        if combo in seen:
            out.add(
                (*where, "when"),
                "duplicate_row",
                f"this combination is already given in table[{seen[combo]}]",
            )
        seen.setdefault(combo, r)
    if len(used) != len([p for p in node.parents if p not in node.independent_of]):
        return  # an unknown parent: reported above
    missing = [
        combo
        for combo in itertools.product(*(nodes[p].state_names for p in used))
        if combo not in seen
    ]
    if missing:
        shown = "; ".join(
            ", ".join(f"{p}={s}" for p, s in zip(used, combo, strict=True)) for combo in missing[:4]
        )
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        out.add(
            (*at, "table"),
            "missing_row",
            f"no row for {shown}{more}: give every combination of the parents' states, "
            "or say how to fill it (noisy_or, or independent_of: [PARENT])",
        )
