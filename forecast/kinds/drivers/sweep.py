"""What a sweep may set in a drivers question, and how its scenarios are answered.

Driver levels and named scenarios enter ``logit p = alpha + x . beta`` after sampling,
so they are evaluated on the draws; expert weights and prior strength are the prior,
reweighted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy.special import expit

from forecast.sweep.adapters import ScenarioLevels, current_prior, pool_logpdf_p, prior_changes
from forecast.sweep.params import Param, Value, driver_params, expert_params

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree

    from forecast.kinds.drivers.model import DriversInputs
    from forecast.questions.base import QuestionMeta

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

        alpha, beta = draws["alpha"] + draws["shift"], draws["beta"]
        return np.stack([drivers.probability_at(alpha, beta, self.levels(s)) for s in scenarios])


__all__ = ["DriversAdapter", "DriversDraws", "params"]
