"""How each scenario is answered, chosen from what it changes.

Every scenario splits into the settings that change the posterior (``data`` and
``prior`` settings) and those that are functions of its draws (``draws`` settings).
Scenarios that agree on the first part share one posterior, and all of them are
evaluated on its draws at once:

* ``vectorised``: nothing in the posterior changes. Driver levels and named scenarios
  enter ``logit p = alpha + x . beta`` after sampling; for event questions the
  evidence does too. In :func:`forecast.kinds.event.model.build` an item's log likelihood
  ratio ``llr`` feeds only the deterministic ``q = sigmoid(logit p + sum(llr))``, and
  nothing observed depends on ``llr`` or ``q``; so the posterior of ``p`` is the same
  with any evidence switched on or off or given another ratio, and the posterior of
  ``llr`` is its prior. Turning on an item that the model left out (one already in the
  judgements) draws its ``llr`` from that prior.
* ``resampled``: the data change (the base rate's counts or weight). The model is built
  and compiled once per worker; the data are swapped (``pm.set_data``) and NUTS runs
  again on the same compiled functions.
* ``reweighted``: only the prior changes (expert weights, prior strength, the pool).
  The one posterior is importance-reweighted by new prior / old prior at its draws of
  ``p``, with Pareto-smoothed weights (PSIS, ArviZ). When the Pareto k is above ArviZ's
  ``good_k``, min(1 - 1/log10 S, 0.7) for S draws, the weights are not to be trusted
  and the scenario is ``refit``: its model is built with the new prior and sampled, and
  the row says why.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from forecast import psis
from forecast.inference import DiagnosticsJSON, SamplerSettings
from forecast.sweep.params import Effect, Param, Value

if TYPE_CHECKING:
    import pymc as pm
    from pymc.step_methods import NUTS

    from forecast.questions.loader import LoadedQuestion


CHUNK = 256
"""Scenarios evaluated together on one posterior's draws (bounds memory)."""

Settings = tuple[tuple[str, Value], ...]

GroupKey = tuple[Settings, Settings]
"""A group's prior and data settings: scenarios with the same key share a posterior."""

Tag = tuple[str, GroupKey | tuple[()], str | None]
"""What a sampled posterior is for: the question, its group's key, and ``refit`` or None."""


@dataclass(frozen=True)
class Split:
    """A scenario's settings by what they change."""

    prior: Settings
    data: Settings
    draws: dict[str, Value]

    @property
    def key(self) -> GroupKey:
        """Scenarios with the same key share a posterior."""
        return (self.prior, self.data)


def split(
    settings: Mapping[str, Value],
    params: Mapping[str, Param],
    current: Mapping[str, Value] | None = None,
) -> Split:
    """Sort a scenario's settings into prior, data and draws settings.

    A prior or data setting equal to the file's own value (``current``) changes
    nothing, so it does not call for another posterior.
    """
    now = current or {}

    def changes(n: str, v: Value, effect: Effect) -> bool:
        return params[n].effect is effect and now.get(n) != v

    prior = tuple((n, v) for n, v in settings.items() if changes(n, v, Effect.prior))
    data = tuple((n, v) for n, v in settings.items() if changes(n, v, Effect.data))
    draws = {n: v for n, v in settings.items() if params[n].effect is Effect.draws}
    return Split(prior, data, draws)


def derived_seed(seed: int, key: object) -> int:
    """A seed for one posterior: the run's seed mixed with a stable hash of its key."""
    blob = json.dumps([seed, key], default=str).encode()
    return int(hashlib.sha256(blob).hexdigest()[:8], 16) % (2**31)


# ---------------------------------------------------------------------------
# Sampling (runs wherever the executor puts it: here, a local process, a Dask worker)


@dataclass(frozen=True)
class Job:
    """One posterior to sample: prepared inputs (prior applied) and data to swap in."""

    kind: str
    inputs: object
    data: Settings
    settings: SamplerSettings
    model_key: str
    tag: Tag | None = None


@dataclass
class Posterior:
    """Draws of one posterior, with its diagnostics and how long it took."""

    draws: object
    diagnostics: DiagnosticsJSON
    seconds: float
    tag: Tag | None = None


_COMPILED: OrderedDict[str, tuple[pm.Model, NUTS]] = OrderedDict()
_COMPILED_MAX = 8


def _compiled(job: Job) -> tuple[pm.Model, NUTS]:
    """The model and its NUTS step (compiled logp and gradient) for ``job``, built once."""
    import pymc as pm

    from forecast.inference import quiet_pymc

    hit = _COMPILED.get(job.model_key)
    if hit is not None:
        _COMPILED.move_to_end(job.model_key)
        return hit
    from forecast import kinds

    model = kinds.get(job.kind).sweep_adapter.build(job.inputs)
    with quiet_pymc(), model:
        step = pm.NUTS(target_accept=job.settings.target_accept)
    _COMPILED[job.model_key] = (model, step)
    while len(_COMPILED) > _COMPILED_MAX:
        _COMPILED.popitem(last=False)
    return model, step


