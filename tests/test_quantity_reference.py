"""Every number an exact quantity forecast reports, against SciPy's quadrature of the same
posterior written independently (``scipy.stats`` densities of the fitted experts, the
pool and the observed values' likelihood on the natural scale; quantiles by ``brentq``
on that CDF): the headline, the median and intervals, each threshold, the CDF, the
ensemble for scoring, the sensitivity table (prior and data counted half and double:
the density raised to the power), the quantity's own sensitivity rows (median and
P(X > t)), and the pool comparison (the other pool, each expert left out). One question
on each support (the real line, above a lower bound, a bounded range) and both pools.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from forecast import engine
from forecast.inference import SamplerSettings
from forecast.kinds.quantity.families import T_DF, Dist
from forecast.kinds.quantity.inputs import QuantityInputs, prepare
from forecast.kinds.quantity.pool import normalise
from forecast.kinds.quantity.result import QuantityResult
from forecast.kinds.quantity.spec import QuantityQuestion
from forecast.questions.loader import load_question
from forecast.results import Forecast
from tests.conftest import PRIORS

P_TOL = 2e-7
"""Largest difference allowed in a probability (the grid's tolerance is 1e-6; its
estimate on these questions is about 5e-8, its real error about 1e-9)."""
Q_TOL = 1e-6
"""Largest difference allowed in a quantile, relative to the posterior's 50% interval."""

REAL = """\
format: 1
kind: quantity
title: Tonnes shipped net of returns (can be negative)
resolution: Resolves at the value the test states.
deadline: 2030-01-01
unit: tonnes
support: real
thresholds: [120, 90, 150]
experts:
  - name: Trader
    family: t
    judgement: {quantiles: {0.25: 85, 0.5: 100, 0.75: 118}}
  - name: Analyst
    family: normal
    weight: 2
    judgement: {median: 130, interval: [100, 160], mass: 0.9}
pool: {method: logarithmic}
data: {values: [121.0, 138.0], measurement: {scale: natural, sd: 15.0}}
"""
BOUNDED = """\
format: 1
kind: quantity
title: Seats won out of 5000
resolution: Resolves at the value the test states.
deadline: 2030-01-01
unit: seats
support: bounded
bounds: [0, 5000]
thresholds: [1500, 1000, 2500]
experts:
  - name: Pollster
    judgement: {quantiles: {0.25: 900, 0.5: 1300, 0.75: 1800}}
  - name: Journalist
    weight: 0.5
    judgement: {quantiles: {0.1: 1500, 0.5: 2400, 0.9: 3400}}
  - name: Modeller
    judgement: {median: 1700, interval: [800, 2800], mass: 0.8}
pool: {method: linear}
data: {values: [1450.0], measurement: {scale: natural, sd: 300.0}}
"""


def _scipy(d: Dist) -> Callable[[float], float]:
    """The fitted expert's density by ``scipy.stats`` (not the tool's own formulae)."""
    lo, hi = d.support.lower, d.support.upper
    if d.family == "normal":
        return stats.norm(d.a, d.b).pdf
    if d.family == "t":
        return stats.t(T_DF, d.a, d.b).pdf
    if d.family == "lognormal":
        return stats.lognorm(d.b, loc=lo, scale=math.exp(d.a)).pdf
    if d.family == "gamma":
        return stats.gamma(d.a, loc=lo, scale=1 / d.b).pdf
    if d.family == "beta":
        return stats.beta(d.a, d.b, loc=lo, scale=hi - lo).pdf
    inner = stats.t(T_DF, d.a, d.b)  # log-t: lower + exp(T)
    return lambda x: float(inner.pdf(math.log(x - lo)) / (x - lo)) if x > lo else 0.0


