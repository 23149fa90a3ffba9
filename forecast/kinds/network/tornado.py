"""The cells that move a target most: a tornado of the cells' 80% ranges.

Each cell in turn is set to the 10% and to the 90% quantile of its pooled prior (for a
categorical cell: its first state, the others scaled in proportion), every other cell
integrated out (the enumeration at their means, exact by multilinearity), and the
target's probability under the query is computed at both ends. Rows are sorted by
the swing, largest first (cells the target does not depend on, whose swing is
rounding, in the file's order). All cells' ends are enumerated in one vectorised pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.network.infer import Prepared, Query, evidence_of
from forecast.kinds.network.joint import intervene, joint, tables

if TYPE_CHECKING:
    from forecast.kinds.network.document import BarDoc

LOW, HIGH = 0.1, 0.9
TIED = 12
"""Decimals of the swing that order the bars (the enumeration's rounding is ~1e-16)."""


@dataclass(frozen=True)
class Bar:
    """One cell's 80% range and the target's probability at each end."""

    cell: str
    low: float
    high: float
    at_low: float
    at_high: float

    @property
    def swing(self) -> float:
        """How far the target moves across the cell's range."""
        return abs(self.at_high - self.at_low)

    def to_dict(self) -> BarDoc:
        """Plain data for JSON."""
        return {
            "cell": self.cell,
            "range80": [self.low, self.high],
            "target_at": [self.at_low, self.at_high],
            "swing": self.swing,
        }


def _set(mean: np.ndarray, first: float) -> np.ndarray:
    """A cell's mean with its first state at ``first``, the others scaled in proportion."""
    rest = mean[1:]
    scale = (1.0 - first) / rest.sum() if rest.sum() > 0 else 0.0
    return np.concatenate([[first], rest * scale])


def settings_rows(prep: Prepared, changes: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """Cell values, one row per scenario: the means with each scenario's cells set."""
    out: dict[str, np.ndarray] = {}
    for c in prep.cells:
        mean = np.asarray(prep.means[c.name], dtype=float)
        rows = np.tile(mean, (len(changes), 1))
        for i, change in enumerate(changes):
            if c.name in change:
                rows[i] = _set(mean, change[c.name])
        out[c.name] = rows
    return out


def probability_under(
    prep: Prepared, values: dict[str, np.ndarray], query: Query, node: str, state: str
) -> np.ndarray:
    """P(node = state | query) for each row of cell ``values`` (exact enumeration)."""
    t = tables(prep.spec, prep.graph, prep.cells, values)
    if query.do:
        t = intervene(t, prep.graph, query.do)
    p = joint(t, prep.graph) * prep.graph.mask(evidence_of(prep, query))
    yes = prep.graph.indicators[:, prep.graph.column(node, state)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((p @ yes) / p.sum(axis=1))


def tornado(prep: Prepared, query: Query, target: str, state: str | None = None) -> list[Bar]:
    """The cells' bars for ``target = state`` (its first state by default), largest first."""
    state = state or prep.graph.states[target][0]
    ends: list[tuple[str, float, float]] = []
    changes: list[dict[str, float]] = []
    for c in prep.cells:
        if c.node in query.do:
            continue  # an intervened node's table is cut: its cells cannot move anything
        lo, hi = np.quantile(prep.draws[c.name][:, 0], [LOW, HIGH])
        ends.append((c.name, float(lo), float(hi)))
        changes += [{c.name: float(lo)}, {c.name: float(hi)}]
    if not changes:
        return []
    probs = probability_under(prep, settings_rows(prep, changes), query, target, state)
    bars = [
        Bar(name, lo, hi, float(probs[2 * i]), float(probs[2 * i + 1]))
        for i, (name, lo, hi) in enumerate(ends)
    ]
    # Swings below rounding (a cell the target does not depend on) tie, in file order.
    return sorted(bars, key=lambda b: -round(b.swing, TIED))


__all__ = ["Bar", "probability_under", "settings_rows", "tornado"]
