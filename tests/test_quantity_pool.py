"""Pools, the data update and the summary of a quantity, against closed forms and SciPy's
adaptive quadrature (``scipy.integrate.quad``), never against the code's own output."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate, stats

from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.grid import Density, GridDensity
from forecast.kinds.quantity.pool import LinearPool, log_pool
from forecast.kinds.quantity.quadrature import Problem, QuantityGrid
from forecast.kinds.quantity.summary import of_distribution, of_draws
from forecast.kinds.quantity.update import Observations, conjugate

REAL, POSITIVE, BOUNDED = Support(), Support(0.0), Support(0.0, 5000.0)
MIXED = (
    Dist("gamma", 2.5, 0.003, POSITIVE),
    Dist("lognormal", 6.5, 0.6, POSITIVE),
    Dist("logt", 7.2, 0.3, POSITIVE),
)
WEIGHTS = (1.0, 2.0, 1.0)


def posterior(prior: Density, support: Support, obs: Observations) -> GridDensity:
    """The posterior by the quantity's adaptive quadrature grid."""
    if isinstance(prior, LinearPool):
        experts, weights = prior.components, prior.weights
    else:
        assert isinstance(prior, Dist)
        experts, weights = (prior,), (1.0,)
    return QuantityGrid.of(Problem(support, experts, weights, "linear", obs)).posterior


def _quad(f, lo: float, hi: float, points: list[float] | None = None) -> float:  # type: ignore[no-untyped-def]
    return float(integrate.quad(f, lo, hi, limit=400, points=points)[0])


def _total(f, s: Support, cuts: list[float]) -> float:  # type: ignore[no-untyped-def]
    """The integral of the density ``f`` over the support, split at ``cuts`` for adaptive
    quadrature (above a lower bound in log(x - lower), where a skewed density is smooth)."""
    if s.name == "positive":
        g = lambda u: f(s.lower + math.exp(u)) * math.exp(u)  # noqa: E731
        edges = [-200.0, *sorted(math.log(c - s.lower) for c in cuts), 200.0]
    else:
        g, edges = f, [s.lower, *sorted(cuts), s.upper]
    return sum(_quad(g, a, b) for a, b in itertools.pairwise(edges))


@pytest.mark.parametrize(
    "experts",
    [
        MIXED,
        (Dist("normal", 10.0, 3.0, REAL), Dist("t", 20.0, 2.0, REAL)),
        (Dist("beta", 2.0, 5.0, BOUNDED), Dist("beta", 6.0, 2.0, BOUNDED)),
    ],
)
def test_pool_densities_integrate_to_one(experts: tuple[Dist, ...]) -> None:
    s = experts[0].support
    cuts = sorted({float(d.ppf(q)) for d in experts for q in (0.001, 0.5, 0.999)})
    lin = LinearPool(experts, (1.0,) * len(experts))
    assert _total(lambda x: math.exp(float(lin.logpdf(x))), s, cuts) == pytest.approx(1, abs=1e-7)
    logp = log_pool(experts, (1.0,) * len(experts))
    assert logp.total() == pytest.approx(1.0, abs=1e-12)
    # Against the product's own normalising constant, by adaptive quadrature.
    w = 1 / len(experts)

    def product(x: float) -> float:
        return math.exp(sum(w * float(d.logpdf(x)) for d in experts))

    z = _total(product, s, cuts)
    for q in (0.1, 0.5, 0.9):
        x = float(logp.ppf(q))
        assert float(logp.logpdf(x)) == pytest.approx(math.log(product(x) / z), abs=1e-4)


def test_linear_pool_cdf_and_quantiles_against_quadrature() -> None:
    pool = LinearPool(MIXED, WEIGHTS)
    w = np.array(WEIGHTS) / sum(WEIGHTS)

    def pdf(x: float) -> float:
        return float(sum(wi * d.pdf(x) for wi, d in zip(w, MIXED, strict=True)))

    for t in (300.0, 900.0, 1500.0, 4000.0):
        assert float(pool.cdf(t)) == pytest.approx(_quad(pdf, 0, t, [t / 2]), abs=1e-7)
    for q in (0.025, 0.5, 0.9):
        assert float(pool.cdf(pool.ppf(q))) == pytest.approx(q, abs=1e-9)


def test_log_pool_of_normals_is_the_closed_form_normal() -> None:
    experts = (Dist("normal", 100.0, 20.0, REAL), Dist("normal", 160.0, 40.0, REAL))
    w = np.array([0.3, 0.7])
    prec = float(np.sum(w / np.array([20.0, 40.0]) ** 2))
    mean = float(np.sum(w * np.array([100.0, 160.0]) / np.array([20.0, 40.0]) ** 2)) / prec
    ref = stats.norm(mean, 1 / math.sqrt(prec))
    pooled = log_pool(experts, tuple(w))
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        assert float(pooled.ppf(q)) == pytest.approx(ref.ppf(q), rel=1e-5)


