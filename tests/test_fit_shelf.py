"""Judgement fits against SHELF's ``fitdist`` (Oakley, the SHELF R package).

SHELF fits by least squares on the elicited cumulative probabilities. Its own tests
(tests/testthat/test-fitting.R) give judgements made from a known distribution and
expect that distribution back to 3 decimals; those cases are reproduced here with the
same numbers. For the documented example without published fitted numbers
(vals = 20, 30, 50 at probs 0.25, 0.5, 0.75 with limits 0 and 100) the fit is compared
with an independent least-squares fit done here with SciPy on the same objective. The
agreement asked of every fit: implied probabilities within 0.01.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from scipy import optimize, stats

from forecast.elicit.fit import fit_positive, fit_probability, roulette_points
from forecast.errors import InputError
from forecast.questions.judgement import MedianInterval, ProbabilityJudgement
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER

PROBES = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8])


def _scipy_beta_lsq(values: list[float], probs: list[float]) -> tuple[float, float]:
    """SHELF's beta objective, sum (pbeta(v) - p)^2, minimised with SciPy from far away."""

    def resid(theta: np.ndarray) -> np.ndarray:
        a, b = np.exp(theta)
        return stats.beta.cdf(values, a, b) - np.asarray(probs)

    best = optimize.least_squares(resid, x0=[0.0, 0.0], xtol=1e-14, ftol=1e-14, gtol=1e-14)
    a, b = np.exp(best.x)
    return float(a), float(b)


def _scipy_lognormal_lsq(values: list[float], probs: list[float]) -> tuple[float, float]:
    def resid(theta: np.ndarray) -> np.ndarray:
        return stats.norm.cdf((np.log(values) - theta[0]) / np.exp(theta[1])) - np.asarray(probs)

    best = optimize.least_squares(resid, x0=[0.0, 0.0], xtol=1e-14, ftol=1e-14, gtol=1e-14)
    return float(best.x[0]), float(np.exp(best.x[1]))


# --- SHELF's own test cases (tests/testthat/test-fitting.R) ---------------------------


def test_shelf_scaled_beta_case() -> None:
    # a = 5, b = 20 on [10, 60]; vals 18, 20, 24; probs = pbeta((vals - l) / (u - l), a, b).
    # SHELF expects shape1 = 5, shape2 = 20 (tolerance 0.001). On the unit scale this is
    # a judgement about a probability with values (vals - 10) / 50.
    lo, hi, a, b = 10, 60, 5, 20
    vals = np.array([18.0, 20.0, 24.0])
    scaled = (vals - lo) / (hi - lo)
    probs = stats.beta.cdf(scaled, a, b)
    pairs = zip(probs, scaled, strict=True)
    j = ProbabilityJudgement(quantiles={float(p): float(v) for p, v in pairs})
    f = fit_probability(j)
    assert f.params["alpha"] == pytest.approx(a, rel=1e-3)
    assert f.params["beta"] == pytest.approx(b, rel=1e-3)
    assert f.fit_error < 1e-10
    # SHELF's feedback for that fit: P(X < 19) and P(X < 29), the 5% and 95% quantiles.
    for x in (19, 29):
        assert float(f.cdf((x - lo) / (hi - lo))) == pytest.approx(
            stats.beta.cdf((x - lo) / (hi - lo), a, b), abs=1e-3
        )
    for q in (0.05, 0.95):
        assert lo + (hi - lo) * float(f.ppf(q)) == pytest.approx(
            lo + (hi - lo) * stats.beta.ppf(q, a, b), rel=1e-3
        )


def test_shelf_lognormal_case() -> None:
    # m = log 30, s = 0.5; vals 22, 30, 42; probs = plnorm(vals, m, s); SHELF expects (m, s).
    m, s = math.log(30), 0.5
    vals = [22.0, 30.0, 42.0]
    probs = stats.lognorm.cdf(vals, s, scale=30)
    j = MedianInterval(quantiles={float(p): v for p, v in zip(probs, vals, strict=True)})
    f = fit_positive(j)
    assert f.params["mu"] == pytest.approx(m, rel=1e-3)
    assert f.params["sigma"] == pytest.approx(s, rel=1e-3)
    for x in (25, 55):
        assert float(f.cdf(x)) == pytest.approx(stats.lognorm.cdf(x, s, scale=30), abs=1e-3)


# --- SHELF's documented example: vals 20, 30, 50 at 0.25, 0.5, 0.75, limits 0 and 100 --


def test_documented_example_beta_matches_independent_least_squares() -> None:
    vals, probs = [0.2, 0.3, 0.5], [0.25, 0.5, 0.75]
    f = fit_probability(ProbabilityJudgement(quantiles=dict(zip(probs, vals, strict=True))))
    a, b = _scipy_beta_lsq(vals, probs)
    assert np.max(np.abs(f.cdf(PROBES) - stats.beta.cdf(PROBES, a, b))) < 0.01
    assert f.params["alpha"] == pytest.approx(a, rel=1e-3)
    assert f.params["beta"] == pytest.approx(b, rel=1e-3)
    # The fit error is SHELF's ssq: the sum of squared differences at the stated values.
    ssq = float(np.sum((stats.beta.cdf(vals, a, b) - probs) ** 2))
    assert f.fit_error == pytest.approx(ssq, abs=1e-7)
    assert [c.elicited for c in f.checks] == probs