def _textbook(d: Dist) -> Callable[[float], float]:
    """The same log density from the textbook formulae in :mod:`math`, for the speed of
    scalar calls under ``quad`` (checked against :func:`_scipy` before use)."""
    lo, hi = d.support.lower, d.support.upper
    a, b, nu = d.a, d.b, T_DF
    t_const = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)

    def normal(z: float) -> float:
        return -0.5 * z * z - 0.5 * math.log(2 * math.pi) - math.log(b)

    def student(z: float) -> float:
        return t_const - math.log(b) - (nu + 1) / 2 * math.log1p(z * z / nu)

    def f(x: float) -> float:
        if not lo < x < hi:
            return -math.inf
        if d.family == "normal":
            return normal((x - a) / b)
        if d.family == "t":
            return student((x - a) / b)
        y = x - lo
        if d.family == "lognormal":
            return normal((math.log(y) - a) / b) - math.log(y)
        if d.family == "logt":
            return student((math.log(y) - a) / b) - math.log(y)
        if d.family == "gamma":
            return a * math.log(b) + (a - 1) * math.log(y) - b * y - math.lgamma(a)
        u = y / (hi - lo)
        log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        return (a - 1) * math.log(u) + (b - 1) * math.log1p(-u) - log_beta - math.log(hi - lo)

    return f


class Reference:
    """A quantity's posterior by SciPy's adaptive quadrature: the pooled prior (linear:
    sum w f; logarithmic: prod f^w) raised to ``a_prior`` times the observed values'
    normal likelihood raised to ``a_lik``, integrated in log(x - lower) above a lower
    bound (an amount's tails span many orders of magnitude) and in x otherwise, split at
    the experts' quantiles and the data."""

    def __init__(
        self,
        inputs: QuantityInputs,
        method: str,
        weights: tuple[float, ...],
        a_prior: float = 1.0,
        a_lik: float = 1.0,
    ) -> None:
        self.inputs, self.method, self.weights = inputs, method, normalise(weights)
        self.a_prior, self.a_lik = a_prior, a_lik
        self.logpdfs = [_textbook(d) for d in inputs.experts]
        for d, mine in zip(inputs.experts, self.logpdfs, strict=True):
            theirs = _scipy(d)
            for x in d.ppf(np.linspace(0.001, 0.999, 41)):
                assert math.exp(mine(float(x))) == pytest.approx(theirs(float(x)), rel=1e-10)
        s = inputs.support
        obs = inputs.data
        near = [float(x) for d in inputs.experts for x in d.ppf(np.linspace(0.001, 0.999, 999))]
        levels = (1e-6, 0.01, 0.5, 0.99, 1 - 1e-6)
        cuts = [float(d.ppf(p)) for d in inputs.experts for p in levels]
        if obs is not None:
            near += [float(v) for v in obs.values]
            cuts += [float(v) for v in obs.values]
            if not obs.log:
                cuts += [min(obs.values) - 12 * obs.sd, max(obs.values) + 12 * obs.sd]
        self.top = 0.0
        self.top = max(self._log(x) + self._log_jac(x) for x in near)
        self.cuts = sorted(self._v(c) for c in cuts if s.lower < c < s.upper)
        self.total = self._integral(s.lower, s.upper)

    def _v(self, x: float) -> float:
        s = self.inputs.support
        if s.name != "positive":
            return x
        return math.log(x - s.lower) if x > s.lower else -math.inf

    def _log_jac(self, x: float) -> float:
        s = self.inputs.support
        return math.log(x - s.lower) if s.name == "positive" else 0.0

    def _log(self, x: float) -> float:
        parts = [(wi, f(x)) for wi, f in zip(self.weights, self.logpdfs, strict=True) if wi > 0]
        if self.method == "linear":
            total = sum(wi * math.exp(p) for wi, p in parts)
            prior = math.log(total) if total > 0 else -math.inf
        else:
            prior = sum(wi * p for wi, p in parts)
        if not math.isfinite(prior):
            return -math.inf
        obs = self.inputs.data
        lik = 0.0
        if obs is not None:
            loc = math.log(x) if obs.log else x
            sd = obs.sd
            lik = sum(
                -0.5 * ((v - loc) / sd) ** 2 - 0.5 * math.log(2 * math.pi) - math.log(sd)
                for v in obs.transformed.tolist()
            )
        return self.a_prior * prior + self.a_lik * lik

    def _g(self, v: float) -> float:
        """The density in the integration coordinate, scaled to a peak near 1."""
        s = self.inputs.support
        x = s.lower + math.exp(v) if s.name == "positive" else v
        if not s.lower < x < s.upper:
            return 0.0
        lf = self._log(x) + self._log_jac(x)
        return math.exp(lf - self.top) if math.isfinite(lf) else 0.0

    def _integral(self, a: float, b: float) -> float:
        """The integral from x = ``a`` to ``b``, one ``quad`` between each pair of cuts."""
        lo, hi = self._v(a), self._v(b)
        edges = [lo, *(c for c in self.cuts if lo < c < hi), hi]
        total = 0.0
        for v0, v1 in itertools.pairwise(edges):
            total += integrate.quad(self._g, v0, v1, limit=400, epsabs=1e-14, epsrel=1e-11)[0]
        return float(total)

    def cdf(self, t: float) -> float:
        """P(X <= t)."""
        return self._integral(self.inputs.support.lower, t) / self.total

    def sf(self, t: float) -> float:
        """P(X > t)."""
        return self._integral(t, self.inputs.support.upper) / self.total

    def ppf(self, q: float) -> float:
        """The q quantile, by ``brentq`` on :meth:`cdf` (bracketed by the cuts)."""
        s = self.inputs.support
        xs = [s.lower + math.exp(c) if s.name == "positive" else c for c in self.cuts]
        ps = [self.cdf(x) for x in xs]
        i = int(np.searchsorted(ps, q))
        assert 0 < i < len(xs), (q, ps)
        return float(
            optimize.brentq(lambda x: self.cdf(x) - q, xs[i - 1], xs[i], xtol=1e-12, rtol=1e-14)
        )


