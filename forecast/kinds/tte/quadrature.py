"""The ``exact`` method for time-to-event questions: P(by the deadline) by quadrature.

The headline is E[P(by the deadline)] on the grid of :mod:`forecast.kinds.tte.grid`,
its 80% and 95% intervals the quantiles of :mod:`forecast.kinds.tte.lines`; the
experts' prior is the same quadrature without the history. The diagnostic is the
quadrature error estimate: the largest change of the headline and the interval ends
between this grid and one half as fine, with half the Gauss–Hermite nodes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forecast.kinds.tte.density import TteDensity
from forecast.kinds.tte.grid import TteGrid
from forecast.kinds.tte.hazard import HazardInputs
from forecast.kinds.tte.scheduled import ScheduleInputs
from forecast.methods import exact as exact_method

ENDS = (0.1, 0.9, 0.025, 0.975)
"""The interval ends, 80% then 95%."""


def _numbers(
    grid: TteGrid,
    levels: Sequence[float],
    upto: tuple[int, float],
    starts: Sequence[float] | None = None,
) -> list[float]:
    return [grid.expect(levels, upto), *grid.quantiles(ENDS, levels, upto, starts)]


def _intervals(numbers: Sequence[float]) -> tuple[tuple[float, float, float], ...]:
    _, lo80, hi80, lo95, hi95 = numbers
    return ((0.8, lo80, hi80), (0.95, lo95, hi95))


@dataclass(frozen=True)
class ExactTte:
    """A time-to-event question's forecast by quadrature, with its error estimate."""

    probability: float
    intervals: tuple[tuple[float, float, float], ...]
    """(mass, lo, hi) for the 80% and 95% intervals."""
    prior_probability: float
    prior_interval: tuple[float, float]
    """The experts' prior's 95% interval of P(by the deadline)."""
    error: float
    grid: TteGrid
    prior: TteGrid
    points: int
    seconds: float

    @classmethod
    def of(
        cls, inputs: ScheduleInputs | HazardInputs, levels: Sequence[float], deadline: dt.date
    ) -> ExactTte:
        """Quadrature of the model of ``inputs`` with the drivers at ``levels``, on a fine
        grid and one half as fine.

        Raises
        ------
        NotExact
            When the drivers' uncertain ratios are too many to integrate at once.
        """
        start = time.perf_counter()
        density = TteDensity.of(inputs)
        upto = density.horizon_of(deadline)
        fine = TteGrid.of(density)
        # The grid half as fine is cheap, and its quantiles are within the error
        # estimate of the fine grid's: Newton's method on the fine grid starts there.
        coarse = _numbers(fine.coarser(), levels, upto)
        numbers = _numbers(fine, levels, upto, coarse[1:])
        error = float(np.max(np.abs(np.asarray(numbers) - np.asarray(coarse))))
        if error > exact_method.TOLERANCE:
            # The half-fine difference bounds the coarse grid's error, and Gauss–Hermite
            # converges fast: the interval ends are taken again with half as many line
            # nodes more, and their change is the estimate of the fine ends' error.
            ends = fine.quantiles(ENDS, levels, upto, numbers[1:], refined=True)
            error = max(abs(numbers[0] - coarse[0]), *np.abs(np.subtract(ends, numbers[1:])))
            numbers = [numbers[0], *ends]
        prior = TteGrid.of(density, data=False)
        rough = prior.coarser().quantiles((0.025, 0.975), levels, upto)
        lo, hi = prior.quantiles((0.025, 0.975), levels, upto, rough)
        return cls(
            numbers[0],
            _intervals(numbers),
            prior.expect(levels, upto),
            (lo, hi),
            error,
            fine,
            prior,
            fine.points,
            time.perf_counter() - start,
        )


__all__ = ["ENDS", "ExactTte"]
