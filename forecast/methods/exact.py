"""The ``exact`` method for event questions: the forecast by deterministic quadrature.

The headline is E[q] on the grid of :mod:`forecast.methods.grid`, the intervals its
quantiles, each step of the chain experts -> base rate -> evidence its own quadrature.
What is computed from draws elsewhere (the sensitivity rows, the plots) uses stratified
inverse-CDF draws of the exact posterior, as many as NUTS would have made. The
diagnostic is the quadrature error estimate: the largest change of the headline and the
intervals between this grid and one half as fine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from forecast import special
from forecast.methods.event_density import EventDensity

if TYPE_CHECKING:
    from forecast.inference import Diagnostics, SamplerSettings
    from forecast.results import Step
from forecast.methods.grid import GridPosterior, Shift, stratified_normal

TOLERANCE = 1e-6
"""The largest quadrature error estimate (in probability) the exact method accepts;
past it ``auto`` falls back to another method and ``exact`` warns."""

MASSES = (0.8, 0.95)


@dataclass(frozen=True)
class ExactEvent:
    """An event question's forecast by quadrature, with its error estimate."""

    probability: float
    intervals: tuple[tuple[float, float, float], ...]
    """(mass, lo, hi) for each of :data:`MASSES`."""
    error: float
    grid: GridPosterior
    points: int
    seconds: float

    @classmethod
    def of(cls, inputs: Any) -> ExactEvent:
        """Quadrature of the event model of ``inputs`` on a fine grid and one half as fine."""
        start = time.perf_counter()
        fine = GridPosterior.of(EventDensity.of(inputs))
        coarse = fine.coarser()
        shift = Shift.of(fine.density)
        numbers: list[list[float]] = []
        for g in (fine, coarse):
            ends = [(1 - m) / 2 for m in MASSES] + [(1 + m) / 2 for m in MASSES]
            numbers.append([g.expect_sigmoid(shift), *g.quantiles_q(ends, shift)])
        error = float(np.max(np.abs(np.asarray(numbers[0]) - np.asarray(numbers[1]))))
        head, *qs = numbers[0]
        k = len(MASSES)
        intervals = tuple((m, qs[i], qs[i + k]) for i, m in enumerate(MASSES))
        return cls(head, intervals, error, fine, len(fine.x), time.perf_counter() - start)

    @property
    def shift(self) -> Shift:
        """The evidence's summed log likelihood ratio (every applied item)."""
        return Shift.of(self.grid.density)

    def steps(self, has_base_rate: bool, prior_mean: float, labels: list[str]) -> list[Step]:
        """The chain experts -> base rate -> each applied evidence item (``labels``, in
        file order), each step by quadrature."""
        from forecast.results import Step

        steps = [Step("experts (pooled prior)", "experts", prior_mean, prior_mean)]
        current = self.grid.mean_p()
        if has_base_rate:
            steps.append(Step("base rate", "base_rate", prior_mean, current))
        mu, var = 0.0, 0.0
        for label, (m, sd) in zip(labels, self.grid.density.items, strict=True):
            mu, var = mu + m, var + sd * sd
            after = self.grid.expect_sigmoid(Shift(mu, float(np.sqrt(var))))
            steps.append(Step(label, "evidence", current, after))
            current = after
        return steps

    def draws(
        self, chains: int, draws: int, seed: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Inverse-CDF draws (chain, draw) of p and q, and (chain, draw, item) of the
        uncertain evidence's log likelihood ratios."""
        rng = np.random.default_rng(seed)
        n = chains * draws
        x = self.grid.draw_x(n, rng)
        d = self.grid.density
        llr = (
            np.stack(
                [
                    mu + sd * stratified_normal(n, rng)
                    for mu, sd in zip(d.llr_mu, d.llr_sigma, strict=True)
                ],
                axis=-1,
            )
            if len(d.llr_mu)
            else np.zeros((n, 0))
        )
        p = special.expit(x)
        q = special.expit(x + d.fixed_llr + llr.sum(axis=-1))
        return (
            p.reshape(chains, draws),
            q.reshape(chains, draws),
            llr.reshape(chains, draws, -1),
        )


class Quadrature(Protocol):
    """What the exact method's diagnostics report of a quadrature."""

    @property
    def error(self) -> float: ...

    @property
    def points(self) -> int: ...

    @property
    def seconds(self) -> float: ...


def diagnostics(result: Quadrature, settings: SamplerSettings) -> Diagnostics:
    """The exact method's diagnostics: the quadrature error estimate, and a warning when
    it exceeds :data:`TOLERANCE`."""
    from forecast.inference import Diagnostics

    notes: tuple[str, ...] = ()
    if result.error > TOLERANCE:
        notes = (
            f"quadrature error estimate {result.error:.1e} > {TOLERANCE:.0e}: "
            "the grid does not resolve the posterior; try --method nuts",
        )
    nan = float("nan")
    return Diagnostics(
        nan,
        nan,
        nan,
        0,
        settings.draws,
        settings.chains,
        result.seconds,
        notes,
        method="exact",
        quadrature_error=result.error,
        grid_points=result.points,
    )


def used(settings: SamplerSettings, method: str) -> SamplerSettings:
    """The settings with the method that was used (for provenance)."""
    return replace(settings, method=method)


__all__ = ["MASSES", "TOLERANCE", "ExactEvent", "diagnostics", "used"]
