"""What the kinds' sweep adapters share: expert-weight and prior-strength settings of a pooled
prior, its density in logit p, the driver levels of a scenario, and the diagnostics of a row whose
draws come from an exact posterior."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypedDict

import numpy as np

from forecast.errors import ForecastError
from forecast.inference import DiagnosticsJSON, SamplerSettings
from forecast.sweep.params import Value

if TYPE_CHECKING:
    from forecast.elicit.distributions import Fitted
    from forecast.elicit.pool import PoolSpec
    from forecast.models.covariates import DriverInput
    from forecast.questions.drivers import DriverSet
    from forecast.summary import PooledInputs


class PriorChanges(TypedDict):
    """The replacements of a kind's inputs that a scenario's prior settings ask for."""

    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]


class WithDrivers(Protocol):
    """A kind's fitted inputs with named drivers."""

    @property
    def drivers(self) -> Sequence[DriverInput]: ...


def _scaled(experts: Sequence[Fitted], strength: float) -> tuple[Fitted, ...]:
    """Experts' Betas with their pseudo-sample size a + b multiplied by ``strength``."""
    if strength == 1.0:
        return tuple(experts)
    return tuple(
        dataclasses.replace(
            f,
            params={"alpha": f.params["alpha"] * strength, "beta": f.params["beta"] * strength},
        )
        for f in experts
    )


def prior_changes(inputs: PooledInputs, prior: Mapping[str, Value]) -> PriorChanges:
    """The ``experts`` / ``weights`` replacements that expert and strength settings ask for."""
    names = list(inputs.expert_names)
    weights = list(inputs.weights)
    for n, v in prior.items():
        if n.startswith("expert.") and n.endswith(".weight"):
            weights[names.index(n[len("expert.") : -len(".weight")])] = float(v)
    if sum(weights) <= 0:
        raise ForecastError(
            "expert weights must not all be zero in a scenario",
            hint="give at least one expert a positive weight",
        )
    strength = float(prior.get("prior.strength", 1.0))
    return {"experts": _scaled(inputs.experts, strength), "weights": tuple(weights)}


def current_prior(inputs: PooledInputs) -> dict[str, Value]:
    """The file's expert weights and a prior strength of 1."""
    now: dict[str, Value] = {"prior.strength": 1.0}
    for n, w in zip(inputs.expert_names, inputs.weights, strict=True):
        now[f"expert.{n}.weight"] = float(w)
    return now


def pool_logpdf_p(
    experts: Sequence[Fitted], weights: Sequence[float], pool: PoolSpec, p: np.ndarray
) -> np.ndarray:
    """Log prior density of the pooled propensity, as a density of logit p, at ``p``."""
    from forecast.elicit.pool import pooled_logpdf

    logpdf, _ = pooled_logpdf(experts, weights, pool)
    pc = np.clip(p, 1e-300, 1 - 1e-16)
    return logpdf(np.log(pc) - np.log1p(-pc))


class ScenarioLevels:
    """Driver levels of each scenario: a named scenario's, then any ``driver.*`` setting."""

    def __init__(self, spec: DriverSet, inputs: WithDrivers, seed: int) -> None:
        self.spec = spec
        self.ids = [d.id for d in inputs.drivers]

    def levels(self, s: Mapping[str, Value]) -> list[float]:
        """Driver levels (in driver order) of a scenario."""
        named = s.get("scenario")
        levels = self.spec.scenario_levels(None if named is None else str(named))
        for i in self.ids:
            if f"driver.{i}" in s:
                levels[i] = float(s[f"driver.{i}"])
        return [float(levels[i]) for i in self.ids]


def exact_diagnostics(settings: SamplerSettings, error: float, seconds: float) -> DiagnosticsJSON:
    """A sweep row's diagnostics for draws of an exact posterior: every draw independent,
    no R-hat, and the quadrature error estimate (not ok past the exact method's
    tolerance, which only ``--method exact`` keeps)."""
    from forecast.methods.exact import TOLERANCE

    n = settings.draws * settings.chains
    warnings = []
    if error > TOLERANCE:
        warnings.append(
            f"quadrature error estimate {error:.1e} > {TOLERANCE:.0e}: "
            "the grid does not resolve the posterior; try --method nuts"
        )
    return {
        "rhat_max": float("nan"),
        "ess_bulk_min": float(n),
        "ess_tail_min": float(n),
        "divergences": 0,
        "draws": settings.draws,
        "chains": settings.chains,
        "sampling_seconds": seconds,
        "ok": not warnings,
        "warnings": warnings,
        "method": "exact",
        "quadrature_error": error,
    }
