"""Pareto-smoothed importance sampling (PSIS): one wrapper, one rule for trusting it.

Sensitivity rows (a prior or the data power-scaled), pool swaps and drop-one rows of
drivers and time-to-event questions, and reweighted sweep scenarios all move posterior
draws to a changed prior by importance weights. Each goes through :func:`smooth`: ArviZ
(``arviz_stats``) fits a generalised Pareto to the largest ratios and smooths them, and
the fitted shape k says whether the weights can be trusted. The rule is ArviZ's
``good_k``, as its ``loo`` documents: k at most min(1 - 1/log10 S, 0.7) for S draws
(Vehtari et al., "Pareto smoothed importance sampling", 2024).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

import numpy as np

K_CAP = 0.7
"""The largest Pareto k ever trusted, however many draws (ArviZ's cap on ``good_k``)."""


def good_k(draws: int) -> float:
    """ArviZ's largest trusted Pareto k for ``draws`` draws: min(1 - 1/log10 S, 0.7).

    Below about 2,000 draws the bound is under 0.7 (0.5 for 100 draws, 2/3 for 1,000);
    for one draw or none it is the cap.
    """
    if draws <= 1:
        return K_CAP
    return min(1.0 - 1.0 / math.log10(draws), K_CAP)


@dataclass(frozen=True)
class Smoothed:
    """Normalised Pareto-smoothed importance weights over the flattened draws, and k."""

    weights: np.ndarray
    pareto_k: float

    @property
    def threshold(self) -> float:
        """The largest k to trust for this many draws (:func:`good_k`)."""
        return good_k(self.weights.size)

    @property
    def ok(self) -> bool:
        """True when the weights can be trusted (a finite k at most :attr:`threshold`)."""
        return bool(np.isfinite(self.pareto_k) and self.pareto_k <= self.threshold)

    @property
    def ess(self) -> float:
        """Effective sample size of the weights, 1 / sum w^2."""
        return float(1.0 / np.sum(self.weights**2))

    def mean(self, values: np.ndarray) -> float:
        """E[values] under the weights (``values`` in the order of the draws)."""
        return float(np.sum(self.weights * np.asarray(values, dtype=float).reshape(-1)))


def _plain(log_ratio: np.ndarray) -> Smoothed:
    """Unsmoothed weights exp(log_ratio), normalised, with k 0 (nothing to smooth)."""
    finite = np.where(np.isfinite(log_ratio), log_ratio, -np.inf)
    w = np.exp(finite - finite.max())
    return Smoothed(w / w.sum(), 0.0)


def smooth(log_ratio: np.ndarray) -> Smoothed:
    """PSIS weights for importance ratios exp(``log_ratio``), one per draw (any shape).

    The ratios are the new density over the one the draws came from, up to a constant.
    When they are all equal, or some are not finite (the new density is zero there),
    or their largest values are all equal, there is no tail to fit: the weights are the
    ratios themselves and k is 0.
    """
    r = np.asarray(log_ratio, dtype=float).reshape(-1)
    if not np.all(np.isfinite(r)) or np.allclose(r, r[0]):
        return _plain(r)
    try:
        # arviz_stats' psislw takes log-likelihoods and smooths the ratios 1 / likelihood
        # (the LOO convention), so it is given minus the log ratios.
        lw, k = array_stats().psislw(-r, 1.0)
    except ValueError:
        return _plain(r)
    lw = np.asarray(lw, dtype=float)
    w = np.exp(lw - lw.max())
    return Smoothed(w / w.sum(), float(k))


def array_stats() -> ModuleType:
    """ArviZ's NumPy layer (``arviz_stats.base.array_stats``), without the xarray layer.

    ``arviz_stats`` imports xarray, pandas and pyarrow on import (about 1.5 s), though
    its ``base`` layer needs NumPy and SciPy only. When the package is not loaded yet,
    the layer is loaded under placeholder parents that are removed again, so a later
    ``import arviz_stats`` loads the whole package as usual (reusing these modules).
    """
    import importlib
    import importlib.util
    import sys
    import types

    done = sys.modules.get("arviz_stats.base.array")
    if done is None and "arviz_stats" in sys.modules:
        done = importlib.import_module("arviz_stats.base.array")
    if done is None:
        spec = importlib.util.find_spec("arviz_stats")
        assert spec is not None and spec.submodule_search_locations is not None
        root = list(spec.submodule_search_locations)
        placeholders = {"arviz_stats": root, "arviz_stats.base": [f"{root[0]}/base"]}
        for name, path in placeholders.items():
            stub = types.ModuleType(name)
            stub.__path__ = path
            sys.modules[name] = stub
        try:
            done = importlib.import_module("arviz_stats.base.array")
        finally:
            for name in placeholders:
                del sys.modules[name]
    return done.array_stats


__all__ = ["K_CAP", "Smoothed", "array_stats", "good_k", "smooth"]
