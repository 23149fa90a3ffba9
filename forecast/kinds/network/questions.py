"""A linked question's own forecast: its propensity's draws, and the Beta a root takes.

An event question is forecast without the sampler: its experts' pool times its base
rate is one-dimensional in logit p (quadrature, as the pool comparison does), drawn by
its inverse CDF, and each draw is shifted by a draw of the evidence's summed log
likelihood ratio (q = sigmoid(logit p + shift)). Every other kind is sampled as
``forecast run`` samples it, when sampling is allowed. A root question node's prior is
the Beta with the mean and variance of those draws (moment matching).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import LoadedQuestion

MIN_STRENGTH = 2.0
"""Least a + b of a root's Beta (a spread wider than a uniform's is clipped to it)."""


@dataclass(frozen=True)
class OwnForecast:
    """A question's own forecast of its event, as draws of its propensity."""

    question: str
    draws: np.ndarray
    method: str

    @property
    def mean(self) -> float:
        """The forecast."""
        return float(self.draws.mean())

    def interval(self, mass: float) -> tuple[float, float]:
        """The central interval holding ``mass``."""
        lo, hi = np.quantile(self.draws, [(1 - mass) / 2, (1 + mass) / 2])
        return float(lo), float(hi)

    def beta(self) -> tuple[float, float]:
        """The Beta (alpha, beta) with the draws' mean and variance."""
        m = min(max(self.mean, 1e-6), 1 - 1e-6)
        var = float(self.draws.var())
        n = m * (1 - m) / var - 1.0 if var > 0 else 1e6
        n = min(max(n, MIN_STRENGTH), 1e6)
        return m * n, (1 - m) * n


def event_draws(q: LoadedQuestion, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of an event question's propensity q, by quadrature and inverse CDF."""
    from forecast import kinds
    from forecast.elicit.pool import base_rate_loglik, pooled_logpdf
    from forecast.elicit.quadrature import LogitDensity, beta_knots

    inputs = kinds.of(q.spec).prepare(q)  # the event kind's fitted judgements
    logpdf, knots = pooled_logpdf(inputs.experts, inputs.weights, inputs.pool)
    if inputs.base_rate is not None:
        k, trials, w = inputs.base_rate
        knots = np.concatenate([knots, beta_knots(w * k + 1.0, w * (trials - k) + 1.0)])

    def post(u: np.ndarray) -> np.ndarray:
        return logpdf(u) + base_rate_loglik(u, inputs.base_rate)

    grid = LogitDensity.build(post, knots)
    p = np.clip(grid.ppf(rng.random(n)), 1e-12, 1 - 1e-12)
    u = np.log(p) - np.log1p(-p)
    for e in inputs.applied:
        mu, sigma = e.fitted.params["mu"], e.fitted.params["sigma"]
        u = u + (mu + sigma * rng.standard_normal(n) if sigma > 0 else mu)
    return np.asarray(special.expit(u))


def own_forecast(
    q: LoadedQuestion, *, sample: bool, settings: SamplerSettings | None = None, n: int = 4000
) -> OwnForecast | None:
    """The question's own forecast; None when it needs the sampler and ``sample`` is off."""
    rng = np.random.default_rng(int(q.sha256[:8], 16))
    if q.spec.kind == "event":
        return OwnForecast(q.id, event_draws(q, n, rng), "quadrature")
    if not sample:
        return None
    from forecast import engine
    from forecast.inference import SamplerSettings

    forecast = engine.run(q, engine.settings_for(q, settings or SamplerSettings(), None))
    draws = forecast.draws.get("q")
    if draws is None or np.ndim(draws) != 1:
        # Kinds whose propensity is not one draw per sample: the Beta of the forecast
        # and its 80% interval (sd from the interval's width, as for a normal).
        lo, hi = forecast.interval(0.8).lo, forecast.interval(0.8).hi
        m = forecast.probability
        sd = max((hi - lo) / 2.563, 1e-6)
        nn = min(max(m * (1 - m) / sd**2 - 1.0, MIN_STRENGTH), 1e6)
        draws = rng.beta(m * nn, (1 - m) * nn, size=n)
    return OwnForecast(q.id, np.asarray(draws, dtype=float).reshape(-1), "nuts")


__all__ = ["OwnForecast", "event_draws", "own_forecast"]
