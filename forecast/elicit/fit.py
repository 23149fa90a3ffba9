"""Fit a distribution to each judgement.

* point + strength "as if n cases": Beta(p·n, (1-p)·n), whose mean is p;
* pseudo-counts "as if k in n": Beta(k + 1, n - k + 1), a uniform prior updated by them;
* an interval with its mass: PreliZ's ``maxent``, the maximum-entropy distribution
  with that mass inside the interval (the interval alone leaves the shape open);
* quantiles, or a median with an interval: least squares on the stated probabilities,
  minimising sum (F(hi) - F(lo) - p)^2 over the parameters on the log scale. PreliZ
  has no call for an arbitrary set of statements (its ``maxent`` with a fixed median
  only approximately holds the median); this is what SHELF's ``fitdist`` does.
* roulette chips: the share of chips left of each bin edge is a cumulative probability,
  fitted by the same least squares. As SHELF's ``roulette`` (PreliZ's roulette is a
  widget), the statements run from the last edge with no chips to its left (P = 0) to
  the first edge with every chip to its left (P = 1); empty bins beyond those add
  nothing.

Fits are deterministic functions of the judgement, so they are cached on disk (keyed by
the judgement and the PreliZ version): a warm ``forecast run`` does not import PreliZ,
which imports PyMC and takes seconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from forecast.elicit.distributions import Check, Fitted
from forecast.errors import FitError
from forecast.jsoncache import JSONCache
from forecast.questions.judgement import MedianInterval, ProbabilityJudgement
from forecast.questions.limits import SHAPE_FLOOR

if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion

_EPS = 1e-9


def cache_dir() -> Path:
    """Where fitted judgements are cached (``FORECAST_CACHE_DIR`` overrides)."""
    env = os.environ.get("FORECAST_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("forecast"))


class FitCache(JSONCache):
    """A small JSON file of fits keyed by a hash of the judgement."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or cache_dir() / "fits-v1.json")

    def get(self, key: str) -> Fitted | None:
        """The cached fit for ``key``, if any."""
        entry = self._entry(key)
        if not isinstance(entry, Mapping):
            return None
        try:
            return Fitted.from_dict(entry)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, fitted: Fitted) -> None:
        """Remember a fit (written by :meth:`flush`)."""
        self._remember(key, fitted.to_dict())


_default_cache: FitCache | None = None


def default_cache() -> FitCache:
    """The process-wide fit cache."""
    global _default_cache
    if _default_cache is None or _default_cache.path.parent != cache_dir():
        _default_cache = FitCache()
    return _default_cache


@functools.cache
def _preliz_version() -> str:
    try:
        return metadata.version("preliz")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "none"