def test_log_pool_of_mixed_families_against_quadrature() -> None:
    w = np.array(WEIGHTS) / sum(WEIGHTS)

    def product(x: float) -> float:
        return math.exp(sum(wi * float(d.logpdf(x)) for wi, d in zip(w, MIXED, strict=True)))

    z = _total(product, POSITIVE, [500.0, 1000.0, 2000.0, 5000.0])
    pooled = log_pool(MIXED, WEIGHTS)
    for t in (400.0, 800.0, 1300.0, 2500.0):
        assert float(pooled.cdf(t)) == pytest.approx(
            _total(product, Support(0.0, t), [t / 2]) / z, abs=2e-5
        )


def _obs(values: list[float], sd: float, log: bool) -> Observations:
    return Observations(tuple(values), sd, log)


def test_normal_normal_update_closed_form() -> None:
    obs = _obs([120.0, 135.0], 15.0, False)
    post = conjugate(LinearPool((Dist("normal", 100.0, 20.0, REAL),), (1.0,)), obs)
    assert post is not None
    prec = 1 / 20**2 + 2 / 15**2
    mean = (100 / 20**2 + 255 / 15**2) / prec
    (d,) = post.components
    assert (d.a, d.b) == pytest.approx((mean, 1 / math.sqrt(prec)), rel=1e-12)


def test_mixture_conjugate_agrees_with_quadrature() -> None:
    prior = LinearPool(
        (Dist("lognormal", 6.0, 0.5, POSITIVE), Dist("lognormal", 7.0, 0.3, POSITIVE)), (1.0, 1.0)
    )
    obs = _obs([700.0, 900.0, 650.0], 0.4, True)
    closed = conjugate(prior, obs)
    assert closed is not None
    grid = posterior(prior, POSITIVE, obs)
    for q in (0.05, 0.5, 0.95):
        assert float(grid.ppf(q)) == pytest.approx(float(closed.ppf(q)), rel=1e-4)


def test_non_conjugate_update_against_quadrature() -> None:
    prior = LinearPool(MIXED, WEIGHTS)
    obs = _obs([1400.0], 300.0, False)
    assert conjugate(prior, obs) is None

    def unnorm(x: float) -> float:
        return math.exp(float(prior.logpdf(x)) + float(stats.norm.logpdf(1400.0, x, 300.0)))

    z = _total(unnorm, POSITIVE, [800.0, 1400.0, 3000.0])
    post = posterior(prior, POSITIVE, obs)
    for t in (800.0, 1200.0, 1600.0, 2200.0):
        assert float(post.cdf(t)) == pytest.approx(
            _total(unnorm, Support(0.0, t), [t / 2]) / z, abs=2e-5
        )


def test_quadrature_posterior_is_calibrated() -> None:
    # Draw X from the prior, data given X; the posterior CDF at X is uniform (exactly,
    # for an exact posterior): the rank check of simulation-based calibration.
    rng = np.random.default_rng(7)
    prior = Dist("gamma", 3.0, 0.004, POSITIVE)
    pits = []
    for _ in range(100):
        x = float(prior.ppf(rng.uniform()))
        obs = _obs([float(v) for v in x * np.exp(rng.normal(0, 0.3, size=2))], 0.3, True)
        pits.append(float(posterior(prior, POSITIVE, obs).cdf(x)))
    assert stats.kstest(pits, "uniform").pvalue > 0.01


def test_summary_of_a_distribution_and_of_its_draws() -> None:
    d = Dist("lognormal", 7.0, 0.5, POSITIVE)
    s = of_distribution(d, [1000.0, 2000.0])
    assert s.median == pytest.approx(math.exp(7.0))
    band = s.interval(0.8)
    assert (band.lower, band.upper) == pytest.approx(
        (math.exp(7 - 0.5 * stats.norm.ppf(0.9)), math.exp(7 + 0.5 * stats.norm.ppf(0.9)))
    )
    assert s.exceedances[1].probability == pytest.approx(stats.norm.sf((math.log(2000) - 7) / 0.5))
    draws = d.ppf(np.random.default_rng(1).uniform(size=40000))
    sd = of_draws(draws, [1000.0, 2000.0])
    assert sd.median == pytest.approx(s.median, rel=0.02)
    p = s.exceedances[0].probability
    assert sd.exceedances[0].probability == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 40000))
    assert sd.cdf_p[0] <= 0.01 and sd.cdf_p[-1] >= 0.99
