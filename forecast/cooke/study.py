"""A structured expert judgement study: seed and target items, experts and their quantiles.

A :class:`Study` is plain data, whichever file it came from (a seeds YAML file or an
Excalibur ``.dtt``/``.rls`` pair). Missing answers are NaN. The scoring lives in
:mod:`forecast.cooke.model`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Scale = Literal["uni", "log"]


@dataclass(frozen=True)
class Item:
    """One question put to the experts; a seed item has a known realisation."""

    id: str
    realization: float | None = None
    scale: Scale = "uni"
    unit: str = ""
    question: str = ""
    source: str = ""

    @property
    def seed(self) -> bool:
        """Whether the item's true value is known (a calibration question)."""
        return self.realization is not None


@dataclass(frozen=True)
class Study:
    """Experts' quantiles for a set of items.

    ``answers[e, i, k]`` is expert ``e``'s quantile at level ``quantiles[k]`` for item
    ``i`` (NaN when not answered); ``user_weights`` are weights the study gives the
    experts (for ``--weights user``), None when it gives none.
    """

    quantiles: tuple[float, ...]
    items: tuple[Item, ...]
    experts: tuple[str, ...]
    answers: np.ndarray
    user_weights: tuple[float, ...] | None = None
    name: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        shape = (len(self.experts), len(self.items), len(self.quantiles))
        if self.answers.shape != shape:
            raise ValueError(f"answers have shape {self.answers.shape}, expected {shape}")

    @property
    def seed_mask(self) -> np.ndarray:
        """Boolean mask of the seed items."""
        return np.array([it.seed for it in self.items], dtype=bool)

    @property
    def realizations(self) -> np.ndarray:
        """Realisation of each item, NaN for a target item."""
        return np.array(
            [math.nan if it.realization is None else it.realization for it in self.items]
        )

    @property
    def log_mask(self) -> np.ndarray:
        """Boolean mask of the items on a log-uniform background."""
        return np.array([it.scale == "log" for it in self.items], dtype=bool)

    def answered(self) -> np.ndarray:
        """``answered[e, i]``: whether expert ``e`` gave every quantile of item ``i``."""
        result: np.ndarray = ~np.isnan(self.answers).any(axis=2)
        return result

    def without_items(self, drop: list[int]) -> Study:
        """The study without the items at positions ``drop``."""
        keep = [i for i in range(len(self.items)) if i not in set(drop)]
        return Study(
            self.quantiles,
            tuple(self.items[i] for i in keep),
            self.experts,
            self.answers[:, keep, :],
            self.user_weights,
            self.name,
            self.notes,
        )

    def without_experts(self, drop: list[int]) -> Study:
        """The study without the experts at positions ``drop``."""
        keep = [e for e in range(len(self.experts)) if e not in set(drop)]
        return Study(
            self.quantiles,
            self.items,
            tuple(self.experts[e] for e in keep),
            self.answers[keep, :, :],
            None if self.user_weights is None else tuple(self.user_weights[e] for e in keep),
            self.name,
            self.notes,
        )