def test_documented_example_lognormal_matches_independent_least_squares() -> None:
    vals, probs = [20.0, 30.0, 50.0], [0.25, 0.5, 0.75]
    f = fit_positive(MedianInterval(quantiles=dict(zip(probs, vals, strict=True))))
    mu, sigma = _scipy_lognormal_lsq(vals, probs)
    grid = np.array([5.0, 10, 20, 30, 40, 60, 100, 200])
    implied = stats.lognorm.cdf(grid, sigma, scale=math.exp(mu))
    assert np.max(np.abs(f.cdf(grid) - implied)) < 0.01
    assert f.params["mu"] == pytest.approx(mu, abs=1e-4)
    assert f.params["sigma"] == pytest.approx(sigma, rel=1e-3)


@pytest.mark.parametrize(
    ("vals", "probs"),
    [
        ([0.02, 0.05, 0.12], [0.1, 0.5, 0.9]),  # a low probability, skewed
        ([0.6, 0.7, 0.75, 0.8, 0.9], [0.05, 0.25, 0.5, 0.75, 0.95]),  # five quantiles
        ([0.3, 0.4, 0.5], [0.33, 0.5, 0.66]),  # SHELF's second expert's levels
    ],
)
def test_beta_quantile_fits_match_independent_least_squares(
    vals: list[float], probs: list[float]
) -> None:
    f = fit_probability(ProbabilityJudgement(quantiles=dict(zip(probs, vals, strict=True))))
    a, b = _scipy_beta_lsq(vals, probs)
    grid = np.linspace(0.01, 0.99, 99)
    assert np.max(np.abs(f.cdf(grid) - stats.beta.cdf(grid, a, b))) < 0.01


# --- roulette ---------------------------------------------------------------------------


def test_roulette_points_follow_shelf() -> None:
    # SHELF's roulette: P at each bin's right edge, trimmed to run from the last
    # P = 0 to the first P = 1 (empty end bins add nothing).
    pts = roulette_points([0, 0.1, 0.2, 0.3, 0.4, 0.5], [0, 2, 5, 3, 0])
    assert pts == [(0.1, 0.0), (0.2, 0.2), (0.3, 0.7), (0.4, 1.0)]


def test_roulette_fit_matches_independent_least_squares() -> None:
    bins = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    chips = [0, 2, 5, 6, 4, 2, 1, 0, 0, 0]
    f = fit_probability(ProbabilityJudgement(roulette={"bins": bins, "chips": chips}))
    assert f.method == "roulette"
    cum = np.cumsum([0, *chips]) / sum(chips)
    # Edges 0.1 (P = 0) through 0.7 (P = 1), as SHELF trims them.
    vals, probs = bins[1:8], list(cum[1:8])
    a, b = _scipy_beta_lsq(vals, probs)
    grid = np.linspace(0.01, 0.99, 99)
    assert np.max(np.abs(f.cdf(grid) - stats.beta.cdf(grid, a, b))) < 0.01
    ssq = float(np.sum((stats.beta.cdf(vals, a, b) - probs) ** 2))
    assert f.fit_error == pytest.approx(ssq, abs=1e-6)
    assert [c.elicited for c in f.checks] == pytest.approx(probs)


def _load(write_priors, judgement: str):  # type: ignore[no-untyped-def]
    body = f"""
    experts:
      - name: a
        judgement: {judgement}
    """
    return load_question(write_priors(EVENT_HEADER + textwrap.dedent(body)))


def test_roulette_in_a_priors_file(write_priors) -> None:  # type: ignore[no-untyped-def]
    q = _load(write_priors, "{roulette: {bins: [0, 0.1, 0.2, 0.4], chips: [3, 5, 2]}}")
    j = q.spec.experts[0].judgement  # type: ignore[attr-defined]
    assert j.form == "roulette"


@pytest.mark.parametrize(
    ("roulette", "says"),
    [
        ("{bins: [0, 0.1, 0.2], chips: [3, 5, 2]}", "one chip count per bin"),
        ("{bins: [0, 0.2, 0.1, 0.4], chips: [3, 5, 2]}", "bin edges must increase"),
        ("{bins: [0, 0.1, 0.2, 0.4], chips: [0, 5, 0]}", "at least 2 bins"),
        ("{bins: [0, 0.1, 0.2, 1.3], chips: [1, 5, 2]}", "<= 1"),
        ("{bins: [0, 0.1, 0.2, 0.4], chips: [1, -5, 2]}", ">= 0"),
    ],
)
def test_roulette_is_validated(write_priors, roulette: str, says: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        _load(write_priors, f"{{roulette: {roulette}}}")
    text = "\n".join(exc.value.lines())
    assert "roulette" in text and says in text, text
