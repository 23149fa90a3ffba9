"""What a sweep may set in an event question, and how its scenarios are answered.

Evidence switched on or off, or given another likelihood ratio, is evaluated on the
posterior of ``p`` (``q = sigmoid(logit p + sum(llr))``, nothing observed depends on
``llr``); the base rate's counts and weight are data; expert weights, prior strength
and the pool are the prior.

When the question is forecast exactly (``--method auto`` or ``exact``), every scenario's
posterior is the exact one (:class:`ExactEventPosterior`): the file's own for evidence
settings, one quadrature per base-rate setting and per prior setting (no reweighting).
A row's ``probability`` is then E[q] by the quadrature ``forecast run`` uses, with the
scenario's evidence as the Normal shift S of :mod:`forecast.methods.grid`, and its
``mcse`` the quadrature error estimate of that number: its change on the grid half as
fine with half the Gauss–Hermite nodes. Only the row's intervals come from draws:
stratified inverse-CDF draws of the same exact posterior (their quantiles have a Monte
Carlo error that ``mcse`` does not state). Under ``--method nuts`` (or past the exact
method's tolerance) the base rate is swapped into the compiled model, the prior
reweighted from NUTS's draws, and every number comes from the draws.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.errors import ForecastError
from forecast.kinds.protocol import ExactSummaries
from forecast.special import expit
from forecast.sweep.adapters import current_prior, pool_logpdf_p, prior_changes
from forecast.sweep.params import Effect, Param, Value, choice, expert_params, number
from forecast.sweep.strategies import Job, Posterior, derived_seed

if TYPE_CHECKING:
    import pymc as pm
    from xarray import DataTree

    from forecast.kinds.event.model import EventInputs
    from forecast.methods.exact import ExactEvent
    from forecast.methods.grid import GridPosterior, Shift
    from forecast.questions.base import QuestionMeta

EventDraws = Mapping[str, np.ndarray]
"""What a sweep extracts of an event posterior: ``p`` (chain, draw) and the sampled
``llr`` (chain, draw, U) when evidence is uncertain."""


def switch(raw: object) -> Value:
    """``on`` or ``off`` from a setting as written (a word, a number or a boolean)."""
    if isinstance(raw, bool):
        return "on" if raw else "off"
    word = str(raw).strip().lower()
    if word in {"on", "1", "true", "yes"}:
        return "on"
    if word in {"off", "0", "false", "no"}:
        return "off"
    raise ValueError(f"must be on or off (got {raw!r})")


def params(spec: QuestionMeta) -> list[Param]:
    """What an event question can sweep."""
    from forecast.elicit.pool import METHODS
    from forecast.kinds.event.spec import EventQuestion

    assert isinstance(spec, EventQuestion)

    out: list[Param] = []
    for ev in spec.evidence:
        out.append(Param(f"evidence.{ev.id}", Effect.draws, switch, "apply the evidence: on/off"))
        out.append(
            Param(
                f"evidence.{ev.id}.lr",
                Effect.draws,
                number(0.0, math.inf, lo_open=True),
                "the likelihood ratio, as a known number",
            )
        )
    if spec.base_rate is not None:
        out += [
            Param(
                "base_rate.weight",
                Effect.data,
                number(0.0, 1.0, lo_open=True),
                "relevance weight of the base rate",
            ),
            Param(
                "base_rate.successes",
                Effect.data,
                number(0.0, math.inf, whole=True),
                "successes in the reference class",
            ),
            Param(
                "base_rate.trials",
                Effect.data,
                number(1.0, math.inf, whole=True),
                "cases in the reference class",
            ),
        ]
    out += expert_params([e.name for e in spec.experts])
    out.append(Param("pool", Effect.prior, choice(METHODS), "how the experts are pooled"))
    out.append(
        Param(
            "pool.extremize",
            Effect.prior,
            number(0.0, 5.0, lo_open=True),
            "extremizing factor d of the pool",
        )
    )
    return out


@dataclass(frozen=True)
class ExactEventPosterior:
    """A scenario group's exact posterior as its rows read it: the quadrature grid of
    ``forecast run``'s exact method (:class:`~forecast.methods.exact.ExactEvent`), the
    grid half as fine, and stratified draws of it for the intervals."""

    exact: ExactEvent
    chains: int
    draws: int
    seed: int

    @cached_property
    def coarse(self) -> GridPosterior:
        """The grid half as fine, with half the Gauss–Hermite nodes."""
        return self.exact.grid.coarser()

    @cached_property
    def sampled(self) -> dict[str, np.ndarray]:
        """Stratified inverse-CDF draws (chain, draw) of p, and of the uncertain applied
        evidence's llr (chain, draw, U), as an exact run keeps them."""
        p, _, llr = self.exact.draws(self.chains, self.draws, self.seed)
        return {"p": p, "llr": llr} if llr.shape[-1] else {"p": p}

    def probability(self, shift: Shift) -> tuple[float, float]:
        """E[sigmoid(logit p + S)] on the grid, and its change on the grid half as fine
        (the quadrature error estimate)."""
        fine = self.exact.grid.expect_sigmoid(shift)
        return fine, abs(fine - self.coarse.expect_sigmoid(shift))


