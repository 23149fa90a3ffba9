"""Posterior draws of a quantity -> a :class:`~forecast.results.Forecast`.

The shared headline of every forecast is a probability: for a quantity it is P(X > t)
for the first threshold the file lists, so a quantity also answers an event question
(and is scored as one when it resolves). The quantity's own numbers (median, 50/80/95%
intervals, P(X > t) for every threshold, the CDF) are in the ``quantity`` result,
sampled, and checked against the exact posterior (closed form or quadrature).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from forecast import results
from forecast.inference import Diagnostics, SamplerSettings, Timer, diagnose
from forecast.kinds.fields import question_fields
from forecast.kinds.quantity import power, scores, summary
from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.result import ExpertFit, QuantityResult
from forecast.kinds.quantity.sensitivity import rows as sensitivity_rows
from forecast.kinds.quantity.spec import QuantityQuestion
from forecast.kinds.quantity.update import conjugate
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    from xarray import DataTree

    from forecast.sensitivity import Sensitivity

EXACT_TOLERANCE = 0.002


def data_label(inputs: QuantityInputs) -> str:
    """``2 observed values (error sd 0.3 on the log scale)``."""
    obs = inputs.data
    if obs is None:
        return "no observed values"
    n = len(obs.values)
    scale = "log" if obs.log else "natural"
    return f"{n} observed value{'s' if n != 1 else ''} (error sd {obs.sd:g}, {scale} scale)"


def _exact_method(inputs: QuantityInputs) -> str:
    if inputs.data is None:
        return "pool" if inputs.method == "linear" else "quadrature"
    return "conjugate" if conjugate(inputs.prior, inputs.data) is not None else "quadrature"


def _check(diag: Diagnostics, sampled: float, mcse: float, exact: float, t: float) -> Diagnostics:
    if abs(sampled - exact) <= max(4 * mcse, EXACT_TOLERANCE):
        return diag
    note = (
        f"the sampled P(X > {t:g}) = {100 * sampled:.1f}% misses the exact {100 * exact:.1f}% "
        "(quadrature): the chains did not explore the whole posterior, likely because the "
        "experts' judgements barely overlap; trust the exact value or widen the judgements"
    )
    return replace(diag, warnings=(*diag.warnings, note))


def result_of(
    spec: QuantityQuestion,
    inputs: QuantityInputs,
    draws: np.ndarray | None,
    sensitivity: Sensitivity,
    headline: float,
) -> QuantityResult:
    """The typed result from the fitted inputs, the posterior draws of ``x`` (None: the
    forecast is the exact posterior), the power-scaling sensitivity and the headline."""
    s = inputs.support
    bounds = (
        s.lower if math.isfinite(s.lower) else None,
        s.upper if math.isfinite(s.upper) else None,
    )
    obs = inputs.data
    moves = sensitivity_rows(inputs, data_label(inputs))
    exact = summary.of_distribution(inputs.exact_posterior, inputs.thresholds)
    return QuantityResult(
        unit=spec.unit,
        support=s.name,
        bounds=bounds,
        pool=inputs.method,
        prior=summary.of_distribution(inputs.prior, inputs.thresholds),
        posterior=exact if draws is None else summary.of_draws(draws, inputs.thresholds),
        exact=exact,
        exact_method=_exact_method(inputs),
        experts=tuple(
            ExpertFit(e.name, w, e.judgement.form, f)
            for e, w, f in zip(spec.experts, inputs.normalised_weights, inputs.fits, strict=True)
        ),
        moves=moves,
        sensitivity=sensitivity,
        pools=power.pools(inputs, moves, headline),
        ensemble=tuple(scores.ensemble(inputs.exact_posterior)),
        data=None
        if obs is None
        else {
            "values": list(obs.values),
            "sd": obs.sd,
            "scale": "log" if obs.log else "natural",
            "label": data_label(inputs),
        },
    )


def summarise(
    q: LoadedQuestion,
    inputs: QuantityInputs,
    idata: DataTree,
    settings: SamplerSettings,
    timer: Timer | None = None,
) -> results.Forecast:
    """Posterior of a quantity model -> its Forecast (used with real or fabricated draws)."""
    spec = q.spec
    assert isinstance(spec, QuantityQuestion)
    post = idata["posterior"]
    seconds = float(post.attrs.get("sampling_time", 0.0) or 0.0)
    diag = diagnose(idata, ["x"], seconds)
    x = np.asarray(post["x"].values, dtype=float)
    t = inputs.thresholds[0]
    above = (x > t).astype(float)
    p = float(above.mean())
    mcse = results.mcse_mean(above)
    exact = float(1 - inputs.exact_posterior.cdf(t))
    diag = _check(diag, p, mcse, exact, t)
    prior_p = float(1 - inputs.prior.cdf(t))
    steps = [results.Step(f"experts (pooled prior): P(X > {t:g})", "experts", prior_p, prior_p)]
    if inputs.data is not None:
        steps.append(results.Step(data_label(inputs), "data", prior_p, p))
    forecast = results.Forecast(
        **question_fields(q, settings),
        probability=p,
        mcse=mcse,
        intervals=tuple(results.Interval(m, p, p) for m in (0.8, 0.95)),
        prior_probability=prior_p,
        prior_interval=results.Interval(0.95, prior_p, prior_p),
        steps=tuple(steps),
        experts=(),
        evidence=(),
        base_rate=None,
        diagnostics=diag,
        draws={"q": above.reshape(-1), "x": x.reshape(-1)},
        result=result_of(
            spec,
            inputs,
            x,
            power.power_scaling(inputs, x, t, data_label(inputs)),
            float(np.mean(x > t)),
        ),
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast
