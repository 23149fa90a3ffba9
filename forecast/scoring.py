"""Proper scores and calibration of probability forecasts of yes/no events.

Plain NumPy on arrays of forecast probabilities ``p`` and outcomes ``o`` (1 for yes,
0 for no); nothing here knows about the ledger.

* Brier score: mean of ``(p - o)**2``; 0 is perfect, lower is better.
* Log score: mean natural log of the probability given to what happened; 0 is
  perfect, higher is better (it is minus the log loss).
* Baseline score: ``100 * log2(2 p)`` for a yes and ``100 * log2(2 (1 - p))`` for a no,
  averaged; 0 is what always saying 50% earns, 100 is perfect, higher is better.
* Murphy's decomposition of the Brier score over probability bins,
  ``BS = REL - RES + UNC + WBV - WBC``, with the within-bin variance (WBV) and
  within-bin covariance (WBC) of Stephenson, Coelho and Jolliffe (2008, Weather and
  Forecasting 23:752-757), so the parts add up even when the forecasts in a bin are not
  all equal. When every bin holds a single forecast value both extra terms are zero
  and the classic ``REL - RES + UNC`` closes on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

N_BINS = 10
"""Calibration bins of width 0.1: [0, 0.1), [0.1, 0.2), ..., [0.9, 1]."""

PROB_FLOOR = 1e-15
"""Log and baseline scores give what happened at least this probability.

A forecast of exactly 0 or 1 that turns out wrong would otherwise score minus
infinity; the floor keeps it a very large, finite penalty.
"""


def _check(p: ArrayLike, o: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate forecasts and outcomes, stating the rule that was broken."""
    pa = np.asarray(p, dtype=float).reshape(-1)
    oa = np.asarray(o, dtype=float).reshape(-1)
    if pa.shape != oa.shape:
        raise ValueError(
            f"forecasts and outcomes must have the same length ({pa.size} != {oa.size})"
        )
    if not np.all(np.isfinite(pa)) or np.any((pa < 0.0) | (pa > 1.0)):
        bad = pa[~(np.isfinite(pa) & (pa >= 0.0) & (pa <= 1.0))][0]
        raise ValueError(f"forecast probabilities must be in [0, 1] (got {float(bad)!r})")
    if np.any((oa != 0.0) & (oa != 1.0)):
        bad = oa[(oa != 0.0) & (oa != 1.0)][0]
        raise ValueError(f"outcomes must be 0 (no) or 1 (yes) (got {float(bad)!r})")
    return pa, oa


def _given(p: NDArray[np.float64], o: NDArray[np.float64]) -> NDArray[np.float64]:
    """The probability each forecast gave to what happened, floored at PROB_FLOOR."""
    return np.maximum(np.where(o == 1.0, p, 1.0 - p), PROB_FLOOR)


def brier(p: ArrayLike, o: ArrayLike) -> float:
    """Mean squared difference between forecast and outcome (0 perfect, 1 worst)."""
    pa, oa = _check(p, o)
    if pa.size == 0:
        return math.nan
    return float(np.mean((pa - oa) ** 2))


def log_score(p: ArrayLike, o: ArrayLike) -> float:
    """Mean natural log of the probability given to what happened (0 perfect)."""
    pa, oa = _check(p, o)
    if pa.size == 0:
        return math.nan
    return float(np.mean(np.log(_given(pa, oa))))


def baseline_score(p: ArrayLike, o: ArrayLike) -> float:
    """Mean of ``100 log2(2 p)`` (yes) or ``100 log2(2 (1 - p))`` (no): 0 for always 50%."""
    pa, oa = _check(p, o)
    if pa.size == 0:
        return math.nan
    return float(np.mean(100.0 * np.log2(2.0 * _given(pa, oa))))


def _edges(n_bins: int) -> NDArray[np.float64]:
    """Bin edges k / n_bins, so 0.3 is 0.3 and not 0.30000000000000004."""
    return np.array([k / n_bins for k in range(n_bins + 1)])


def bin_index(p: ArrayLike, n_bins: int = N_BINS) -> NDArray[np.int64]:
    """The calibration bin of each forecast; a forecast of exactly 1 joins the top bin."""
    pa = np.asarray(p, dtype=float).reshape(-1)
    edges = _edges(n_bins)
    # searchsorted on the exact edges, so 0.3 falls in [0.3, 0.4) whatever 0.3 * 10 rounds to
    idx = np.searchsorted(edges, pa, side="right") - 1
    return np.clip(idx, 0, n_bins - 1).astype(np.int64)


@dataclass(frozen=True)
class Decomposition:
    """Murphy's decomposition of the Brier score, with the two within-bin terms.

    ``reliability - resolution + uncertainty + within_bin_variance -
    within_bin_covariance`` equals the Brier score.
    """

    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float

    @property
    def total(self) -> float:
        """The Brier score the parts add up to."""
        return (
            self.reliability
            - self.resolution
            + self.uncertainty
            + self.within_bin_variance
            - self.within_bin_covariance
        )

    def to_dict(self) -> dict[str, float | None]:
        """Plain data for JSON (NaN as null)."""
        return {k: _finite(v) for k, v in self.__dict__.items()}


