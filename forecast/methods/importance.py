"""The ``importance`` method: draws from the prior, weighted by the likelihood (PSIS).

For a drivers question with few coded cases the posterior is close to the prior, and
independent prior draws (NumPy, seeded), weighted by the cases' likelihood, make it
without a sampler. The weights are Pareto-smoothed (:func:`forecast.psis.smooth`); the
fitted Pareto k says whether they can be trusted (ArviZ's ``good_k``, 0.7 for these
many draws), and their effective sample size how many independent draws they are
worth. The weighted draws are resampled (systematic resampling) into as many equally
weighted draws as NUTS would have made, which the kind summarises as it would NUTS's.
The density is :class:`~forecast.methods.drivers_density.DriversDensity`, checked
against PyMC's.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from forecast import psis
from forecast.methods.drivers_density import DriversDensity

if TYPE_CHECKING:
    from forecast.inference import Diagnostics, SamplerSettings, Timer
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast

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


def forecast_drivers(
    q: LoadedQuestion,
    inputs: Any,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
    only_if_good: bool = False,
) -> Forecast | None:
    """The Forecast of a drivers question by importance sampling from the prior (None
    with ``only_if_good`` when the weights are not to be trusted: ``auto`` then samples).

    Raises
    ------
    SamplingError
        When weights too degenerate to summarise were asked for (``--method importance``).
    """
    from arviz_base import from_dict

    from forecast import kinds
    from forecast.errors import SamplingError

    start = time.perf_counter()
    density = DriversDensity.of(inputs)
    rng = np.random.default_rng(settings.seed)
    chains, draws = settings.chains, settings.draws
    n = chains * draws
    prior = density.prior_draws(max(PROPOSALS, n), rng)
    smoothed = psis.smooth(density.cases_loglik(prior["u"], prior["beta"]))
    seconds = time.perf_counter() - start
    diag = _diagnostics(smoothed, settings, seconds)
    if only_if_good and not diag.ok:
        return None
    idx = resample(smoothed.weights, n, rng)
    posterior: dict[str, np.ndarray] = {"p": special.expit(prior["u"][idx]).reshape(chains, draws)}
    for name in ("beta", "llr"):
        if prior[name].shape[-1]:
            posterior[name] = prior[name][idx].reshape(chains, draws, -1)
    if timer is not None:
        timer.lap("importance sampling")
    idata = from_dict(
        {"posterior": posterior, "sample_stats": {"diverging": np.zeros((chains, draws), bool)}}
    )
    used = replace(settings, method="importance")
    try:
        made = kinds.get(q.spec.kind).summarise(q, inputs, idata, used, timer, scenario=scenario)
    except (ValueError, FloatingPointError) as exc:
        raise SamplingError(
            f"{q.id}: importance sampling failed: {exc} (Pareto k {smoothed.pareto_k:.2f}, "
            f"ESS {smoothed.ess:.0f})",
            hint="the data move the posterior too far from the prior; use --method nuts",
        ) from exc
    # The resampled draws' error is the weights' (sd / sqrt(ESS)) plus the resampling's.
    sd = made.mcse * float(np.sqrt(n))
    mcse = sd * float(np.sqrt(1.0 / max(smoothed.ess, 1.0) + 1.0 / n))
    return replace(made, diagnostics=diag, mcse=mcse)


__all__ = ["ESS_MIN", "PROPOSALS", "forecast_drivers", "resample"]
