"""The ``importance`` method: draws from the prior, weighted by the likelihood (PSIS).

For a drivers question with few coded cases the posterior is close to the prior, and
independent prior draws (NumPy, seeded), weighted by the cases' likelihood, make it
without a sampler. The weights are Pareto-smoothed (:func:`forecast.psis.smooth`); the
fitted Pareto k says whether they can be trusted (ArviZ's ``good_k``, 0.7 for these
many draws), and their effective sample size how many independent draws they are
worth. The weighted draws are resampled (systematic resampling) into as many equally
weighted draws as NUTS would have made (:func:`sample`), which the kind summarises as
it would NUTS's, from plain arrays (no ArviZ data structures, no PyMC). A sweep answers
every scenario from the same draws (:mod:`forecast.kinds.drivers.sweep`).
The density is :class:`~forecast.methods.drivers_density.DriversDensity`, checked
against PyMC's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast import psis
from forecast.methods.drivers_density import DriversDensity

if TYPE_CHECKING:
    from forecast.inference import Diagnostics, SamplerSettings

PROPOSALS = 20_000
"""Prior draws weighted (at least; as many as the sampler's draws if more)."""

ESS_MIN = 400
"""The least effective sample size of the weights that ``auto`` accepts."""


def resample(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices drawn by systematic resampling with ``weights`` (normalised), in
    random order."""
    cum = np.cumsum(weights)
    cum[-1] = 1.0
    idx = np.searchsorted(cum, (rng.random() + np.arange(n)) / n)
    return np.asarray(rng.permutation(idx))


def _diagnostics(smoothed: psis.Smoothed, settings: SamplerSettings, seconds: float) -> Diagnostics:
    from forecast.inference import Diagnostics

    notes = []
    k, ess = smoothed.pareto_k, smoothed.ess
    if not smoothed.ok:
        notes.append(
            f"Pareto k {k:.2f} > {smoothed.threshold:.2f}: the data move the posterior too "
            "far from the prior for importance sampling; use --method nuts"
        )
    if ess < ESS_MIN:
        notes.append(f"importance ESS {ess:.0f} < {ESS_MIN}: use --method nuts")
    nan = float("nan")
    return Diagnostics(
        nan,
        nan,
        nan,
        0,
        settings.draws,
        settings.chains,
        seconds,
        tuple(notes),
        method="importance",
        pareto_k=k,
        importance_ess=ess,
    )


@dataclass(frozen=True)
class Importance:
    """A drivers posterior by importance sampling: the prior draws' smoothed weights and
    as many equally weighted draws, resampled from them, as NUTS would have made."""

    smoothed: psis.Smoothed
    alpha: np.ndarray
    """logit p0, (chain, draw)."""
    beta: np.ndarray
    """Every driver's log odds ratio, the fixed ones filled in, (chain, draw, J)."""
    llr: np.ndarray
    """Each applied evidence item's log likelihood ratio, the fixed ones filled in,
    (chain, draw, K)."""
    seconds: float

    def diagnostics(self, settings: SamplerSettings) -> Diagnostics:
        """The Pareto k and the weights' ESS, with a note when either fails."""
        return _diagnostics(self.smoothed, settings, self.seconds)

    def mcse(self, per_draw: np.ndarray) -> float:
        """The Monte Carlo error of the mean of resampled draws (chain, draw): the
        weights' (sd / sqrt(ESS)) and the resampling's (sd / sqrt(draws))."""
        return float(mcse_resampled(per_draw, self.smoothed.ess))


def mcse_resampled(per_draw: np.ndarray, ess: float) -> np.ndarray:
    """Monte Carlo errors of means over the last two axes (chain, draw) of draws
    resampled from importance weights whose effective sample size is ``ess``."""
    x = np.asarray(per_draw, dtype=float)
    flat = x.reshape(*x.shape[:-2], -1)
    n = flat.shape[-1]
    return np.asarray(flat.std(axis=-1) * np.sqrt(1.0 / max(ess, 1.0) + 1.0 / n))


def sample(inputs: Any, settings: SamplerSettings) -> Importance:
    """Importance sampling of a drivers posterior: ``max(PROPOSALS, draws)`` prior draws
    (seeded by ``settings.seed``), weighted by the cases' likelihood and resampled."""
    start = time.perf_counter()
    density = DriversDensity.of(inputs)
    rng = np.random.default_rng(settings.seed)
    chains, draws = settings.chains, settings.draws
    n = chains * draws
    prior = density.prior_draws(max(PROPOSALS, n), rng)
    smoothed = psis.smooth(density.cases_loglik(prior["u"], prior["beta"]))
    idx = resample(smoothed.weights, n, rng)
    alpha = prior["u"][idx].reshape(chains, draws)
    beta = density.full_beta(prior["beta"][idx]).reshape(chains, draws, -1)
    llr = density.full_llr(prior["llr"][idx]).reshape(chains, draws, -1)
    return Importance(smoothed, alpha, beta, llr, time.perf_counter() - start)


__all__ = [
    "ESS_MIN",
    "PROPOSALS",
    "Importance",
    "mcse_resampled",
    "resample",
    "sample",
]
