"""Where a roulette grid's bins fall by default: round edges across the plausible range."""

from __future__ import annotations

import math


def _round_step(span: float, bins: int) -> float:
    """The round step (1, 2 or 5 times a power of ten) nearest ``span / bins``."""
    raw = span / bins
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda x: abs(x - raw))


def default_edges(low: float, high: float, bins: int = 10) -> list[float]:
    """About ``bins`` bins across the plausible range, inner edges at round values
    (0.05, 0.1, 0.15, ... or 0.02, 0.04, ...); the ends are the range's own."""
    if not high > low:
        return [low, high]
    step = _round_step(high - low, bins)
    k = math.floor(low / step) + 1
    inner = []
    while k * step < high - 1e-12 * step:
        inner.append(round(k * step, 12))
        k += 1
    inner = [e for e in inner if e > low + 1e-12]
    return [low, *inner, high]
