"""An event question's :class:`~forecast.results.Forecast` by the exact method.

The same Forecast the sampled path makes (:func:`forecast.kinds.event.summary.summarise`),
with every number from the quadrature of :mod:`forecast.methods.exact`: the headline,
its intervals and the chain of steps exactly; the pool comparison given the evidence's
shift at evenly spaced quantiles; the sensitivity rows and plots from inverse-CDF draws
of the exact posterior. Nothing here imports PyMC, PyTensor or ArviZ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast import special
from forecast.methods.exact import ExactEvent, diagnostics, used

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings, Timer
    from forecast.kinds.event.model import EventInputs
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast

SHIFT_QUANTILES = 200
"""Evenly spaced quantiles of the evidence's shift the pool comparison averages over."""


def shift_quantiles(result: ExactEvent) -> np.ndarray | None:
    """The evidence's summed log likelihood ratio at evenly spaced quantiles (None when
    no evidence applies)."""
    d = result.grid.density
    if not d.items:
        return None
    mu = sum(m for m, _ in d.items)
    sd = float(np.sqrt(sum(s * s for _, s in d.items)))
    probs = (np.arange(SHIFT_QUANTILES) + 0.5) / SHIFT_QUANTILES
    return np.asarray(mu + sd * special.ndtri(probs)) if sd > 0 else np.full(1, mu)


def forecast_event(
    q: LoadedQuestion, inputs: EventInputs, settings: SamplerSettings, timer: Timer | None = None
) -> Forecast:
    """The Forecast of an event question by quadrature (``inputs``: its fitted numbers)."""
    from forecast import results
    from forecast.headline import measured_from
    from forecast.kinds.event.fields import common_fields
    from forecast.kinds.event.model import compare_pools_exact
    from forecast.kinds.event.result import EventResult
    from forecast.kinds.event.sensitivity import of_grid

    exact = ExactEvent.of(inputs)
    if timer is not None:
        timer.lap("quadrature")
    prior = inputs.prior
    labels = [f"evidence: {e.id}" for e in inputs.applied]
    steps = exact.steps(inputs.base_rate is not None, prior.mean(), labels)
    p_chain, q_chain, _ = exact.draws(settings.chains, settings.draws, settings.seed)
    pools = compare_pools_exact(inputs, exact.shift)
    settings = used(settings, "exact")
    forecast = results.Forecast(
        **common_fields(q, inputs, settings),
        probability=exact.probability,
        mcse=0.0,
        intervals=tuple(results.Interval(m, lo, hi) for m, lo, hi in exact.intervals),
        steps=tuple(steps),
        diagnostics=diagnostics(exact, settings),
        draws={"p": p_chain.reshape(-1), "q": q_chain.reshape(-1)},
        result=EventResult(
            measured_from(pools, exact.probability), of_grid(inputs, exact, p_chain.size)
        ),
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast


__all__ = ["forecast_event", "shift_quantiles"]
