"""A drivers model's posterior as a Forecast: P(event) at the scenario's levels, every
scenario and each driver's swing, the cases, pools and sensitivity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from forecast import results, summary
from forecast.inference import Diagnostics, SamplerSettings, Timer
from forecast.kinds.drivers import model as dm
from forecast.kinds.drivers.result import DriversResult
from forecast.kinds.drivers.sensitivity import of_draws
from forecast.kinds.drivers.spec import DriversQuestion
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    from xarray import DataTree

    from forecast.headline import Pools
    from forecast.kinds.drivers.model import DriversInputs


@dataclass(frozen=True)
class Posterior:
    """A drivers posterior's draws, as plain arrays, and how they were made."""

    alpha: np.ndarray
    """logit p0, (chain, draw)."""
    beta: np.ndarray
    """Every driver's log odds ratio, the fixed ones filled in, (chain, draw, J)."""
    llr: np.ndarray
    """Each applied evidence item's log likelihood ratio, (chain, draw, K)."""
    diagnostics: Diagnostics
    mcse: Callable[[np.ndarray], float] | None = None
    """The Monte Carlo error of a mean of per-draw values (chain, draw), when it is not
    that of NUTS's chains (ArviZ's, from their autocorrelation)."""


def summarise(
    q: LoadedQuestion,
    inputs: DriversInputs,
    idata: DataTree,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
) -> results.Forecast:
    """NUTS's posterior of a drivers model -> Forecast (scenarios and swings in its
    result)."""
    from forecast.inference import diagnose

    post = idata["posterior"]
    seconds = float(post.attrs.get("sampling_time", 0.0) or 0.0)
    names = ["p"] + [n for n in ("beta", "llr") if n in post]
    diag = diagnose(idata, names, seconds)
    alpha, beta = dm.posterior_draws(inputs, idata)
    llr = dm.evidence_shifts(inputs, post)
    drawn = Posterior(alpha, beta, llr, diag)
    return summarise_draws(q, inputs, drawn, settings, timer, scenario=scenario)