def decompose(p: ArrayLike, o: ArrayLike, n_bins: int = N_BINS) -> Decomposition:
    """Reliability, resolution, uncertainty and the within-bin terms of the Brier score.

    With ``N`` forecasts, ``n_k`` of them in bin ``k``, mean forecast ``f_k`` and observed
    frequency ``o_k`` in that bin and overall frequency ``o``::

        REL = sum_k n_k (f_k - o_k)**2 / N
        RES = sum_k n_k (o_k - o)**2 / N
        UNC = o (1 - o)
        WBV = sum_k sum_j (f_kj - f_k)**2 / N
        WBC = 2 sum_k sum_j (o_kj - o_k)(f_kj - f_k) / N
    """
    pa, oa = _check(p, o)
    n = pa.size
    if n == 0:
        return Decomposition(math.nan, math.nan, math.nan, math.nan, math.nan)
    idx = bin_index(pa, n_bins)
    obar = float(oa.mean())
    rel = res = wbv = wbc = 0.0
    for k in np.unique(idx):
        f = pa[idx == k]
        ok = oa[idx == k]
        fk = float(f.mean())
        obk = float(ok.mean())
        rel += f.size * (fk - obk) ** 2
        res += f.size * (obk - obar) ** 2
        wbv += float(np.sum((f - fk) ** 2))
        wbc += 2.0 * float(np.sum((ok - obk) * (f - fk)))
    return Decomposition(rel / n, res / n, obar * (1.0 - obar), wbv / n, wbc / n)


@dataclass(frozen=True)
class Bin:
    """One row of the calibration table.

    ``observed_lo``/``observed_hi`` are a 90% Jeffreys interval for the bin's observed
    frequency: with few questions per bin, calibration is itself uncertain.
    """

    lo: float
    hi: float
    n: int
    yes: int
    mean_forecast: float | None
    observed: float | None
    observed_lo: float | None
    observed_hi: float | None

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain data for JSON."""
        return dict(self.__dict__)


def calibration(p: ArrayLike, o: ArrayLike, n_bins: int = N_BINS) -> list[Bin]:
    """The calibration table: every bin, with its count, mean forecast and observed frequency."""
    # the Beta quantile from scipy.special: scipy.stats takes seconds to import
    from scipy.special import betaincinv

    pa, oa = _check(p, o)
    idx = bin_index(pa, n_bins)
    edges = _edges(n_bins)
    rows: list[Bin] = []
    for k in range(n_bins):
        f = pa[idx == k]
        ok = oa[idx == k]
        n = int(f.size)
        yes = int(ok.sum())
        if n == 0:
            rows.append(Bin(float(edges[k]), float(edges[k + 1]), 0, 0, None, None, None, None))
            continue
        lo = 0.0 if yes == 0 else float(betaincinv(yes + 0.5, n - yes + 0.5, 0.05))
        hi = 1.0 if yes == n else float(betaincinv(yes + 0.5, n - yes + 0.5, 0.95))
        rows.append(
            Bin(
                float(edges[k]),
                float(edges[k + 1]),
                n,
                yes,
                float(f.mean()),
                yes / n,
                lo,
                hi,
            )
        )
    return rows


@dataclass(frozen=True)
class Scores:
    """Every score of one set of resolved forecasts."""

    n: int
    brier: float
    log: float
    baseline: float
    decomposition: Decomposition
    bins: tuple[Bin, ...]

    def to_dict(self) -> ScoresJSON:
        """Plain data for JSON (``n``, ``brier``, ``log``, ``baseline``, ``bins``, ...)."""
        d = self.decomposition
        return {
            "n": self.n,
            "brier": _finite(self.brier),
            "log": _finite(self.log),
            "baseline": _finite(self.baseline),
            "reliability": _finite(d.reliability),
            "resolution": _finite(d.resolution),
            "uncertainty": _finite(d.uncertainty),
            "within_bin_variance": _finite(d.within_bin_variance),
            "within_bin_covariance": _finite(d.within_bin_covariance),
            "bins": [b.to_dict() for b in self.bins],
        }


class ScoresJSON(TypedDict):
    """The scores of a set of forecasts in ``forecast score --format json`` (NaN as null)."""

    n: int
    brier: float | None
    log: float | None
    baseline: float | None
    reliability: float | None
    resolution: float | None
    uncertainty: float | None
    within_bin_variance: float | None
    within_bin_covariance: float | None
    bins: list[dict[str, float | int | None]]


def score(
    p: Sequence[float] | ArrayLike, o: Sequence[int] | ArrayLike, n_bins: int = N_BINS
) -> Scores:
    """Brier, log and baseline scores, the decomposition and the calibration table."""
    pa, oa = _check(p, o)
    return Scores(
        n=int(pa.size),
        brier=brier(pa, oa),
        log=log_score(pa, oa),
        baseline=baseline_score(pa, oa),
        decomposition=decompose(pa, oa, n_bins),
        bins=tuple(calibration(pa, oa, n_bins)),
    )


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
