"""Fits of a quantity's judgements against SHELF's ``fitdist`` and independent SciPy fits.

SHELF's own tests (tests/testthat/test-fitting.R) make judgements from a known
distribution and expect it back; those cases are reproduced with the same numbers (the
Student-t families with SHELF's default 3 degrees of freedom). The two-quantile normal
and lognormal fits have a closed form: sigma = (x2 - x1) / (z2 - z1), mu = x1 - z1 sigma
(on the log scale for the lognormal), with fit error 0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import optimize, stats

from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.fit import fit_judgement, roulette_points, statements
from forecast.kinds.quantity.spec import QuantityJudgement

REAL, POSITIVE = Support(), Support(0.0)


def _q(values: list[float], probs: list[float]) -> QuantityJudgement:
    return QuantityJudgement(quantiles=dict(zip(probs, values, strict=True)))


def test_normal_from_two_quantiles_is_shelf_closed_form() -> None:
    x1, x2, p1, p2 = 120.0, 300.0, 0.1, 0.9
    z1, z2 = stats.norm.ppf([p1, p2])
    sigma = (x2 - x1) / (z2 - z1)
    mu = x1 - z1 * sigma
    fit = fit_judgement(_q([x1, x2], [p1, p2]), REAL, ("normal", "t")).fits[0]
    assert fit.family == "normal"
    assert fit.dist.a == pytest.approx(mu, rel=1e-9)
    assert fit.dist.b == pytest.approx(sigma, rel=1e-9)
    assert fit.sse == pytest.approx(0.0, abs=1e-20)


def test_lognormal_from_two_quantiles_is_closed_form_on_the_log_scale() -> None:
    x1, x2, p1, p2 = 200.0, 1500.0, 0.05, 0.75
    z1, z2 = stats.norm.ppf([p1, p2])
    sigma = (math.log(x2) - math.log(x1)) / (z2 - z1)
    mu = math.log(x1) - z1 * sigma
    fits = {
        f.family: f for f in fit_judgement(_q([x1, x2], [p1, p2]), POSITIVE, ("lognormal",)).fits
    }
    assert fits["lognormal"].dist.a == pytest.approx(mu, rel=1e-9)
    assert fits["lognormal"].dist.b == pytest.approx(sigma, rel=1e-9)
    assert fits["lognormal"].sse == pytest.approx(0.0, abs=1e-20)


# --- SHELF's own cases: judgements made from a known distribution come back ------------


def test_shelf_normal_case() -> None:
    m, s = 10.0, 20.0
    vals = [m - s, m, m + 2 * s]
    fit = fit_judgement(_q(vals, list(stats.norm.cdf(vals, m, s))), REAL, ("normal", "t"))
    assert fit.chosen == "normal"
    assert fit.dist.a == pytest.approx(m, abs=1e-3)
    assert fit.dist.b == pytest.approx(s, abs=1e-3)


def test_shelf_t_case() -> None:
    m, s = 10.0, 20.0
    vals = [m - s, m, m + 2 * s]
    probs = list(stats.t.cdf((np.array(vals) - m) / s, 3))
    fit = fit_judgement(_q(vals, probs), REAL, ("normal", "t"))
    assert fit.chosen == "t"
    assert (fit.dist.a, fit.dist.b) == pytest.approx((m, s), abs=1e-3)
    assert fit.best.sse < 1e-12 < next(f.sse for f in fit.fits if f.family == "normal")


@pytest.mark.parametrize(
    ("family", "vals", "cdf", "expect"),
    [
        (
            "lognormal",
            [22, 30, 42],
            lambda v: stats.lognorm.cdf(v + 10, 0.5, scale=30),
            (math.log(30), 0.5),
        ),
        ("gamma", [-7, -5, -2], lambda v: stats.gamma.cdf(v + 10, 5, scale=1 / 2), (5.0, 2.0)),
        (
            "logt",
            [22, 30, 42],
            lambda v: stats.t.cdf((np.log(v + 10) - math.log(30)) / 0.5, 3),
            (math.log(30), 0.5),
        ),
    ],
)
def test_shelf_cases_above_a_lower_bound(family, vals, cdf, expect) -> None:  # type: ignore[no-untyped-def]
    # SHELF: fitdist(vals, probs, lower = -10); the chosen family is the generating one.
    probs = [float(p) for p in cdf(np.array(vals, dtype=float))]
    fit = fit_judgement(_q(vals, probs), Support(-10.0), ("gamma", "lognormal", "logt"))
    assert fit.chosen == family
    assert (fit.dist.a, fit.dist.b) == pytest.approx(expect, abs=1e-3)
    assert all(f.sse > fit.best.sse for f in fit.fits if f.family != family)


def test_shelf_scaled_beta_case() -> None:
    lo, hi, a, b = 10.0, 60.0, 5.0, 20.0
    vals = [18.0, 20.0, 24.0]
    probs = list(stats.beta.cdf((np.array(vals) - lo) / (hi - lo), a, b))
    fit = fit_judgement(_q(vals, probs), Support(lo, hi), ("beta",))
    assert (fit.dist.a, fit.dist.b) == pytest.approx((a, b), abs=1e-3)


# --- against independent SciPy fits of the same objective ---------------------------


def _scipy_lsq(
    cdf, values: list[float], probs: list[float], x0: list[float]
) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """SHELF's objective minimised with Nelder-Mead from a far start."""

    def loss(theta: np.ndarray) -> float:
        return float(np.sum((cdf(np.asarray(values), theta) - np.asarray(probs)) ** 2))

    best = optimize.minimize(
        loss, x0, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-16, "maxiter": 20000}
    )
    return best.x, best.fun