def summarise_draws(
    q: LoadedQuestion,
    inputs: DriversInputs,
    drawn: Posterior,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
) -> results.Forecast:
    """A drivers posterior's draws -> Forecast (scenarios and swings in its result)."""
    spec = q.spec
    assert isinstance(spec, DriversQuestion)
    alpha, beta, llr, diag = drawn.alpha, drawn.beta, drawn.llr, drawn.diagnostics
    shift = llr.sum(axis=-1)
    rng = np.random.default_rng(settings.seed)
    pa, pb = dm.prior_draws(
        inputs.experts, inputs.weights, inputs.drivers, summary.PRIOR_DRAWS, rng
    )
    levels = dm.levels_vector(inputs.drivers, spec.scenario_levels(scenario))

    def base_prob(lv: list[float]) -> np.ndarray:
        return dm.probability_at(alpha, beta, lv)

    def post_prob(lv: list[float]) -> np.ndarray:
        return dm.probability_at(alpha + shift, beta, lv)

    def prior_prob(lv: list[float]) -> np.ndarray:
        return dm.probability_at(pa, pb, lv)

    n_cases = len(inputs.cases_y)
    chain_draws = post_prob(levels)
    start = (
        float(np.mean(1 / (1 + np.exp(-pa))))
        if n_cases
        else float(np.mean(base_prob([0.0] * len(levels))))
    )
    steps = [results.Step("experts (pooled, every driver off)", "experts", start, start)]
    steps += summary.driver_steps(
        inputs.drivers, levels, prior_prob if n_cases else base_prob, start
    )
    if n_cases:
        steps.append(
            results.Step(
                f"cases ({int(inputs.cases_y.sum())} of {n_cases} with the event)",
                "cases",
                steps[-1].after,
                float(np.mean(base_prob(levels))),
            )
        )
    for k, e in enumerate(inputs.applied):
        after = float(np.mean(dm.probability_at(alpha + llr[..., : k + 1].sum(-1), beta, levels)))
        steps.append(results.Step(f"evidence: {e.id}", "evidence", steps[-1].after, after))
    result = DriversResult(
        summary.driver_effects(spec, scenario, lambda lv: post_prob(lv).reshape(-1)),
        n_cases,
        int(inputs.cases_y.sum()),
        of_draws(inputs, alpha, beta, chain_draws),
        summary.swapped_pools(inputs, alpha, chain_draws)
        if n_cases
        else prior_pools(inputs, beta, shift, levels, float(np.mean(chain_draws))),
    )
    forecast = summary.assemble(
        q,
        settings,
        diag,
        chain_draws,
        # With no cases the posterior draws are the prior's: the forecast before the data
        # is read off the same draws as the steps that reach it, so the two agree.
        prior_prob(levels) if n_cases else base_prob(levels),
        steps,
        summary.experts_view(inputs.expert_names, inputs.weights, inputs.experts, spec.experts),
        result,
        inputs.evidence,
        mcse=None if drawn.mcse is None else drawn.mcse(chain_draws),
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast


def prior_pools(
    inputs: DriversInputs,
    beta: np.ndarray,
    shift: np.ndarray,
    levels: list[float],
    headline: float,
) -> Pools:
    """Pool swaps and drop-one rows of a drivers question with no cases, by quadrature.

    With nothing coded the posterior is the prior, in which the baseline p0 is
    independent of the drivers' odds ratios and of the evidence. The forecast under
    another pool (or without one expert) is then the integral over u = logit p0 of that
    pool's density times E[sigmoid(u + S)], S being each draw's log-odds shift
    (``x . beta`` in every state of the drivers, weighted by its chance at ``levels``,
    plus the evidence's ``shift``): the event kind's comparison
    (:func:`forecast.elicit.pool.compare`), with no importance weights to smooth.
    """
    from forecast.elicit.pool import PoolSpec, compare
    from forecast.elicit.quadrature import shift_means
    from forecast.headline import measured_from
    from forecast.models.covariates import shift_states

    states, chance = shift_states(np.asarray(beta, dtype=float), levels)
    s = states + np.asarray(shift, dtype=float)[..., None]
    w = np.broadcast_to(chance, s.shape)

    def mean_sigmoid(u: np.ndarray) -> np.ndarray:
        return shift_means(u, s, w)

    pools = compare(
        inputs.expert_names, inputs.experts, inputs.weights, PoolSpec(), None, None, mean_sigmoid
    )
    return measured_from(pools, headline)


def by_importance(
    q: LoadedQuestion,
    inputs: DriversInputs,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
    only_if_good: bool = False,
) -> results.Forecast:
    """The Forecast of a drivers question by importance sampling from the prior
    (:func:`forecast.methods.importance.sample`).

    Raises
    ------
    Declined
        With ``only_if_good``, when the weights are not to be trusted (``auto`` then
        samples, saying why).
    SamplingError
        When weights too degenerate to summarise were asked for (``--method importance``).
    """
    from forecast.errors import SamplingError
    from forecast.methods.importance import sample

    made = sample(inputs, settings)
    diag = made.diagnostics(settings)
    if only_if_good and not diag.ok:
        from forecast.methods import Declined

        raise Declined("; ".join(diag.warnings))
    if timer is not None:
        timer.lap("importance sampling")
    used = replace(settings, method="importance")
    drawn = Posterior(made.alpha, made.beta, made.llr, diag, made.mcse)
    try:
        return summarise_draws(q, inputs, drawn, used, timer, scenario=scenario)
    except (ValueError, FloatingPointError) as exc:
        k, ess = made.smoothed.pareto_k, made.smoothed.ess
        raise SamplingError(
            f"{q.id}: importance sampling failed: {exc} (Pareto k {k:.2f}, ESS {ess:.0f})",
            hint="the data move the posterior too far from the prior; use --method nuts",
        ) from exc


__all__ = ["Posterior", "by_importance", "prior_pools", "summarise", "summarise_draws"]
