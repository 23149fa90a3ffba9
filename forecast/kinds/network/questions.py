"""A linked question's own forecast: its propensity's draws, and the Beta a root takes.

An event question is forecast without the sampler: its experts' pool times its base
rate is one-dimensional in logit p (quadrature, as the pool comparison does), drawn by
its inverse CDF, and each draw is shifted by a draw of the evidence's summed log
likelihood ratio (q = sigmoid(logit p + shift)). A kind whose sweep adapter draws its
posterior without a sampler (a time-to-event question's exact posterior, a drivers
question's importance posterior) gives those draws, the same ones its ``forecast run``
summarises, without the rest of its report. Every other kind is forecast as ``forecast
run`` forecasts it (importance sampling or NUTS), when sampling is allowed. A root
question node's prior is the Beta with the mean and variance of those draws (moment
matching).

Each process keeps the own forecasts it has made, by the question's file, content and
settings: the networks of a portfolio that link the same questions forecast each once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast import special

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import LoadedQuestion

MIN_STRENGTH = 2.0
"""Least a + b of a root's Beta (a spread wider than a uniform's is clipped to it)."""
KEEP = 64
"""Own forecasts a process keeps (the most recently used)."""
_KEPT: OrderedDict[tuple[object, ...], OwnForecast] = OrderedDict()


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


def _key(q: LoadedQuestion, settings: SamplerSettings | None, n: int) -> tuple[object, ...]:
    """What an own forecast depends on: the file, its content, the settings."""
    how = None
    if settings is not None:
        how = (settings.draws, settings.tune, settings.chains, settings.method)
    return (str(q.path), q.sha256, q.spec.model_dump_json(), how, n)


def own_forecast(
    q: LoadedQuestion, *, sample: bool, settings: SamplerSettings | None = None, n: int = 4000
) -> OwnForecast | None:
    """The question's own forecast; None when it needs the sampler and ``sample`` is off.

    Made once per process for the same file, content and settings (then reused)."""
    key = _key(q, settings, n)
    kept = _KEPT.get(key)
    if kept is not None:
        _KEPT.move_to_end(key)
        return kept
    made = _own_forecast(q, sample=sample, settings=settings, n=n)
    if made is not None:
        made.draws.setflags(write=False)
        _KEPT[key] = made
        while len(_KEPT) > KEEP:
            _KEPT.popitem(last=False)
    return made


def direct_draws(q: LoadedQuestion, settings: SamplerSettings) -> tuple[np.ndarray, str] | None:
    """Draws of the question's propensity from the posterior its kind's sweep adapter
    draws without a sampler (``posterior``: a time-to-event question's exact posterior
    by inverse CDF, a drivers question's importance posterior), and the method that
    drew them. None: the kind has none, NUTS is
    asked for, the draws say only yes or no (a quantity past its threshold), or the
    posterior is not exact here (the drivers' uncertain ratios are too
    many to integrate, or the quadrature's error estimate is past the exact method's
    tolerance).

    ``settings`` carry the question's own seed: the draws are those its ``forecast
    run`` reports (``draws["q"]``), without the rest of its report."""
    from forecast import kinds
    from forecast.sweep.strategies import Job, Posterior

    kind = kinds.of(q.spec)
    adapter = kind.sweep_adapter
    direct: Callable[[Job], Posterior | None] | None = getattr(adapter, "posterior", None)
    if direct is None:
        return None
    inputs = kind.prepare(q)
    try:
        found = direct(Job(q.spec.kind, inputs, (), settings, ""))
    except ValueError:  # not exact here: too many dimensions to integrate
        return None
    if found is None:
        return None
    each = adapter(q.spec, inputs, settings.seed).evaluate(inputs, found.draws, [{}])
    draws = np.asarray(each, dtype=np.float64).reshape(-1)
    if np.all((draws == 0.0) | (draws == 1.0)):
        return None  # whether each draw is past a threshold: no propensity to draw
    return draws, found.diagnostics["method"]


def _own_forecast(
    q: LoadedQuestion, *, sample: bool, settings: SamplerSettings | None, n: int
) -> OwnForecast | None:
    rng = np.random.default_rng(int(q.sha256[:8], 16))
    if q.spec.kind == "event":
        return OwnForecast(q.id, event_draws(q, n, rng), "quadrature")
    if not sample:
        return None
    from forecast import engine
    from forecast.inference import SamplerSettings

    how = engine.settings_for(q, settings or SamplerSettings(), None)
    direct = direct_draws(q, how)
    if direct is not None:
        return OwnForecast(q.id, *direct)
    forecast = engine.run(q, how)
    draws = forecast.draws.get("q")
    if draws is None or np.ndim(draws) != 1:
        # Kinds whose propensity is not one draw per sample: the Beta of the forecast
        # and its 80% interval (sd from the interval's width, as for a normal).
        lo, hi = forecast.interval(0.8).lo, forecast.interval(0.8).hi
        m = forecast.probability
        sd = max((hi - lo) / 2.563, 1e-6)
        nn = min(max(m * (1 - m) / sd**2 - 1.0, MIN_STRENGTH), 1e6)
        draws = rng.beta(m * nn, (1 - m) * nn, size=n)
    method = forecast.provenance.method
    return OwnForecast(q.id, np.asarray(draws, dtype=float).reshape(-1), method)


__all__ = ["OwnForecast", "direct_draws", "event_draws", "own_forecast"]
