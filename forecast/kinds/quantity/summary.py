"""What a forecast of a quantity says: median, intervals, P(X > t), the CDF on a grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forecast.kinds.quantity.grid import Density

LEVELS = (0.5, 0.8, 0.95)
"""The central intervals every forecast of a quantity gives."""
CDF_POINTS = 101


@dataclass(frozen=True)
class Band:
    """A central interval holding ``level`` of the distribution."""

    level: float
    lower: float
    upper: float

    def to_dict(self) -> dict[str, float]:
        """Plain data for JSON."""
        return {"level": self.level, "lower": self.lower, "upper": self.upper}


@dataclass(frozen=True)
class Exceedance:
    """P(X > threshold)."""

    threshold: float
    probability: float

    def to_dict(self) -> dict[str, float]:
        """Plain data for JSON."""
        return {"threshold": self.threshold, "probability": self.probability}


@dataclass(frozen=True)
class Summary:
    """A distribution of the quantity, in the numbers a report shows."""

    median: float
    intervals: tuple[Band, ...]
    exceedances: tuple[Exceedance, ...]
    cdf_x: tuple[float, ...]
    cdf_p: tuple[float, ...]

    def interval(self, level: float) -> Band:
        """The central interval at ``level``."""
        return next(b for b in self.intervals if abs(b.level - level) < 1e-9)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "median": self.median,
            "intervals": [b.to_dict() for b in self.intervals],
            "exceedance": [e.to_dict() for e in self.exceedances],
            "cdf": {"x": list(self.cdf_x), "p": list(self.cdf_p)},
        }


def _cdf_grid(lo: float, hi: float) -> np.ndarray:
    return np.linspace(lo, hi, CDF_POINTS)


def of_distribution(dist: Density, thresholds: Sequence[float]) -> Summary:
    """The summary of a distribution known exactly (a pool, or a posterior by quadrature)."""
    bands = tuple(
        Band(level, float(dist.ppf((1 - level) / 2)), float(dist.ppf((1 + level) / 2)))
        for level in LEVELS
    )
    x = _cdf_grid(float(dist.ppf(0.005)), float(dist.ppf(0.995)))
    return Summary(
        float(dist.ppf(0.5)),
        bands,
        tuple(Exceedance(float(t), float(1 - dist.cdf(t))) for t in thresholds),
        tuple(float(v) for v in x),
        tuple(float(v) for v in np.asarray(dist.cdf(x), dtype=float)),
    )


def of_draws(draws: np.ndarray, thresholds: Sequence[float]) -> Summary:
    """The summary of draws of the quantity (from the sampler)."""
    flat = np.asarray(draws, dtype=float).reshape(-1)
    bands = tuple(
        Band(level, *(float(v) for v in np.quantile(flat, [(1 - level) / 2, (1 + level) / 2])))
        for level in LEVELS
    )
    lo, hi = (float(v) for v in np.quantile(flat, [0.005, 0.995]))
    x = _cdf_grid(lo, hi)
    ordered = np.sort(flat)
    cdf = np.searchsorted(ordered, x, side="right") / len(ordered)
    return Summary(
        float(np.median(flat)),
        bands,
        tuple(Exceedance(float(t), float(np.mean(flat > t))) for t in thresholds),
        tuple(float(v) for v in x),
        tuple(float(v) for v in cdf),
    )
