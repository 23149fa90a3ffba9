"""What a sweep may set in a drivers question, and how its scenarios are answered.

The posterior is the one a run makes: importance sampling from the prior, the draws
weighted by the cases' likelihood (Pareto-smoothed) and resampled
(:func:`forecast.methods.importance.sample`, the run's seed giving the run's draws);
NUTS samples only when asked for (``--method nuts``) or when ``auto`` finds the weights
untrustworthy (Pareto k or ESS), as a run does. Driver levels and named scenarios enter
``logit p = alpha + x . beta`` after sampling, so every scenario is evaluated on the
same draws: P(event) per draw is the sum over the drivers' joint states x of
P(x | levels) sigmoid(alpha + x . beta), and the sigmoids do not depend on the levels,
so all scenarios at once are one matrix product of the draws' sigmoids (draws, states)
with the scenarios' state probabilities (states, scenarios). Expert weights and prior
strength are the prior, reweighted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.special import expit
from forecast.sweep.adapters import ScenarioLevels, current_prior, pool_logpdf_p, prior_changes
from forecast.sweep.params import Param, Value, driver_params, expert_params

if TYPE_CHECKING:
    from forecast.sweep.strategies import Job, Posterior

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree

    from forecast.kinds.drivers.model import DriversInputs
    from forecast.questions.base import QuestionMeta

ALL_STATES_MAX = 10
"""Drivers up to which a chunk of scenarios is evaluated over all 2^J joint states at
once; with more, scenario by scenario over the states their levels leave uncertain."""

DriversDraws = Mapping[str, np.ndarray]
"""What a sweep extracts of a drivers posterior: ``alpha`` (chain, draw), ``beta``
(chain, draw, J), the baseline ``p`` and the evidence's log-odds ``shift``."""


def params(spec: QuestionMeta) -> list[Param]:
    """What a drivers question can sweep."""
    from forecast.kinds.drivers.spec import DriversQuestion

    assert isinstance(spec, DriversQuestion)
    return driver_params(spec) + expert_params([e.name for e in spec.experts])


class DriversAdapter(ScenarioLevels):
    """Drivers questions: levels and named scenarios on the draws; prior reweighted."""

    diagnosed: ClassVar[tuple[str, ...]] = ("p", "beta", "llr")
    methods: ClassVar[tuple[str, ...]] = ("importance", "nuts")

    @staticmethod
    def current(inputs: DriversInputs) -> dict[str, Value]:
        """The file's own values of the prior settings."""
        return current_prior(inputs)

    @staticmethod
    def with_prior(inputs: DriversInputs, prior: Mapping[str, Value]) -> DriversInputs:
        """Inputs with the scenario's expert weights and prior strength."""
        return dataclasses.replace(inputs, **prior_changes(inputs, prior))

    @staticmethod
    def check_data(inputs: DriversInputs, data: Mapping[str, Value]) -> None:
        """No data settings to check: cases are not swept."""

    @staticmethod
    def build(inputs: DriversInputs) -> pm.Model:
        """The drivers model."""
        from forecast.kinds.drivers import model as drivers

        return drivers.build(inputs)

    @staticmethod
    def set_data(model: pm.Model, inputs: DriversInputs, data: Mapping[str, Value]) -> None:
        """Nothing to swap yet: cases are not swept."""

    @staticmethod
    def posterior(job: Job) -> Posterior | None:
        """The importance posterior a run would make (None: NUTS samples, when asked for
        or when ``auto`` finds the smoothed weights untrustworthy)."""
        from forecast.methods.importance import sample
        from forecast.sweep.strategies import Posterior

        s = job.settings
        if s.method == "nuts":
            return None
        made = sample(job.inputs, s)
        diag = made.diagnostics(s)
        if s.method == "auto" and not diag.ok:
            return None
        alpha = made.alpha
        draws = {"alpha": alpha, "beta": made.beta, "p": expit(alpha), "shift": made.llr.sum(-1)}
        return Posterior(draws, diag.to_dict(), made.seconds, job.tag)

    @staticmethod
    def extract(inputs: DriversInputs, idata: DataTree) -> dict[str, np.ndarray]:
        """alpha (chain, draw), beta (chain, draw, J), p, and the evidence's log-odds shift."""
        from forecast.kinds.drivers import model as drivers

        alpha, beta = drivers.posterior_draws(inputs, idata)
        shift = drivers.evidence_shifts(inputs, idata["posterior"]).sum(axis=-1)
        return {"alpha": alpha, "beta": beta, "p": expit(alpha), "shift": shift}

    @staticmethod
    def log_prior(inputs: DriversInputs, draws: DriversDraws) -> np.ndarray:
        """Log prior density (linear pool) at the draws of the baseline p."""
        from forecast.elicit.pool import PoolSpec

        return np.asarray(pool_logpdf_p(inputs.experts, inputs.weights, PoolSpec(), draws["p"]))

    def evaluate(
        self, inputs: DriversInputs, draws: DriversDraws, scenarios: Sequence[Mapping[str, Value]]
    ) -> np.ndarray:
        """Per-draw P(event), (scenarios, chain, draw)."""
        from forecast.kinds.drivers import model as drivers
        from forecast.models.covariates import states

        alpha, beta = draws["alpha"] + draws["shift"], draws["beta"]
        rows = [self.levels(s) for s in scenarios]
        if len(self.ids) > ALL_STATES_MAX:
            return np.stack([drivers.probability_at(alpha, beta, lv) for lv in rows])
        levels = np.array(rows, dtype=float).reshape(len(rows), len(self.ids))
        x, _ = states([0.5] * len(self.ids))  # every joint state (states, J)
        sig = expit(alpha[..., None] + beta @ x.T)  # (chain, draw, states)
        # P(state | levels) for every scenario: prod_j l_j^x_j (1 - l_j)^(1 - x_j).
        w = np.prod(np.where(x[None] > 0.5, levels[:, None], 1.0 - levels[:, None]), axis=-1)
        return np.einsum("sk,cdk->scd", w, sig)


__all__ = ["DriversAdapter", "DriversDraws", "params"]