def test_inconsistent_quantiles_gamma_against_scipy() -> None:
    values, probs = [300.0, 700.0, 1100.0, 4000.0], [0.1, 0.5, 0.6, 0.95]
    fit = fit_judgement(_q(values, probs), POSITIVE, ("gamma", "lognormal", "logt"))
    for family, cdf, x0 in [
        (
            "gamma",
            lambda v, th: stats.gamma.cdf(v, np.exp(th[0]), scale=np.exp(-th[1])),
            [0.0, -5.0],
        ),
        (
            "lognormal",
            lambda v, th: stats.norm.cdf((np.log(v) - th[0]) / np.exp(th[1])),
            [5.0, 0.0],
        ),
        ("logt", lambda v, th: stats.t.cdf((np.log(v) - th[0]) / np.exp(th[1]), 3), [5.0, 0.0]),
    ]:
        theta, sse = _scipy_lsq(cdf, values, probs, x0)
        ours = next(f for f in fit.fits if f.family == family)
        assert ours.sse == pytest.approx(sse, rel=1e-4, abs=1e-12)
        implied = cdf(np.array([500.0, 900.0, 2000.0]), theta)
        assert ours.dist.cdf(np.array([500.0, 900.0, 2000.0])) == pytest.approx(implied, abs=1e-4)
    assert fit.chosen == min(fit.fits, key=lambda f: f.sse).family


def test_log_t_matches_scipys_transformed_variable() -> None:
    T = stats.make_distribution(stats.t)
    ref = stats.exp(T(df=3.0) * 0.4 + 6.0)
    d = Dist("logt", 6.0, 0.4, POSITIVE)
    x = np.array([50.0, 300.0, 403.0, 900.0, 5000.0])
    assert d.cdf(x) == pytest.approx(ref.cdf(x), rel=1e-10)
    assert d.logpdf(x) == pytest.approx(ref.logpdf(x), rel=1e-10)
    assert d.ppf([0.1, 0.5, 0.9]) == pytest.approx(ref.icdf([0.1, 0.5, 0.9]), rel=1e-8)
    assert float(d.cdf(-1.0)) == 0.0 and float(d.logpdf(0.0)) == -math.inf


def test_median_and_symmetric_log_interval_is_exact_lognormal() -> None:
    m, lo, hi, mass = 800.0, 200.0, 3200.0, 0.8
    j = QuantityJudgement(median=m, interval=(lo, hi), mass=mass)
    fit = fit_judgement(j, POSITIVE, ("gamma", "lognormal", "logt"))
    lognormal = next(f for f in fit.fits if f.family == "lognormal")
    assert lognormal.dist.a == pytest.approx(math.log(m), abs=1e-6)
    assert lognormal.dist.b == pytest.approx(math.log(4) / stats.norm.ppf(0.9), rel=1e-6)
    assert lognormal.sse == pytest.approx(0, abs=1e-14)
    assert statements(j) == [(-math.inf, m, 0.5), (lo, hi, mass)]


def test_roulette_is_trimmed_as_shelf_and_fitted_as_scipy() -> None:
    bins, chips = [0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0], [0, 4, 10, 4, 2]
    assert roulette_points(bins, chips) == [
        (500.0, 0.0),
        (1000.0, 0.2),
        (1500.0, 0.7),
        (2000.0, 0.9),
        (2500.0, 1.0),
    ]
    j = QuantityJudgement(roulette={"bins": bins, "chips": chips})
    fit = fit_judgement(j, Support(0.0, 2500.0), ("beta",))
    x = np.array([500.0, 1000.0, 1500.0, 2000.0, 2500.0])
    p = np.array([0.0, 0.2, 0.7, 0.9, 1.0])
    theta, sse = _scipy_lsq(
        lambda v, th: stats.beta.cdf(v / 2500, *np.exp(th)), list(x), list(p), [0.0, 0.0]
    )
    assert fit.best.sse == pytest.approx(sse, rel=1e-4)
    assert (fit.dist.a, fit.dist.b) == pytest.approx(tuple(np.exp(theta)), rel=1e-3)


def test_fixed_family_is_used_even_when_another_fits_better() -> None:
    values = [22.0, 30.0, 42.0]
    probs = [float(p) for p in stats.lognorm.cdf(np.array(values), 0.5, scale=30)]
    fit = fit_judgement(_q(values, probs), POSITIVE, ("gamma", "lognormal", "logt"), "gamma")
    assert fit.chosen == "gamma" and fit.dist.family == "gamma"
    assert len(fit.fits) == 3  # every family's error is still kept


@pytest.mark.parametrize(
    ("judgement", "needle"),
    [
        ({"quantiles": {0.5: 10}}, "at least 2"),
        ({"quantiles": {0.5: 10, 0.25: 5}}, "levels must increase"),
        ({"quantiles": {0.25: 10, 0.5: 5}}, "values must increase"),
        ({"median": 5, "interval": [6, 9]}, "must contain the median"),
        ({"median": 5}, "not a judgement form"),
        ({"roulette": {"bins": [0, 1, 2], "chips": [3, 0]}}, "at least 2 bins"),
    ],
)
def test_bad_judgements_are_refused(judgement: dict[str, object], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        QuantityJudgement.model_validate(judgement)
