"""An event model's posterior as a Forecast: P(event), its steps, pools and sensitivity."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit, logit

from forecast import results
from forecast.headline import measured_from
from forecast.inference import Diagnostics, SamplerSettings, Timer, diagnose
from forecast.kinds.event.fields import common_fields
from forecast.kinds.event.result import EventResult
from forecast.kinds.event.spec import EventQuestion
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    from xarray import DataTree

    from forecast.elicit.pool import Comparison
    from forecast.kinds.event.model import EventInputs


def summarise(
    q: LoadedQuestion,
    inputs: EventInputs,
    idata: DataTree,
    settings: SamplerSettings,
    timer: Timer | None = None,
) -> results.Forecast:
    """Posterior of an event model -> Forecast (used with real or fabricated draws)."""
    spec = q.spec
    assert isinstance(spec, EventQuestion)
    post = idata["posterior"]
    names = ["p", "q"] + (["llr"] if "llr" in post else [])
    seconds = float(idata["posterior"].attrs.get("sampling_time", 0.0) or 0.0)
    diag = diagnose(idata, names, seconds)
    q_chain = np.asarray(post["q"].values, dtype=float)
    q_flat = q_chain.reshape(-1)
    p_flat = np.asarray(post["p"].values, dtype=float).reshape(-1)
    prior = inputs.prior
    llr_cols: list[tuple[str, np.ndarray]] = []
    uncertain = [e for e in inputs.applied if not e.fitted.fixed]
    if uncertain:
        llr = np.asarray(post["llr"].values, dtype=float).reshape(-1, len(uncertain))
    col = 0
    for e in inputs.applied:
        if e.fitted.fixed:
            shift = np.full_like(p_flat, e.fitted.params["mu"])
        else:
            shift = llr[:, col]
            col += 1
        llr_cols.append((f"evidence: {e.id}", shift))
    steps = event_steps(prior.mean(), p_flat, llr_cols, inputs.base_rate is not None)
    from forecast.kinds.event.model import compare_pools
    from forecast.kinds.event.sensitivity import of_draws

    total_shift = sum((s for _, s in llr_cols), np.zeros_like(p_flat)) if llr_cols else None
    pools = compare_pools(inputs, total_shift)
    diag = check_against_exact(
        diag, float(q_flat.mean()), results.mcse_mean(q_chain), pools, len(inputs.experts)
    )
    forecast = results.Forecast(
        **common_fields(q, inputs, settings),
        probability=float(q_flat.mean()),
        mcse=results.mcse_mean(q_chain),
        intervals=results.intervals_of(q_flat),
        steps=tuple(steps),
        diagnostics=diag,
        draws={"p": p_flat, "q": q_flat},
        result=EventResult(
            measured_from(pools, float(q_flat.mean())),
            of_draws(inputs, np.asarray(post["p"].values, dtype=float), q_chain),
        ),
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast


def event_steps(
    prior_mean: float, p: np.ndarray, llr_cols: list[tuple[str, np.ndarray]], has_base_rate: bool
) -> list[results.Step]:
    """The chain experts -> base rate -> each applied evidence item, in file order.

    Each step is the posterior mean of the propensity with the inputs so far; the order
    matters when effects are large, and the report says the order used.
    """
    steps = [results.Step("experts (pooled prior)", "experts", prior_mean, prior_mean)]
    current = float(p.mean())
    if has_base_rate:
        steps.append(results.Step("base rate", "base_rate", prior_mean, current))
    logits = logit(np.clip(p, 1e-15, 1 - 1e-15))
    for label, shift in llr_cols:
        logits = logits + shift
        after = float(expit(logits).mean())
        steps.append(results.Step(label, "evidence", current, after))
        current = after
    return steps


EXACT_TOLERANCE = 0.002
"""Least gap (in probability) between the sampled forecast and the exact one that is
called a sampling failure; the Monte Carlo error widens it (four standard errors)."""


def check_against_exact(
    diag: Diagnostics, sampled: float, mcse: float, pools: Comparison, experts: int = 2
) -> Diagnostics:
    """Diagnostics with a warning when the sampled forecast misses the exact one.

    The pool comparison computes the same forecast by quadrature over p (given the
    evidence draws), so a gap larger than the Monte Carlo error means the chains did
    not explore the posterior: typically experts whose judgements barely overlap make
    it multi-modal, and every chain stayed in one mode, which R-hat cannot see. With
    one expert there is no such cause: the judgement itself is extreme.
    """
    from forecast.render.fmt import pct

    exact = float(pools.reference)
    if abs(sampled - exact) <= max(4 * mcse, EXACT_TOLERANCE):
        return diag
    cause = (
        "likely because the experts' judgements barely overlap; trust the exact value, "
        "widen the judgements, or try --pool logarithmic"
        if experts > 1
        else "likely because the judgement puts its mass very near 0 or 1; trust the exact "
        "value, or widen the judgement"
    )
    note = (
        f"the sampled forecast {pct(sampled)} misses the exact "
        f"{pct(exact)} (quadrature over p): the chains did not explore the "
        f"whole posterior, {cause}"
    )
    return replace(diag, warnings=(*diag.warnings, note))


__all__ = ["EXACT_TOLERANCE", "check_against_exact", "event_steps", "summarise"]