def _key(kind: str, payload: object) -> str:
    blob = json.dumps([kind, payload, _preliz_version(), 1], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _preliz() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import preliz

    return preliz


def _maxent(family: str, lo: float, hi: float, mass: float) -> dict[str, float]:
    """Maximum-entropy fit with PreliZ: ``mass`` inside [lo, hi]."""
    pz = _preliz()
    dist = pz.Beta() if family == "beta" else pz.LogNormal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pz.maxent(dist, lo, hi, mass, plot=False)
    if family == "beta":
        return {"alpha": float(dist.alpha), "beta": float(dist.beta)}
    return {"mu": float(dist.mu), "sigma": float(dist.sigma)}


def roulette_points(bins: list[float], chips: list[int]) -> list[tuple[float, float]]:
    """Roulette chips as (edge, P(X <= edge)) pairs, trimmed as SHELF's ``roulette``."""
    total = sum(chips)
    counts = [0]
    for c in chips:
        counts.append(counts[-1] + c)
    first = max(i for i, c in enumerate(counts) if c == 0)
    last = min(i for i, c in enumerate(counts) if c == total)
    return [(bins[i], counts[i] / total) for i in range(first, last + 1)]


def _statements(j: ProbabilityJudgement | MedianInterval) -> list[tuple[float, float, float]]:
    """A judgement as probability statements P(lo <= X <= hi) = p."""
    if isinstance(j, ProbabilityJudgement) and j.roulette is not None:
        return [
            (-math.inf, edge, p) for edge, p in roulette_points(j.roulette.bins, j.roulette.chips)
        ]
    if j.quantiles is not None:
        return [(-math.inf, v, level) for level, v in j.quantiles.items()]
    assert j.interval is not None
    median = j.probability if isinstance(j, ProbabilityJudgement) else j.median
    out = [(j.interval[0], j.interval[1], j.interval_mass)]
    if median is not None:
        out.append((-math.inf, median, 0.5))
    return out


def _lsq(family: str, statements: list[tuple[float, float, float]]) -> dict[str, float]:
    """Least squares on stated probabilities, as SHELF's ``fitdist``.

    Minimises sum (F(hi) - F(lo) - p)^2 over the parameters on the log scale, started
    from a moment match to the statements' median and spread. (SciPy's ``stats`` and
    ``optimize`` are imported here: a forecast from cached fits needs neither.)
    """
    from scipy import optimize, stats

    points = sorted({x for lo, hi, _ in statements for x in (lo, hi) if math.isfinite(x)})
    centre = float(np.median(points))
    spread = max(points[-1] - points[0], 1e-3) if len(points) > 1 else 0.1
    if family == "beta":
        m = min(max(centre, 1e-4), 1 - 1e-4)
        var = min((spread / 3.3) ** 2, m * (1 - m) * 0.9)
        n0 = max(m * (1 - m) / var - 1, 0.5)
        x0 = np.log([max(m * n0, 0.05), max((1 - m) * n0, 0.05)])

        def cdf(x: float, theta: np.ndarray) -> float:
            if x == -math.inf:
                return 0.0
            a, b = np.exp(theta)
            return float(stats.beta.cdf(min(max(x, 0.0), 1.0), a, b))

    else:
        logs = [math.log(x) for x in points]
        x0 = np.array(
            [
                float(np.median(logs)),
                math.log(max((logs[-1] - logs[0]) / 3.3, 0.05) if len(logs) > 1 else 0.5),
            ]
        )

        def cdf(x: float, theta: np.ndarray) -> float:
            if x == -math.inf:
                return 0.0
            return float(stats.norm.cdf((math.log(x) - theta[0]) / math.exp(theta[1])))

    def loss(theta: np.ndarray) -> float:
        if not np.all(np.abs(theta) < 50):
            return 1e6
        return sum((cdf(hi, theta) - cdf(lo, theta) - p) ** 2 for lo, hi, p in statements)

    best = optimize.minimize(
        loss, x0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 4000}
    )
    if not np.all(np.isfinite(best.x)) or best.fun >= 1e6:
        raise FitError(
            "could not fit a distribution to the stated probabilities",
            hint="check that the values and their probabilities tell one consistent story",
        )
    if family == "beta":
        a, b = np.exp(best.x)
        return {"alpha": float(a), "beta": float(b)}
    return {"mu": float(best.x[0]), "sigma": float(math.exp(best.x[1]))}


def _checks(fitted: Fitted, judgement: ProbabilityJudgement | MedianInterval) -> tuple[Check, ...]:
    """The elicited statements next to the fitted probabilities."""
    out: list[Check] = []
    if isinstance(judgement, ProbabilityJudgement) and judgement.roulette is not None:
        r = judgement.roulette
        for edge, p in roulette_points(r.bins, r.chips):
            out.append(Check(f"P(X <= {edge:g})", p, float(fitted.cdf(edge))))
        return tuple(out)
    if judgement.quantiles is not None:
        for level, value in judgement.quantiles.items():
            out.append(Check(f"P(X <= {value:g})", level, float(fitted.cdf(value))))
        return tuple(out)
    interval = judgement.interval
    median = (
        judgement.probability if isinstance(judgement, ProbabilityJudgement) else judgement.median
    )
    if interval is not None:
        lo, hi = interval
        mass = judgement.interval_mass
        out.append(Check(f"P({lo:g} <= X <= {hi:g})", mass, float(fitted.cdf(hi) - fitted.cdf(lo))))
        if median is not None:
            out.append(Check(f"P(X <= {median:g})", 0.5, float(fitted.cdf(median))))
    return tuple(out)


def fit_at[J](
    where: tuple[str | int, ...], fit: Callable[[J, FitCache | None], Fitted], j: J, cache: FitCache
) -> Fitted:
    """``fit(j, cache)``, its FitError placed at ``where`` in the priors file."""
    try:
        return fit(j, cache)
    except FitError as exc:
        raise exc.at(*where) from None


