"""How much the decision maker rests on any one seed item or any one expert.

Each row is the whole classical model run again without one seed item (or one
expert), with the same weights, cut-off (or its optimisation), overshoot and
calibration power: the decision maker's calibration and information then. When they
hardly move, no single item or expert carries the result.

Leaving an expert out also narrows the intrinsic ranges to the remaining experts'
answers and takes N (the fewest seed items answered) over the remaining experts;
anduryl keeps the left-out expert in N, so its expert table can differ where that
expert answered the fewest seed items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from forecast.cooke.model import Grid, Settings, decision_maker, grid, score
from forecast.cooke.study import Study


@dataclass(frozen=True)
class Row:
    """The decision maker's scores with one seed item or expert left out."""

    left_out: str
    calibration: float
    information_all: float
    information_seeds: float
    alpha: float
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON (NaN becomes null on output)."""
        return {
            "left_out": self.left_out,
            "calibration": self.calibration,
            "information_all": self.information_all,
            "information_seeds": self.information_seeds,
            "alpha": self.alpha,
            "note": self.note or None,
        }


def _run(
    study: Study,
    settings: Settings,
    left_out: str,
    cdfs: Grid | None = None,
    ranges: tuple[np.ndarray, np.ndarray] | None = None,
) -> Row:
    answered = study.answered().any(axis=0)
    if not answered.all():
        study = study.without_items([int(i) for i in np.flatnonzero(~answered)])
        cdfs = None
    scores = score(study, settings.overshoot, settings.calpower)
    if ranges is not None and not (
        np.array_equal(scores.lower, ranges[0]) and np.array_equal(scores.upper, ranges[1])
    ):
        cdfs = None  # the left-out expert set a range: the CDFs are computed again
    cut = settings.alpha is not None and settings.weights in ("global", "item")
    if cut and settings.alpha > scores.calibration.max():
        nan = math.nan
        return Row(left_out, nan, nan, nan, settings.alpha or 0.0, "every expert is below alpha")
    dm = decision_maker(study, settings, scores, cdfs)
    return Row(left_out, dm.calibration, dm.information_all, dm.information_seeds, dm.alpha)


def items_left_out(study: Study, settings: Settings) -> list[Row]:
    """One row per seed item: the decision maker without it (none with fewer than 3 seeds)."""
    seeds = [i for i, it in enumerate(study.items) if it.seed]
    if len(seeds) < 3:
        return []
    rows: list[Row] = []
    # Leaving an item out changes no other item's range: the experts' CDFs are reused.
    full = grid(study, score(study, settings.overshoot, settings.calpower))
    for i in seeds:
        reduced = study.without_items([i])
        if not reduced.answered()[:, reduced.seed_mask].any(axis=1).all():
            nan = math.nan
            rows.append(
                Row(study.items[i].id, nan, nan, nan, nan, "an expert answered only this seed")
            )
            continue
        rows.append(_run(reduced, settings, study.items[i].id, full.without(i)))
    return rows


def experts_left_out(study: Study, settings: Settings) -> list[Row]:
    """One row per expert: the decision maker without them (none with a single expert)."""
    if len(study.experts) < 2:
        return []
    rows: list[Row] = []
    scores = score(study, settings.overshoot, settings.calpower)
    full = grid(study, scores)
    for e, name in enumerate(study.experts):
        reduced = study.without_experts([e])
        if settings.weights == "user" and sum(reduced.user_weights or ()) <= 0:
            nan = math.nan
            rows.append(Row(name, nan, nan, nan, nan, "the other experts have no user weight"))
            continue
        ranges = (scores.lower, scores.upper)
        rows.append(_run(reduced, settings, name, full.without_expert(e), ranges))
    return rows