def scenario_shift(inputs: EventInputs, scenario: Mapping[str, Value]) -> Shift:
    """The evidence's summed log likelihood ratio under a scenario, Normal(mu, sigma):
    each item on (as the file says, or as ``evidence.ID`` sets it) adds its fitted
    Normal, or log of the ratio ``evidence.ID.lr`` gives as a known number. Under the
    posterior the items' ratios are independent of p and of each other (no data touch
    them), so their sum is Normal."""
    from forecast.methods.grid import Shift

    mu, var = 0.0, 0.0
    for e in inputs.evidence:
        on = scenario.get(f"evidence.{e.id}")
        if not (e.applied if on is None else on == "on"):
            continue
        lr = scenario.get(f"evidence.{e.id}.lr")
        if lr is not None:
            mu += math.log(float(lr))
            continue
        mu += float(e.fitted.params["mu"])
        if not e.fitted.fixed:
            var += float(e.fitted.params["sigma"]) ** 2
    return Shift(mu, math.sqrt(var))


class EventAdapter(ExactSummaries["EventInputs"]):
    """Event questions: evidence is evaluated on the posterior of p; the base rate and
    the prior are each scenario's own exact posterior (or, sampled, swapped as data and
    reweighted)."""

    diagnosed: ClassVar[tuple[str, ...]] = ("p", "q", "llr", "pool_logit", "expert_spread")
    methods: ClassVar[tuple[str, ...]] = ("exact", "nuts")
    exact_prior: ClassVar[bool] = True
    """A prior setting's posterior is computed exactly (:meth:`posterior`), not reweighted."""

    @staticmethod
    def current(inputs: EventInputs) -> dict[str, Value]:
        """The file's own values of the prior and data settings."""
        now = current_prior(inputs)
        if inputs.base_rate is not None:
            k, n, w = inputs.base_rate
            now.update(
                {
                    "base_rate.successes": float(k),
                    "base_rate.trials": float(n),
                    "base_rate.weight": float(w),
                }
            )
        now.update({"pool": inputs.pool.method, "pool.extremize": float(inputs.pool.extremize)})
        return now

    @staticmethod
    def with_prior(inputs: EventInputs, prior: Mapping[str, Value]) -> EventInputs:
        """Inputs with the scenario's prior (weights, strength, pool)."""
        from forecast.elicit.pool import PoolSpec

        changes = prior_changes(inputs, prior)
        pool = inputs.pool
        if "pool" in prior or "pool.extremize" in prior:
            pool = PoolSpec(
                str(prior.get("pool", inputs.pool.method)),
                float(prior.get("pool.extremize", inputs.pool.extremize)),
            )
        return dataclasses.replace(inputs, **changes, pool=pool)

    @staticmethod
    def base_rate(inputs: EventInputs, data: Mapping[str, Value]) -> tuple[float, float, float]:
        """(successes, trials, weight) with the scenario's data settings."""
        assert inputs.base_rate is not None
        k0, n0, w0 = inputs.base_rate
        k = float(data.get("base_rate.successes", k0))
        n = float(data.get("base_rate.trials", n0))
        w = float(data.get("base_rate.weight", w0))
        if k > n:
            raise ForecastError(
                f"base_rate.successes ({k:g}) cannot exceed base_rate.trials ({n:g})",
                hint="sweep them together in a scenarios file so each pair is valid",
            )
        return k, n, w

    @classmethod
    def check_data(cls, inputs: EventInputs, data: Mapping[str, Value]) -> None:
        """Refuse base-rate counts that cannot be."""
        if data:
            cls.base_rate(inputs, data)

    @staticmethod
    def build(inputs: EventInputs) -> pm.Model:
        """The event model."""
        from forecast.kinds.event import model as event

        return event.build(inputs)

    @classmethod
    def set_data(cls, model: pm.Model, inputs: EventInputs, data: Mapping[str, Value]) -> None:
        """Swap in the scenario's base rate (or put back the file's)."""
        if inputs.base_rate is None:
            return
        from forecast.kinds.event import model as event

        event.set_base_rate(model, *cls.base_rate(inputs, data))

    @classmethod
    def posterior(cls, job: Job) -> Posterior | None:
        """The exact posterior (:class:`ExactEventPosterior`, the scenario's base rate
        swapped in), in place of NUTS (None: NUTS samples, when asked for or, under
        ``auto``, past the exact method's quadrature tolerance; under ``exact`` the rows
        say it is past)."""
        import time

        from forecast.methods.exact import TOLERANCE, ExactEvent
        from forecast.sweep.adapters import exact_diagnostics

        s = job.settings
        if s.method == "nuts":
            return None
        start = time.perf_counter()
        from forecast.kinds.event.model import EventInputs

        inputs = job.inputs
        assert isinstance(inputs, EventInputs)
        if job.data and inputs.base_rate is not None:
            k, n, w = cls.base_rate(inputs, dict(job.data))
            inputs = dataclasses.replace(inputs, base_rate=(int(k), int(n), w))
        result = ExactEvent.of(inputs)
        if result.error > TOLERANCE and s.method != "exact":
            return None
        exact = ExactEventPosterior(result, s.chains, s.draws, s.seed)
        seconds = time.perf_counter() - start
        return Posterior(exact, exact_diagnostics(s, result.error, seconds), seconds, job.tag)

    def exact_summaries(
        self,
        inputs: EventInputs,
        posterior: object,
        scenarios: Sequence[Mapping[str, Value]],
    ) -> list[dict[str, float]]:
        """Each scenario's probability and its quadrature error read off the exact
        posterior; its intervals from the posterior's stratified draws."""
        from forecast.sweep.strategies import summaries

        assert isinstance(posterior, ExactEventPosterior)
        rows = summaries(self.evaluate(inputs, posterior, scenarios), independent=True)
        done: dict[tuple[float, float], tuple[float, float]] = {}
        for row, scenario in zip(rows, scenarios, strict=True):
            shift = scenario_shift(inputs, scenario)
            key = (shift.mu, shift.sigma)
            if key not in done:
                done[key] = posterior.probability(shift)
            row["probability"], row["mcse"] = done[key]
        return rows

    @staticmethod
    def extract(inputs: EventInputs, idata: DataTree) -> dict[str, np.ndarray]:
        """p (chain, draw) and the sampled llr (chain, draw, U)."""
        post = idata["posterior"]
        out = {"p": np.asarray(post["p"].values, dtype=float)}
        if "llr" in post:
            out["llr"] = np.asarray(post["llr"].values, dtype=float)
        return out

    @staticmethod
    def log_prior(inputs: EventInputs, draws: EventDraws) -> np.ndarray:
        """Log prior density at the draws of p (as a density of logit p)."""
        return np.asarray(pool_logpdf_p(inputs.experts, inputs.weights, inputs.pool, draws["p"]))

    def __init__(self, spec: QuestionMeta, inputs: EventInputs, seed: int) -> None:
        self.ids = [e.id for e in inputs.evidence]
        self.inputs = inputs
        self.seed = seed

    def evaluate(
        self,
        inputs: EventInputs,
        draws: EventDraws | ExactEventPosterior,
        scenarios: Sequence[Mapping[str, Value]],
    ) -> np.ndarray:
        """Per-draw P(event), (scenarios, chain, draw) (of an exact posterior, on its
        stratified draws)."""
        if isinstance(draws, ExactEventPosterior):
            draws = draws.sampled
        p = draws["p"]
        shape = p.shape
        n = p.size
        pc = np.clip(p.reshape(-1), 1e-300, 1 - 1e-16)
        logit_p = np.log(pc) - np.log1p(-pc)
        shifts = np.zeros((len(self.ids), n))
        default_on = np.zeros(len(self.ids))
        uncertain = [e.id for e in inputs.applied if not e.fitted.fixed]
        for j, e in enumerate(inputs.evidence):
            if e.fitted.fixed:
                shifts[j] = e.fitted.params["mu"]
            elif e.applied:
                shifts[j] = draws["llr"].reshape(n, -1)[:, uncertain.index(e.id)]
            else:
                rng = np.random.default_rng(derived_seed(self.seed, ["evidence", e.id]))
                shifts[j] = rng.normal(e.fitted.params["mu"], e.fitted.params["sigma"], n)
            default_on[j] = 1.0 if e.applied else 0.0
        m = np.tile(default_on, (len(scenarios), 1))
        c = np.zeros(len(scenarios))
        for i, s in enumerate(scenarios):
            for j, eid in enumerate(self.ids):
                on = s.get(f"evidence.{eid}")
                if on is not None:
                    m[i, j] = 1.0 if on == "on" else 0.0
                lr = s.get(f"evidence.{eid}.lr")
                if lr is not None:
                    c[i] += m[i, j] * math.log(float(lr))
                    m[i, j] = 0.0
        out = expit(logit_p[None, :] + m @ shifts + c[:, None])
        return out.reshape(len(scenarios), *shape)


__all__ = [
    "EventAdapter",
    "EventDraws",
    "ExactEventPosterior",
    "params",
    "scenario_shift",
    "switch",
]