@contextmanager
def located(q: LoadedQuestion) -> Iterator[None]:
    """Report a FitError placed in ``q``'s file (a LoadedQuestion) as a located problem."""
    try:
        yield
    except FitError as exc:
        if not exc.field:
            raise
        from forecast.errors import InputError, Problem
        from forecast.questions.loader import display
        from forecast.yamlio import dotted

        line, col = q.marks.find(exc.field) or (None, None)
        problem = Problem(display(q.path), line, col, dotted(exc.field), exc.message, exc.hint)
        raise InputError([problem]) from None


def fit_probability(j: ProbabilityJudgement, cache: FitCache | None = None) -> Fitted:
    """Fit a Beta distribution to a judgement about a probability.

    Raises
    ------
    FitError
        When no Beta fits, or the one that fits best has a shape parameter below
        :data:`~forecast.questions.limits.SHAPE_FLOOR` (its mass piles up at 0 or 1).
    """
    try:
        fitted = _fit_probability(j, cache)
    except (ArithmeticError, ValueError) as exc:
        raise FitError(f"could not fit a Beta to this judgement ({exc})") from None
    return _above_floor(fitted)


def _above_floor(fitted: Fitted) -> Fitted:
    """``fitted``, refused when a shape parameter is below SHAPE_FLOOR."""
    a, b = fitted.params["alpha"], fitted.params["beta"]
    if min(a, b) >= SHAPE_FLOOR * (1 - 1e-9):
        return fitted
    edge = "0" if a < b else "1"
    raise FitError(
        f"the Beta that fits this judgement best, Beta({a:.3g}, {b:.3g}), has a shape below "
        f"{SHAPE_FLOOR:g}: nearly all its mass is at a probability indistinguishable from "
        f"{edge}, which cannot be computed reliably",
        hint=f"say how sure the expert is with a narrower interval away from {edge}, or "
        "give a probability with a strength",
    )


def needs_preliz(j: ProbabilityJudgement, cache: FitCache | None = None) -> bool:
    """Whether fitting ``j`` would import PreliZ (an interval fit not in the cache)."""
    if j.form != "interval":
        return False
    cache = cache or default_cache()
    return cache.get(_key("probability", j.model_dump(mode="json"))) is None


def _fit_probability(j: ProbabilityJudgement, cache: FitCache | None) -> Fitted:
    form = j.form
    if form == "point":
        assert j.probability is not None and j.strength is not None
        n = j.strength
        a, b = j.probability * n, (1 - j.probability) * n
        return Fitted(
            "beta",
            {"alpha": a, "beta": b},
            "strength",
            (Check("mean", j.probability, a / (a + b)),),
        )
    if form == "pseudo_counts":
        assert j.pseudo_counts is not None
        k, n = j.pseudo_counts.successes, j.pseudo_counts.trials
        return Fitted("beta", {"alpha": k + 1.0, "beta": n - k + 1.0}, "pseudo_counts")
    payload = j.model_dump(mode="json")
    cache = cache or default_cache()
    key = _key("probability", payload)
    hit = cache.get(key)
    if hit is not None:
        return hit
    if form == "interval":
        assert j.interval is not None
        params = _maxent("beta", j.interval[0], j.interval[1], j.interval_mass)
        method = "maxent"
    else:
        params = _lsq("beta", _statements(j))
        method = "roulette" if form == "roulette" else "least-squares"
    fitted = Fitted("beta", params, method)
    fitted = Fitted("beta", params, method, _checks(fitted, j))
    cache.put(key, fitted)
    return fitted


def fit_positive(j: float | MedianInterval, cache: FitCache | None = None) -> Fitted:
    """Fit a LogNormal to a judgement of a positive quantity (a number is a point mass)."""
    try:
        return _fit_positive(j, cache)
    except (ArithmeticError, ValueError) as exc:
        raise FitError(f"could not fit a LogNormal to this judgement ({exc})") from None


def _fit_positive(j: float | MedianInterval, cache: FitCache | None) -> Fitted:
    if not isinstance(j, MedianInterval):
        return Fitted("lognormal", {"mu": math.log(float(j)), "sigma": 0.0}, "fixed")
    cache = cache or default_cache()
    key = _key("positive", j.model_dump(mode="json"))
    hit = cache.get(key)
    if hit is not None:
        return hit
    params = _lsq("lognormal", _statements(j))
    method = "least-squares"
    fitted = Fitted("lognormal", params, method)
    fitted = Fitted("lognormal", params, method, _checks(fitted, j))
    cache.put(key, fitted)
    return fitted