def _questions(tmp_path: Path) -> dict[str, Path]:
    paths = {"positive": PRIORS / "us-finance-kazakhstan-tungsten.yaml"}
    for name, text in (("real", REAL), ("bounded", BOUNDED)):
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[QuantityInputs, Forecast]]:
    """Each question's inputs and its exact forecast (``forecast run --method exact``)."""
    out = {}
    for name, path in _questions(tmp_path_factory.mktemp("q")).items():
        q = load_question(path)
        assert isinstance(q.spec, QuantityQuestion)
        f = engine.run(q, SamplerSettings(method="exact"))
        assert f.provenance.method == "exact"
        out[name] = (prepare(q.spec), f)
    return out


SUPPORTS = ("real", "positive", "bounded")


def _result(f: Forecast) -> QuantityResult:
    r = f.result
    assert isinstance(r, QuantityResult)
    return r


def _close_quantiles(got: Sequence[float], want: Sequence[float], width: float) -> None:
    for g, w in zip(got, want, strict=True):
        assert abs(g - w) <= Q_TOL * width, (g, w, width)


@pytest.mark.parametrize("support", SUPPORTS)
def test_headline_intervals_thresholds_and_cdf_against_quad(
    runs: dict[str, tuple[QuantityInputs, Forecast]], support: str
) -> None:
    inputs, f = runs[support]
    assert inputs.support.name == support
    assert inputs.closed_form is None  # the grid, not a closed form, is under test
    ref = Reference(inputs, inputs.method, inputs.weights)
    r = _result(f)
    post = r.posterior
    t0 = inputs.thresholds[0]
    assert f.probability == pytest.approx(ref.sf(t0), abs=P_TOL)
    for e in post.exceedances:
        assert e.probability == pytest.approx(ref.sf(e.threshold), abs=P_TOL), e
    width = ref.ppf(0.75) - ref.ppf(0.25)
    _close_quantiles([post.median], [ref.ppf(0.5)], width)
    for band in post.intervals:
        lo, hi = (1 - band.level) / 2, (1 + band.level) / 2
        _close_quantiles([band.lower, band.upper], [ref.ppf(lo), ref.ppf(hi)], width)
    for x, p in list(zip(post.cdf_x, post.cdf_p, strict=True))[::10]:
        assert p == pytest.approx(ref.cdf(x), abs=P_TOL), x
    n = len(r.ensemble)
    for i in (0, n // 4, n // 2, n - 1):
        _close_quantiles([r.ensemble[i]], [ref.ppf((i + 0.5) / n)], width)


@pytest.mark.parametrize("support", SUPPORTS)
def test_power_scaled_rows_against_quad(
    runs: dict[str, tuple[QuantityInputs, Forecast]], support: str
) -> None:
    """The prior or the data counted half and double: the sensitivity table's forecasts
    and the quantity's own rows (median and P(X > t)) against the powered density."""
    inputs, f = runs[support]
    r = _result(f)
    t0 = inputs.thresholds[0]
    base = Reference(inputs, inputs.method, inputs.weights)
    width = base.ppf(0.75) - base.ppf(0.25)
    head = base.sf(t0)
    want = {}
    for who in ("experts' prior", r.data["label"] if r.data else ""):
        for alpha, how in ((0.5, "counted half"), (2.0, "counted double")):
            powers = (alpha, 1.0) if who == "experts' prior" else (1.0, alpha)
            want[f"{who} {how}"] = Reference(inputs, inputs.method, inputs.weights, *powers)
    assert r.sensitivity is not None
    scaled = [m for m in r.sensitivity.moves if m.kind == "power-scaling"]
    assert {m.label for m in scaled} == set(want)
    for m in scaled:
        assert m.forecast == pytest.approx(want[m.label].sf(t0), abs=P_TOL), m
    rows = {row.label: row for row in r.moves if row.kind == "power-scaling"}
    assert set(rows) == set(want)
    for label, ref in want.items():
        row = rows[label]
        assert row.probability == pytest.approx(ref.sf(t0), abs=P_TOL), label
        assert row.delta == pytest.approx(ref.sf(t0) - head, abs=2 * P_TOL), label
        _close_quantiles([row.median], [ref.ppf(0.5)], width)


@pytest.mark.parametrize("support", SUPPORTS)
def test_pool_and_drop_one_rows_against_quad(
    runs: dict[str, tuple[QuantityInputs, Forecast]], support: str
) -> None:
    """The other pool and each expert left out, in the pool comparison and the quantity's
    own rows, against the pooled density with those weights."""
    inputs, f = runs[support]
    r = _result(f)
    t0 = inputs.thresholds[0]
    base = Reference(inputs, inputs.method, inputs.weights)
    width = base.ppf(0.75) - base.ppf(0.25)
    want = {f"{m} pool": Reference(inputs, m, inputs.weights) for m in ("linear", "logarithmic")}
    for i, name in enumerate(inputs.expert_names):
        w = tuple(0.0 if j == i else v for j, v in enumerate(inputs.weights))
        want[f"without {name}"] = Reference(inputs, inputs.method, w)
    assert r.pools is not None
    table = r.pools.comparison
    assert table.reference == pytest.approx(base.sf(t0), abs=P_TOL)
    assert {a.label for a in table.rows} == set(want)
    for a in table.rows:
        assert a.forecast == pytest.approx(want[a.label].sf(t0), abs=P_TOL), a
        assert a.delta == pytest.approx(want[a.label].sf(t0) - base.sf(t0), abs=2 * P_TOL)
    rows = {row.label: row for row in r.moves if row.kind != "power-scaling"}
    assert set(rows) == set(want)
    for label, ref in want.items():
        assert rows[label].probability == pytest.approx(ref.sf(t0), abs=P_TOL), label
        _close_quantiles([rows[label].median], [ref.ppf(0.5)], width)


@pytest.mark.slow
@pytest.mark.parametrize("support", ("real", "bounded"))
def test_nuts_on_each_support_within_3_mcse_of_quad(
    runs: dict[str, tuple[QuantityInputs, Forecast]], support: str, tmp_path: Path
) -> None:
    """The sampled path (PyMC's model, its transforms of the real line and of a bounded
    range) against the same quadrature: P(X > t) for every threshold and the median
    within 3 Monte Carlo errors (ArviZ's; at least the binomial error of as many
    independent draws)."""
    import arviz_stats as azs

    inputs, _ = runs[support]
    q = load_question(_questions(tmp_path)[support])
    f = engine.run(q, SamplerSettings(draws=2000, tune=1000, chains=2, seed=11, method="nuts"))
    assert f.provenance.method == "nuts"
    x = np.asarray(f.draws["x"]).reshape(2, -1)
    ref = Reference(inputs, inputs.method, inputs.weights)
    for t in inputs.thresholds:
        above = (x > t).astype(float)
        p = ref.sf(t)
        # a tail no draw reaches has an MCSE of 0: the binomial error of independent draws
        # at the reference probability is the floor
        floor = math.sqrt(p * (1 - p) / above.size)
        mcse = max(float(azs.mcse(above, chain_axis=0, draw_axis=1, method="mean")), floor)
        assert abs(above.mean() - p) <= 3 * mcse, (t, above.mean(), p, mcse)
    median = float(azs.mcse(x, chain_axis=0, draw_axis=1, method="median"))
    assert abs(float(np.median(x)) - ref.ppf(0.5)) <= 3 * median
