"""Pieces of a :class:`~forecast.results.Forecast` that several kinds assemble the same way.

The forecast's common fields from per-draw probabilities, the steps of drivers set one
by one, every named scenario and each driver's swing, the experts' table, and the pool
swaps measured by reweighting the draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from forecast import results
from forecast.effects import Chosen, DriverEffects, ScenarioView, SwingView
from forecast.headline import Pools, measured_from
from forecast.inference import Diagnostics, SamplerSettings
from forecast.kinds.fields import question_fields
from forecast.questions.drivers import DriverSet
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    from forecast.elicit.distributions import Fitted
    from forecast.questions.experts import Expert


class Named(Protocol):
    """A fitted driver: what a step names it by."""

    @property
    def id(self) -> str: ...


class PooledInputs(Protocol):
    """A kind's fitted inputs whose experts are pooled on a probability."""

    @property
    def expert_names(self) -> tuple[str, ...]: ...
    @property
    def experts(self) -> tuple[Fitted, ...]: ...
    @property
    def weights(self) -> tuple[float, ...]: ...


PRIOR_DRAWS = 4000
"""Draws from the prior (NumPy, seeded) for the prior forecast and the driver steps."""


def assemble(
    q: LoadedQuestion,
    settings: SamplerSettings,
    diag: Diagnostics,
    chain_draws: np.ndarray,
    prior: np.ndarray,
    steps: list[results.Step],
    experts: tuple[results.ExpertView, ...],
    result: results.KindResult,
    evidence: Sequence[results.FittedEvidence] = (),
    mcse: float | None = None,
) -> results.Forecast:
    """A Forecast from per-draw probabilities (chain, draw) and prior draws of the same.

    ``mcse`` is the headline's Monte Carlo error when it is not that of NUTS's chains
    (ArviZ's, from their autocorrelation), e.g. that of importance-weighted draws.
    """
    flat = chain_draws.reshape(-1)
    lo, hi = results.band(prior, 0.95)
    return results.Forecast(
        **question_fields(q, settings),
        probability=float(flat.mean()),
        mcse=results.mcse_mean(chain_draws) if mcse is None else mcse,
        intervals=results.intervals_of(flat),
        prior_probability=float(np.mean(prior)),
        prior_interval=results.Interval(0.95, lo, hi),
        steps=tuple(steps),
        experts=experts,
        evidence=tuple(results.evidence_view(e) for e in evidence),
        base_rate=None,
        diagnostics=diag,
        result=result,
    )


def driver_effects(
    spec: DriverSet, scenario: str | None, prob: Callable[[list[float]], np.ndarray]
) -> DriverEffects:
    """Every scenario's probability and each driver's swing, from the same draws.

    ``prob`` maps driver levels (in file order) to per-draw probabilities; swings set
    one driver on and off with the others at the levels of ``scenario``.
    """
    ids = [d.id for d in spec.drivers]
    now = spec.scenario_levels(scenario)

    def vec(levels: dict[str, float]) -> list[float]:
        return [float(levels[i]) for i in ids]

    current = spec.scenario_levels(None)
    views = [ScenarioView.of("current levels", current, prob(vec(current)))]
    for name in spec.scenarios:
        levels = spec.scenario_levels(name)
        views.append(ScenarioView.of(name, levels, prob(vec(levels))))
    swings = []
    for d in spec.drivers:
        on, off = prob(vec({**now, d.id: 1.0})), prob(vec({**now, d.id: 0.0}))
        swings.append(SwingView.of(d.id, d.description, now[d.id], on, off))
    swings.sort(key=lambda s: -abs(s.swing))
    chosen = Chosen(scenario, dict(spec.scenarios[scenario])) if scenario is not None else None
    return DriverEffects(chosen, tuple(views), tuple(swings))


def driver_steps(
    drivers: Sequence[Named],
    levels: list[float],
    prob: Callable[[list[float]], np.ndarray],
    start: float,
) -> list[results.Step]:
    """Each driver set to its level in turn, starting from every driver off."""
    steps: list[results.Step] = []
    current = [0.0] * len(drivers)
    before = start
    for j, d in enumerate(drivers):
        current[j] = levels[j]
        after = float(np.mean(prob(current)))
        label = f"driver: {d.id} (level {fmt_level(levels[j])})"
        steps.append(results.Step(label, "driver", before, after))
        before = after
    return steps


def fmt_level(level: float) -> str:
    """A driver level: on, off, or the probability that it holds."""
    return "on" if level >= 1 else "off" if level <= 0 else f"{100 * level:.0f}%"


def experts_view(
    names: Sequence[str],
    weights: Sequence[float],
    fitted: Sequence[Fitted],
    spec_experts: Sequence[Expert],
) -> tuple[results.ExpertView, ...]:
    """Each expert's fit, with their weights normalised."""
    total = sum(weights)
    return tuple(
        results.expert_view(n, e.judgement.form, w / total, f)
        for n, w, f, e in zip(names, weights, fitted, spec_experts, strict=True)
    )


def swapped_pools(inputs: PooledInputs, u: np.ndarray, chain_draws: np.ndarray) -> Pools:
    """Pool swaps and drop-one rows by reweighting the draws (``u``: logit of the pooled
    quantity), each measured from the forecast the draws give."""
    from forecast.elicit.pool import PoolSpec
    from forecast.elicit.swap import compare_by_reweighting

    pools = compare_by_reweighting(
        inputs.expert_names, inputs.experts, inputs.weights, PoolSpec(), u, chain_draws
    )
    return measured_from(pools, pools.reference)  # the same draws as the headline


__all__ = [
    "PRIOR_DRAWS",
    "Named",
    "PooledInputs",
    "assemble",
    "driver_effects",
    "driver_steps",
    "experts_view",
    "fmt_level",
    "swapped_pools",
]