def sample_job(job: Job) -> Posterior:
    """Sample one posterior on a model compiled once per process, data swapped in; or,
    when the kind's adapter has a ``posterior`` that answers (an exact posterior, drawn
    by inverse CDF), take its draws instead."""
    from forecast import kinds

    adapter = kinds.get(job.kind).sweep_adapter
    direct = getattr(adapter, "posterior", None)  # a kind whose posterior needs no NUTS
    if direct is not None:
        made = direct(job)
        if made is not None:  # None: NUTS samples (asked for, or not exact here)
            return made
    import pymc as pm

    from forecast.errors import SamplingError
    from forecast.inference import diagnose, quiet_pymc

    model, step = _compiled(job)
    adapter.set_data(model, job.inputs, dict(job.data))
    s = job.settings
    start = time.perf_counter()
    try:
        with quiet_pymc(), model:
            idata = pm.sample(
                draws=s.draws,
                tune=s.tune,
                chains=s.chains,
                cores=1,
                random_seed=s.seed,
                step=step,
                progressbar=False,
                compute_convergence_checks=False,
            )
    except (ValueError, RuntimeError, FloatingPointError) as exc:
        raise SamplingError(f"sampling failed: {exc}") from exc
    seconds = time.perf_counter() - start
    post = idata["posterior"]
    names = [n for n in adapter.diagnosed if n in post]
    diag = diagnose(idata, names, seconds)
    return Posterior(adapter.extract(job.inputs, idata), diag.to_dict(), seconds, job.tag)


def prepare(q: LoadedQuestion) -> object:
    """Fit a question's judgements (in this process, once)."""
    from forecast import kinds
    from forecast.elicit.fit import located

    with located(q):
        return kinds.of(q.spec).prepare(q)


# ---------------------------------------------------------------------------
# Importance reweighting and summaries


Reweighting = psis.Smoothed
"""Pareto-smoothed importance weights over the flattened draws, and their Pareto k."""


def reweight(log_new: np.ndarray, log_old: np.ndarray) -> Reweighting:
    """PSIS weights for a posterior under a new prior, from the same likelihood.

    new posterior / old posterior = new prior / old prior, so the log ratios are
    ``log_new - log_old`` at the draws (:func:`forecast.psis.smooth`).
    """
    return psis.smooth(np.asarray(log_new - log_old, dtype=float))


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: Sequence[float]) -> list[float]:
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    cum = (cum - 0.5 * w[order]) / cum[-1]
    return [float(np.interp(q, cum, x[order])) for q in qs]


def _quantiles(flat: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles (rows, qs) of each row of ``flat``, as ``np.quantile``'s default (linear)
    method gives them, from one sort of all rows (cheaper than its partitions)."""
    ordered = np.sort(flat, axis=1)
    pos = np.asarray(qs, dtype=float) * (flat.shape[1] - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, flat.shape[1] - 1)
    frac = pos - lo
    return np.asarray(ordered[:, lo] * (1.0 - frac) + ordered[:, hi] * frac)


MASSES = (0.8, 0.95)
"""The credible intervals each row reports."""


def summary(
    per_draw: np.ndarray, weights: np.ndarray | None = None, r_eff: float = 1.0
) -> dict[str, float]:
    """Probability, its Monte Carlo error and the 80% and 95% intervals of one scenario
    (:func:`summaries` of one)."""
    return summaries(np.asarray(per_draw)[None], weights, r_eff)[0]


def summaries(
    per_draw: np.ndarray,
    weights: np.ndarray | None = None,
    r_eff: float = 1.0,
    importance_ess: float | None = None,
    independent: bool = False,
) -> list[dict[str, float]]:
    """Probability, its Monte Carlo error and the 80% and 95% intervals of each scenario,
    from per-draw values (scenarios, chain, draw) or (scenarios, draw), all at once.

    ``r_eff`` (effective over actual draws) widens the error of weighted draws, which
    are autocorrelated like the chains they come from. ``importance_ess``: the draws
    were resampled from importance weights worth that many draws, and their error is
    the weights' and the resampling's. ``independent``: the draws are independent (an
    exact posterior's inverse-CDF draws), and the error is sd / sqrt(draws).
    """
    x = np.asarray(per_draw, dtype=float)
    flat = x.reshape(len(x), -1)
    qs = [q for m in MASSES for q in ((1 - m) / 2, (1 + m) / 2)]
    if weights is None:
        mean = flat.mean(axis=1)
        if importance_ess is not None:
            from forecast.methods.importance import mcse_resampled

            mcse = mcse_resampled(flat[:, None, :], importance_ess)
        elif x.ndim == 3 and not independent:
            mcse = np.asarray(
                psis.array_stats().mcse(x, chain_axis=-2, draw_axis=-1, method="mean")
            )
        else:
            mcse = flat.std(axis=1) / math.sqrt(flat.shape[1])
        bounds = _quantiles(flat, qs)
    else:
        mean = flat @ weights
        spread = np.sum(weights**2 * (flat - mean[:, None]) ** 2, axis=1)
        mcse = np.sqrt(spread / min(1.0, r_eff))
        bounds = np.array([_weighted_quantiles(f, weights, qs) for f in flat])
    out = []
    for i in range(len(flat)):
        row = {"probability": float(mean[i]), "mcse": float(np.reshape(mcse, -1)[i])}
        for j, m in enumerate(MASSES):
            pct = round(100 * m)
            row[f"lo{pct}"] = float(bounds[i, 2 * j])
            row[f"hi{pct}"] = float(bounds[i, 2 * j + 1])
        out.append(row)
    return out


@dataclass
class Group:
    """Scenarios of one question that share a posterior."""

    key: GroupKey
    members: list[tuple[str, str | None, dict[str, Value], dict[str, Value]]] = field(
        default_factory=list
    )
    pareto_k: float | None = None
    note: str | None = None

    @property
    def prior(self) -> dict[str, Value]:
        """The group's prior settings."""
        return dict(self.key[0])

    @property
    def data(self) -> dict[str, Value]:
        """The group's data settings."""
        return dict(self.key[1])

    @property
    def strategy(self) -> str:
        """The strategy the group starts with."""
        if self.key[1]:
            return "resampled"
        if self.key[0]:
            return "reweighted"
        return "vectorised"


__all__ = [
    "Group",
    "Job",
    "Posterior",
    "Reweighting",
    "derived_seed",
    "prepare",
    "reweight",
    "sample_job",
    "split",
    "summaries",
    "summary",
]
