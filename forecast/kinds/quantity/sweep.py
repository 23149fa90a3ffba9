"""What a sweep may set for a quantity, and how its scenarios are answered.

* ``threshold`` (on the draws): the row's probability is P(X > threshold), so a grid of
  thresholds traces the forecast's CDF from one posterior;
* ``data.sd`` (data): the measurement error of the observed values;
* ``pool`` and ``expert.NAME.weight`` (prior): the experts' pool.

Every posterior a scenario needs is the exact one (:mod:`forecast.kinds.quantity.exact`),
drawn by stratified inverse CDF, one per prior and data setting; NUTS samples only under
``--method nuts`` (the error sd swapped into the compiled model, the pool reweighted) or
when the quadrature grid cannot resolve a posterior.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.spec import QuantityQuestion

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree

    from forecast.questions.base import QuestionMeta
    from forecast.sweep.params import Param, Value
    from forecast.sweep.strategies import Job, Posterior


def params(spec: QuantityQuestion) -> list[Param]:
    """The parameters a sweep may set for this question."""
    from forecast.sweep.params import Effect, Param

    def number(lo: float, lo_open: bool) -> Callable[[object], Value]:
        def parse(raw: object) -> Value:
            if isinstance(raw, bool):
                raise ValueError(f"must be a number (got {str(raw).lower()})")
            if not isinstance(raw, int | float | str):
                raise ValueError(f"must be a number (got {raw!r})")
            try:
                x = float(raw)
            except (TypeError, ValueError):
                raise ValueError(f"must be a number (got {raw!r})") from None
            if not math.isfinite(x) or (x <= lo if lo_open else x < lo):
                raise ValueError(
                    f"must be a finite number {'>' if lo_open else '>='} {lo:g} (got {raw!r})"
                )
            return x

        return parse

    def pool(raw: object) -> Value:
        word = str(raw).strip().lower()
        if word not in ("linear", "logarithmic"):
            raise ValueError(f"must be one of linear, logarithmic (got {raw!r})")
        return word

    out = [
        Param(
            "threshold", Effect.draws, number(-math.inf, False), "the value t of the row's P(X > t)"
        )
    ]
    if spec.data is not None:
        out.append(
            Param("data.sd", Effect.data, number(0.0, True), "the observed values' error sd")
        )
    out += [
        Param(
            f"expert.{e.name}.weight",
            Effect.prior,
            number(0.0, False),
            f"weight of expert {e.name!r} in the pool",
        )
        for e in spec.experts
    ]
    out.append(Param("pool", Effect.prior, pool, "how the experts are pooled"))
    return out


class QuantityAdapter:
    """Thresholds on the draws; each prior and data setting's exact posterior."""

    diagnosed: ClassVar[tuple[str, ...]] = ("x",)
    exact_prior: ClassVar[bool] = True
    """A prior setting's posterior is drawn exactly (:meth:`posterior`), not reweighted."""

    def __init__(self, spec: QuestionMeta, inputs: QuantityInputs, seed: int) -> None:
        self.inputs = inputs

    @staticmethod
    def current(inputs: QuantityInputs) -> dict[str, Value]:
        """The file's own pool, weights and error sd."""
        now: dict[str, Value] = {"pool": inputs.method}
        for n, w in zip(inputs.expert_names, inputs.weights, strict=True):
            now[f"expert.{n}.weight"] = float(w)
        if inputs.data is not None:
            now["data.sd"] = inputs.data.sd
        return now

    @staticmethod
    def with_prior(inputs: QuantityInputs, prior: Mapping[str, Value]) -> QuantityInputs:
        """Inputs with the scenario's pool and weights."""
        weights = tuple(
            float(prior.get(f"expert.{n}.weight", w))
            for n, w in zip(inputs.expert_names, inputs.weights, strict=True)
        )
        return inputs.with_pool(method=str(prior.get("pool", inputs.method)), weights=weights)

    @staticmethod
    def check_data(inputs: QuantityInputs, data: Mapping[str, Value]) -> None:
        """Every data setting is checked when parsed."""

    @staticmethod
    def build(inputs: QuantityInputs) -> pm.Model:
        """The quantity model with its data swappable."""
        from forecast.kinds.quantity import model

        return model.build(inputs, swappable=True)

    @staticmethod
    def set_data(model: pm.Model, inputs: QuantityInputs, data: Mapping[str, Value]) -> None:
        """Swap in the scenario's error sd (or put back the file's)."""
        if inputs.data is None:
            return
        from forecast.kinds.quantity import model as qm

        qm.set_sd(model, float(data.get("data.sd", inputs.data.sd)))

    @staticmethod
    def with_data(inputs: QuantityInputs, data: Mapping[str, Value]) -> QuantityInputs:
        """Inputs with the scenario's error sd."""
        if inputs.data is None or "data.sd" not in data:
            return inputs
        obs = dataclasses.replace(inputs.data, sd=float(data["data.sd"]))
        return dataclasses.replace(inputs, data=obs)

    @classmethod
    def posterior(cls, job: Job) -> Posterior | None:
        """Stratified inverse-CDF draws of the scenario's exact posterior, in place of NUTS
        (None: NUTS samples, when asked for or when the grid cannot resolve it)."""
        import time

        from forecast.kinds.quantity.exact import NotExact, draws, quadrature
        from forecast.sweep.adapters import exact_diagnostics
        from forecast.sweep.strategies import Posterior

        s = job.settings
        if s.method == "nuts":
            return None
        start = time.perf_counter()
        inputs = job.inputs
        assert isinstance(inputs, QuantityInputs)
        inputs = cls.with_data(inputs, dict(job.data))
        try:
            made = quadrature(inputs)
        except NotExact:
            return None
        x = draws(inputs, s.chains, s.draws, s.seed)
        seconds = time.perf_counter() - start
        return Posterior({"x": x}, exact_diagnostics(s, made.error, seconds), seconds, job.tag)

    @staticmethod
    def extract(inputs: QuantityInputs, idata: DataTree) -> dict[str, np.ndarray]:
        """The draws of x, (chain, draw)."""
        return {"x": np.asarray(idata["posterior"]["x"].values, dtype=float)}

    @staticmethod
    def log_prior(inputs: QuantityInputs, draws: Mapping[str, np.ndarray]) -> np.ndarray:
        """The pooled prior's log density at the draws."""
        return np.asarray(inputs.prior.logpdf(draws["x"]), dtype=float)

    def evaluate(
        self,
        inputs: QuantityInputs,
        draws: Mapping[str, np.ndarray],
        scenarios: Sequence[Mapping[str, Value]],
    ) -> np.ndarray:
        """Per-draw P(X > t) of each scenario, (scenarios, chain, draw)."""
        x = draws["x"]
        t = np.array([float(s.get("threshold", inputs.thresholds[0])) for s in scenarios])
        return (x[None, ...] > t[:, None, None]).astype(float)
