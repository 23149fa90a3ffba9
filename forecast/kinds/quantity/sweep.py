"""What a sweep may set for a quantity, and how its scenarios are answered.

* ``threshold`` (on the draws): the row's probability is P(X > threshold), so a grid of
  thresholds traces the forecast's CDF from one posterior;
* ``data.sd`` (data): the measurement error of the observed values;
* ``pool`` and ``expert.NAME.weight`` (prior): the experts' pool.

Every posterior a scenario needs is the exact one (:mod:`forecast.kinds.quantity.exact`),
one per prior and data setting, and a row's numbers are read off it as ``forecast run``
reads its headline: P(X > t) from the closed form or the quadrature grid, its error the
quadrature error estimate at t (0 in closed form), its intervals P itself (a quantity's
P(X > t) has no spread of its own, as ``forecast run`` reports it). No draws are made.
NUTS samples only under ``--method nuts`` (the error sd swapped into the compiled model,
the pool reweighted) or when the quadrature grid cannot resolve a posterior; those rows
are the draws' mean and Monte Carlo error.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.kinds.protocol import ExactSummaries
from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.spec import QuantityQuestion

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree

    from forecast.kinds.quantity.grid import Density, GridDensity
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


MASSES = (0.8, 0.95)
"""The intervals a sweep row carries (``lo80`` ... ``hi95``)."""


@dataclass(frozen=True)
class ExactPosterior:
    """A scenario's exact posterior as its rows read it: the distribution ``forecast run``
    takes its headline from (the closed form, or the quadrature grid's), and on a grid the
    same density on the fine grid and on every other point of it."""

    posterior: Density
    fine: GridDensity
    half: GridDensity | None
    """None in closed form: the numbers are exact and their error is 0."""
    chains: int
    draws: int
    seed: int

    @classmethod
    def of(cls, inputs: QuantityInputs, chains: int, draws: int, seed: int) -> ExactPosterior:
        """The exact posterior of ``inputs`` (its grid already made); ``chains``, ``draws``
        and ``seed`` say how :attr:`x` is drawn, should a caller want draws."""
        grid = inputs.grid
        if inputs.closed_form is not None:
            return cls(inputs.closed_form, grid.posterior, None, chains, draws, seed)
        half = grid.density(grid.main, half=True)
        return cls(grid.posterior, grid.posterior, half, chains, draws, seed)

    @cached_property
    def x(self) -> np.ndarray:
        """Stratified inverse-CDF draws (chain, draw) of the grid's posterior, as an exact
        run keeps them (for a caller that evaluates draws; a row needs none)."""
        from forecast.kinds.quantity.exact import stratified

        return stratified(self.fine, self.chains, self.draws, self.seed)

    def row(self, t: float) -> dict[str, float]:
        """P(X > t), its quadrature error estimate (what the exact run reports for a file
        whose threshold is t: the largest change of P(X > t) and of the quartiles and
        2.5/97.5% points, relative to the 50% interval, on the grid half as fine) and the
        intervals, all P(X > t)."""
        from forecast.kinds.quantity.quadrature import error_between

        p = float(1 - self.posterior.cdf(t))
        error = 0.0 if self.half is None else error_between(self.fine, self.half, [t])
        row = {"probability": p, "mcse": error}
        for m in MASSES:
            row[f"lo{round(100 * m)}"] = p
            row[f"hi{round(100 * m)}"] = p
        return row


def _threshold(inputs: QuantityInputs, scenario: Mapping[str, Value]) -> float:
    return float(scenario.get("threshold", inputs.thresholds[0]))


class QuantityAdapter(ExactSummaries[QuantityInputs]):
    """Thresholds on the draws; each prior and data setting's exact posterior."""

    diagnosed: ClassVar[tuple[str, ...]] = ("x",)
    methods: ClassVar[tuple[str, ...]] = ("exact", "nuts")
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
        """The scenario's exact posterior (:class:`ExactPosterior`), in place of NUTS draws
        (None: NUTS samples, when asked for or when the grid cannot resolve it). Its
        diagnostics are the exact method's: the quadrature error of the file's thresholds,
        no R-hat, no draws and so no ESS."""
        import time

        from forecast.kinds.quantity.exact import NotExact, quadrature
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
        except NotExact as exc:
            if s.method != "exact":
                return None
            from forecast.errors import ForecastError

            who = f"{job.tag[0]}: " if job.tag is not None else ""
            raise ForecastError(
                f"{who}the exact method cannot resolve this posterior ({exc})",
                hint="sweep it with --method auto or --method nuts",
            ) from None
        exact = ExactPosterior.of(inputs, s.chains, s.draws, s.seed)
        seconds = time.perf_counter() - start
        diag = exact_diagnostics(s, made.error, seconds)
        diag["ess_bulk_min"] = diag["ess_tail_min"] = math.nan
        diag["draws"] = 0
        return Posterior(exact, diag, seconds, job.tag)

    @staticmethod
    def exact_summaries(
        inputs: QuantityInputs, posterior: object, scenarios: Sequence[Mapping[str, Value]]
    ) -> list[dict[str, float]]:
        """Each scenario's row read off its exact posterior (:meth:`ExactPosterior.row`)."""
        assert isinstance(posterior, ExactPosterior)
        return [posterior.row(_threshold(inputs, s)) for s in scenarios]

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
        draws: Mapping[str, np.ndarray] | ExactPosterior,
        scenarios: Sequence[Mapping[str, Value]],
    ) -> np.ndarray:
        """Per-draw P(X > t) of each scenario, (scenarios, chain, draw) (of an exact
        posterior, on its stratified draws)."""
        x = draws.x if isinstance(draws, ExactPosterior) else draws["x"]
        t = np.array([_threshold(inputs, s) for s in scenarios])
        return (x[None, ...] > t[:, None, None]).astype(float)
