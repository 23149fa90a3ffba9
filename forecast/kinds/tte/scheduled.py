"""The scheduled form of a time-to-event question: the event at one of a list of dates.

Opportunity i (numbered from the next one, i = 0; passed ones are negative) has
``logit q_i = logit q + i log(trend) + x . beta``. ``q`` has the experts' pooled prior,
``log(trend)`` ~ Normal from the fitted odds multiplier, ``beta`` are the drivers' log
odds ratios. Passed opportunities without the event are data: ``sum_i log(1 - q_i)``
(more generally ``y_i log q_i + (1 - y_i) log(1 - q_i)`` over the observed ones, which
:meth:`ScheduleInputs.set_history` swaps without rebuilding). Drivers describe
conditions now and shift only the opportunities still to come. P(by opportunity f) =
1 - prod_{i <= f} (1 - q_i), averaged over driver states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast.elicit.distributions import Fitted
from forecast.kinds.tte.draws import Draws, prior_beta
from forecast.models.covariates import DriverInput, log_odds_ratios, pooled_beta, shift_states
from forecast.special import expit, log_expit

if TYPE_CHECKING:
    import pymc as pm
    from numpy.typing import ArrayLike
    from pytensor.tensor.variable import TensorVariable
    from xarray import DataTree

    from forecast.kinds.tte.result import Opportunities
    from forecast.render.curves import ShowInputs


def _log_trend(trend: Fitted | None) -> float | TensorVariable:
    import pymc as pm

    if trend is None:
        return 0.0
    if trend.fixed:
        return float(trend.params["mu"])
    return pm.Normal("log_trend", mu=trend.params["mu"], sigma=trend.params["sigma"])


@dataclass(frozen=True)
class ScheduleInputs:
    """The scheduled form as plain numbers."""

    expert_names: tuple[str, ...]
    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]
    trend: Fitted | None
    drivers: tuple[DriverInput, ...]
    passed: tuple[dt.date, ...]
    future: tuple[dt.date, ...]

    form: ClassVar[str] = "opportunities"
    pooled: ClassVar[bool] = True
    """The experts judge the chance at one opportunity: their pool can be swapped."""

    @property
    def passed_index(self) -> np.ndarray:
        """Indices of the passed opportunities, relative to the next one (-n .. -1)."""
        return np.arange(-len(self.passed), 0, dtype=float)

    # -- the model ---------------------------------------------------------------

    def build(self) -> pm.Model:
        """The PyMC model."""
        import pymc as pm
        import pytensor.tensor as pt

        with pm.Model() as model:
            q = pooled_beta("q", self.experts, self.weights)
            log_trend = _log_trend(self.trend)
            if self.drivers:
                log_odds_ratios(self.drivers)
            index = pm.Data("passed_index", self.passed_index)
            y = pm.Data("passed_y", np.zeros(len(self.passed)))
            eta = pt.log(q) - pt.log1p(-q) + index * log_trend
            pm.Potential("passed", (-y * pt.softplus(-eta) - (1 - y) * pt.softplus(eta)).sum())
        return model

    def set_history(self, model: pm.Model, observed: ArrayLike, seen: ArrayLike) -> None:
        """Swap in the outcomes (0/1) ``observed`` of the opportunities at indices ``seen``."""
        import pymc as pm

        with model:
            y = np.asarray(observed, dtype=float)
            pm.set_data({"passed_y": y, "passed_index": np.asarray(seen, dtype=float)})

    def posterior_draws(self, idata: DataTree) -> Draws:
        """Draws (chain, draw) of logit q, the log trend and the drivers' log odds ratios."""
        from forecast.models.covariates import assemble_beta

        post = idata["posterior"]
        q = np.asarray(post["q"].values, dtype=float)
        lq = np.log(q) - np.log1p(-q)
        if "log_trend" in post:
            lt = np.asarray(post["log_trend"].values, dtype=float)
        else:
            lt = np.full_like(lq, self.trend.params["mu"] if self.trend else 0.0)
        return Draws(lq, lt, assemble_beta(self.drivers, post))

    def prior_draws(self, n: int, rng: np.random.Generator) -> Draws:
        """``n`` draws of the parameters from the prior, with NumPy."""
        w = np.asarray(self.weights, dtype=float) / sum(self.weights)
        which = rng.choice(len(self.experts), size=n, p=w)
        a = np.array([f.params["alpha"] for f in self.experts])[which]
        b = np.array([f.params["beta"] for f in self.experts])[which]
        q = np.clip(rng.beta(a, b), 1e-12, 1 - 1e-12)
        t = self.trend.params if self.trend is not None else {"mu": 0.0, "sigma": 0.0}
        lt = rng.normal(t["mu"], t["sigma"], size=n)
        return Draws(np.log(q) - np.log1p(-q), lt, prior_beta(self.drivers, n, rng))

    # -- the forecast ------------------------------------------------------------

    def dates(self) -> tuple[dt.date, ...]:
        """The dates P(by date) is given for: the opportunities to come."""
        return self.future

    def cumulative(self, draws: Draws, levels: Sequence[float]) -> np.ndarray:
        """P(by each opportunity to come | nothing by as_of) per draw: shape (..., dates)."""
        i = np.arange(len(self.future), dtype=float)
        eta = draws.main[..., None] + i * draws.trend[..., None]  # (..., F)
        shifts, w = shift_states(draws.beta, levels)  # (..., S), (S,)
        miss = log_expit(-(eta[..., None, :] + shifts[..., :, None]))  # log(1 - q), (..., S, F)
        survive = np.exp(np.cumsum(miss, axis=-1))
        return np.asarray(1.0 - np.einsum("...sf,s->...f", survive, w))

    def probability_by(self, draws: Draws, levels: Sequence[float], day: dt.date) -> np.ndarray:
        """P(by ``day`` | nothing by as_of) per draw: by the last opportunity up to it."""
        upto = [j for j, d in enumerate(self.future) if d <= day]
        if not upto:
            return np.zeros(draws.main.shape)
        return self.cumulative(draws, levels)[..., upto[-1]]

    def median_date(self, draws: Draws, levels: Sequence[float]) -> dt.date | None:
        """The first opportunity by which the event is as likely as not (None: none)."""
        mean = self.cumulative(draws, levels).reshape(-1, len(self.future)).mean(axis=0)
        hit = np.nonzero(mean >= 0.5)[0]
        return self.future[int(hit[0])] if hit.size else None

    def history_label(self) -> str:
        """The step the passed opportunities make."""
        return f"{len(self.passed)} passed opportunities without the event"

    def details(self, draws: Draws) -> Opportunities:
        """What a forecast says of this form: the passed and future opportunities."""
        from forecast.kinds.tte.result import Opportunities

        return Opportunities(tuple(self.passed), tuple(self.future))

    # -- sensitivity -------------------------------------------------------------

    def log_densities(self, draws: Draws) -> tuple[np.ndarray, np.ndarray | None]:
        """The pool's density at q and the trend's when uncertain; the passed
        opportunities' log likelihood, each adding log(1 - q_i) (None: none passed)."""
        from forecast.densities import log_beta_pool, log_normal

        main = np.asarray(draws.main, dtype=float)
        second = np.asarray(draws.trend, dtype=float)
        log_prior = log_beta_pool(self.experts, self.weights, expit(main))
        if self.trend is not None and not self.trend.fixed:
            t = self.trend.params
            log_prior = log_prior + log_normal(second, t["mu"], t["sigma"])
        index = np.asarray(self.passed_index, dtype=float)
        if index.size == 0:
            return log_prior, None
        eta = main[..., None] + index * second[..., None]
        return log_prior, np.asarray(-np.logaddexp(0.0, eta).sum(axis=-1), dtype=float)

    def sensitivity_quantities(self, draws: Draws) -> tuple[dict[str, np.ndarray], str]:
        """The quantities power-scaling measures, and what the data are called."""
        posterior = {"q_opportunity": expit(np.asarray(draws.main, dtype=float))}
        if self.trend is not None and not self.trend.fixed:
            posterior["log_trend"] = np.asarray(draws.trend, dtype=float)
        n = len(self.passed)
        return posterior, f"{n} event-free opportunit{'y' if n == 1 else 'ies'}"

    # -- show --------------------------------------------------------------------

    def shown(self) -> ShowInputs:
        """What ``forecast show`` displays: the experts' pool, the trend and the drivers."""
        from forecast.render.curves import schedule_shown

        return schedule_shown(self)


__all__ = ["ScheduleInputs"]
