"""The hazard form of a time-to-event question: the event at any time, by a Weibull hazard.

Weibull with median ``m`` and shape ``k``: S(t) = exp(-ln 2 (t / m)^k), t in years from
``since``. ``m`` has the experts' pooled prior (a mixture of LogNormals), ``k`` is fixed
or LogNormal. Time ``t0`` passed without the event is data, log S(t0) (an event seen at
t adds log f(t) instead). P(by t | none by t0) = 1 - S(t)/S(t0). Drivers multiply the
hazard from ``as_of`` on by exp(x . beta): their odds ratios are read as hazard ratios
(the odds ratio of the event within a short span), so P(by t | none by t0) =
1 - exp(-exp(x . beta) ln 2 ((t/m)^k - (t0/m)^k)), averaged over driver states.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from forecast import results
from forecast.elicit.distributions import Fitted
from forecast.kinds.tte.draws import LN2, YEAR_DAYS, Draws, half_time, prior_beta, years
from forecast.models.covariates import DriverInput, log_odds_ratios, shift_states

if TYPE_CHECKING:
    import pymc as pm
    from numpy.typing import ArrayLike
    from pytensor.tensor.variable import TensorVariable
    from xarray import DataTree

    from forecast.kinds.tte.result import Hazard
    from forecast.render.curves import ShowInputs


@dataclass(frozen=True)
class HazardInputs:
    """The continuous-hazard form as plain numbers."""

    expert_names: tuple[str, ...]
    experts: tuple[Fitted, ...]
    weights: tuple[float, ...]
    shape: Fitted
    since: dt.date
    as_of: dt.date
    curve_dates: tuple[dt.date, ...]

    form: ClassVar[str] = "hazard"
    pooled: ClassVar[bool] = False
    """The experts judge a median time, not a probability: no pool swaps."""
    drivers: tuple[DriverInput, ...] = ()

    @property
    def elapsed(self) -> float:
        """Years from the start of the clock to ``as_of``, without the event."""
        return years(self.since, self.as_of)

    # -- the model ---------------------------------------------------------------

    def build(self) -> pm.Model:
        """The PyMC model."""
        import pymc as pm
        import pytensor.tensor as pt

        with pm.Model() as model:
            mus = np.array([f.params["mu"] for f in self.experts])
            sigmas = np.array([f.params["sigma"] for f in self.experts])
            if len(self.experts) == 1:
                m = pm.LogNormal("median_years", mu=mus[0], sigma=sigmas[0])
            else:
                w = np.asarray(self.weights) / sum(self.weights)
                m = pm.Mixture(
                    "median_years", w=w, comp_dists=pm.LogNormal.dist(mu=mus, sigma=sigmas)
                )
            if self.shape.fixed:
                k: float | TensorVariable = float(math.exp(self.shape.params["mu"]))
            else:
                k = pm.LogNormal(
                    "shape", mu=self.shape.params["mu"], sigma=self.shape.params["sigma"]
                )
            if self.drivers:
                log_odds_ratios(self.drivers)  # hazard ratios after as_of: no data on them
            t = pm.Data("elapsed", self.elapsed)
            seen = pm.Data("event_seen", 0.0)
            z = (t / m) ** k
            log_f = math.log(LN2) + pt.log(k) - pt.log(m) + (k - 1) * pt.log(t / m)
            pm.Potential("elapsed_without", seen * log_f - LN2 * z)
        return model

    def set_history(self, model: pm.Model, observed: ArrayLike, seen: ArrayLike) -> None:
        """Swap in the time watched ``observed`` (years) and whether the event was ``seen``."""
        import pymc as pm

        with model:
            pm.set_data(
                {"elapsed": float(np.asarray(observed)), "event_seen": float(np.asarray(seen))}
            )

    def posterior_draws(self, idata: DataTree) -> Draws:
        """Draws (chain, draw) of the median time, the shape and the hazard ratios."""
        from forecast.models.covariates import assemble_beta

        post = idata["posterior"]
        m = np.asarray(post["median_years"].values, dtype=float)
        if "shape" in post:
            k = np.asarray(post["shape"].values, dtype=float)
        else:
            k = np.full_like(m, math.exp(self.shape.params["mu"]))
        return Draws(m, k, assemble_beta(self.drivers, post))

    def prior_draws(self, n: int, rng: np.random.Generator) -> Draws:
        """``n`` draws of the parameters from the prior, with NumPy."""
        w = np.asarray(self.weights, dtype=float) / sum(self.weights)
        which = rng.choice(len(self.experts), size=n, p=w)
        mu = np.array([f.params["mu"] for f in self.experts])[which]
        sd = np.array([f.params["sigma"] for f in self.experts])[which]
        m = np.exp(rng.normal(mu, sd))
        s = self.shape.params
        k = np.exp(rng.normal(s["mu"], s["sigma"], size=n)) if s["sigma"] > 0 else None
        ks = k if k is not None else np.full(n, math.exp(s["mu"]))
        return Draws(m, ks, prior_beta(self.drivers, n, rng))

    # -- the forecast ------------------------------------------------------------

    def _by(self, draws: Draws, levels: Sequence[float], t: np.ndarray) -> np.ndarray:
        """P(by each time t (years from since) | none by as_of) per draw, (..., T), averaged
        over the drivers' states, each multiplying the hazard after as_of."""
        t0 = self.elapsed
        m, k = draws.main[..., None], draws.trend[..., None]
        added = LN2 * ((t / m) ** k - (t0 / m) ** k)  # (..., T) cumulative hazard since as_of
        shifts, w = shift_states(draws.beta, levels)  # (..., S), (S,)
        survive = np.exp(-np.exp(shifts)[..., :, None] * added[..., None, :])  # (..., S, T)
        return np.asarray(1.0 - np.einsum("...st,s->...t", survive, w))

    def dates(self) -> tuple[dt.date, ...]:
        """The dates P(by date) is given for."""
        return self.curve_dates

    def cumulative(self, draws: Draws, levels: Sequence[float]) -> np.ndarray:
        """P(by each curve date | nothing by as_of) per draw: shape (..., dates)."""
        t = np.array([years(self.since, d) for d in self.curve_dates])
        return self._by(draws, levels, t)

    def probability_by(self, draws: Draws, levels: Sequence[float], day: dt.date) -> np.ndarray:
        """P(by ``day`` | nothing by as_of) per draw."""
        return self._by(draws, levels, np.array([years(self.since, day)]))[..., 0]

    def median_date(self, draws: Draws, levels: Sequence[float]) -> dt.date | None:
        """The date by which the event is as likely as not (None: after the horizon)."""
        t0 = self.elapsed
        n = draws.main.size
        flat = Draws(
            draws.main.reshape(n), draws.trend.reshape(n), draws.beta.reshape(n, len(self.drivers))
        )

        def mean_by(ts: np.ndarray) -> np.ndarray:
            return np.asarray(self._by(flat, levels, ts).mean(axis=0))

        end = years(self.since, self.curve_dates[-1])
        if mean_by(np.array([end]))[0] < 0.5:
            return None
        t = half_time(mean_by, t0, end)
        return self.since + dt.timedelta(days=round(t * YEAR_DAYS))

    def history_label(self) -> str:
        """The step the time passed without the event makes."""
        return f"{self.elapsed:.1f} years since {self.since.isoformat()} without the event"

    def details(self, draws: Draws) -> Hazard:
        """What a forecast says of this form: the clock, the shape, the experts' medians."""
        from forecast.kinds.tte.result import Hazard, HazardExpert

        return Hazard(
            self.since.isoformat(),
            self.elapsed,
            self.shape,
            tuple(
                HazardExpert(n, w / sum(self.weights), f)
                for n, w, f in zip(self.expert_names, self.weights, self.experts, strict=True)
            ),
            float(np.median(draws.main)),
            results.band(draws.main, 0.8),
        )

    # -- sensitivity -------------------------------------------------------------

    def log_densities(self, draws: Draws) -> tuple[np.ndarray, np.ndarray | None]:
        """The pool's density at the median and the shape's when uncertain; the time
        passed without the event, log S(t0) (None: no time passed)."""
        from forecast.densities import log_lognormal_pool, log_normal

        main = np.asarray(draws.main, dtype=float)
        second = np.asarray(draws.trend, dtype=float)
        log_prior = log_lognormal_pool(self.experts, self.weights, main)
        if not self.shape.fixed:
            s = self.shape.params
            log_prior = log_prior + log_normal(np.log(second), s["mu"], s["sigma"])
            log_prior = log_prior - np.log(second)
        t0 = self.elapsed
        if t0 <= 0:
            return log_prior, None
        return log_prior, np.asarray(-LN2 * (t0 / main) ** second, dtype=float)

    def sensitivity_quantities(self, draws: Draws) -> tuple[dict[str, np.ndarray], str]:
        """The quantities power-scaling measures, and what the data are called."""
        posterior = {"median_years": np.asarray(draws.main, dtype=float)}
        if not self.shape.fixed:
            posterior["shape"] = np.asarray(draws.trend, dtype=float)
        return posterior, f"{self.elapsed:.1f} event-free years"

    # -- show --------------------------------------------------------------------

    def shown(self) -> ShowInputs:
        """What ``forecast show`` displays: the experts' medians, the shape, the drivers."""
        from forecast.render.curves import hazard_shown

        return hazard_shown(self)


__all__ = ["HazardInputs"]
