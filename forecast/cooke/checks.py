"""The rules every study must meet, whichever file it was read from.

Each reader knows where in its file an answer, a realisation or an expert was written;
it passes that knowledge as a :class:`Locator`, so the same rules report
``path:line:col field: message`` for a seeds YAML file and for an Excalibur file alike.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from forecast.cooke.study import Study
from forecast.errors import Problem

MIN_SEEDS = 2
"""Fewest seed items a study may have: the calibration test needs some."""


class Locator(Protocol):
    """Where a reader found each part of a study: (path, line, column, field)."""

    def answer(self, expert: int, item: int, level: int) -> tuple[str, int | None, int | None, str]:
        """Where expert's quantile at ``level`` for ``item`` was written."""
        ...

    def realization(self, item: int) -> tuple[str, int | None, int | None, str]:
        """Where the item's realisation was written (or the item, when it has none)."""
        ...

    def expert(self, expert: int) -> tuple[str, int | None, int | None, str]:
        """Where the expert was introduced."""
        ...

    def study(self) -> tuple[str, int | None, int | None, str]:
        """Where the list of items starts."""
        ...


def _fmt(value: float) -> str:
    return f"{value:g}"


def check(study: Study, where: Locator) -> list[Problem]:
    """Every problem of ``study``, each located by ``where``."""
    problems: list[Problem] = []
    values = study.answers
    logs = study.log_mask
    levels = ", ".join(_fmt(100 * q) for q in study.quantiles)
    for e in range(len(study.experts)):
        for i in range(len(study.items)):
            row = values[e, i]
            if np.isnan(row).any():
                continue
            if logs[i] and (row <= 0).any():
                k = int(np.argmax(row <= 0))
                problems.append(
                    Problem(
                        *where.answer(e, i, k),
                        f"must be positive on a log scale (got {_fmt(row[k])})",
                        "use scale uniform for an item whose values can be zero or negative",
                    )
                )
            steps = np.diff(row) <= 0
            if steps.any():
                k = int(np.argmax(steps)) + 1
                problems.append(
                    Problem(
                        *where.answer(e, i, k),
                        f"quantiles must increase ({_fmt(row[k])} after {_fmt(row[k - 1])})",
                        f"give the {levels}% quantiles from lowest to highest",
                    )
                )
    for i, item in enumerate(study.items):
        if item.realization is not None and logs[i] and item.realization <= 0:
            problems.append(
                Problem(
                    *where.realization(i),
                    f"realisation must be positive on a log scale (got {_fmt(item.realization)})",
                    "use scale uniform for an item whose values can be zero or negative",
                )
            )
    answered = study.answered()
    for unanswered in np.flatnonzero(~answered.any(axis=0)):
        problems.append(
            Problem(
                *where.realization(int(unanswered)),
                "no expert answered this item",
                "remove the item or add the experts' answers",
            )
        )
    seed = study.seed_mask
    if seed.sum() < MIN_SEEDS:
        problems.append(
            Problem(
                *where.study(),
                f"a study needs at least {MIN_SEEDS} seed items with realisations "
                f"(found {int(seed.sum())})",
                "seed items are questions whose answer is known; they are what the "
                "experts' calibration is measured on",
            )
        )
    else:
        for idle in np.flatnonzero(~answered[:, seed].any(axis=1)):
            problems.append(
                Problem(
                    *where.expert(int(idle)),
                    "answered no seed item, so their calibration cannot be measured",
                    "add their answers to the seed items, or remove the expert",
                )
            )
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0))
