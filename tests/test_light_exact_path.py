"""The exact event path without SciPy or ArviZ: fitted distributions equal SciPy's own
distributions, the root finder equals ``brentq``, and a real `forecast run` loads none
of the heavy modules."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats

from forecast.elicit.distributions import Fitted, Mixture
from forecast.methods.roots import bracketed
from tests.conftest import EVENT_HEADER, ROOT

RNG = np.random.default_rng(20261202)


def _rel(got: np.ndarray, want: np.ndarray, floor: float = 1e-300) -> float:
    """The largest relative difference; ``floor`` 1 for a log, whose digits are absolute
    near 0."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    both_inf = np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want))
    scale = np.maximum(np.abs(want), floor)
    err = np.where(both_inf, 0.0, np.abs(got - want) / scale)
    return float(np.max(err))


@pytest.mark.parametrize("case", range(200))
def test_a_fitted_beta_is_scipys_beta(case: int) -> None:
    a, b = np.exp(RNG.uniform(-1.5, 5.0, 2))
    fitted = Fitted("beta", {"alpha": float(a), "beta": float(b)}, "test")
    ref = stats.beta(a, b)
    x = np.concatenate([RNG.uniform(0, 1, 40), [0.0, 1.0, -0.5, 1.5, 1e-12, 1 - 1e-12]])
    q = np.concatenate([RNG.uniform(0, 1, 40), [0.0, 1.0, 1e-10, 1 - 1e-10]])
    inside = x[(x > 0) & (x < 1)]
    assert _rel(fitted.cdf(x), ref.cdf(x)) <= 1e-12
    assert _rel(fitted.sf(x), ref.sf(x)) <= 1e-12
    assert _rel(fitted.ppf(q), ref.ppf(q)) <= 1e-12
    assert _rel(fitted.logpdf(inside), ref.logpdf(inside), floor=1.0) <= 1e-12
    assert _rel(fitted.pdf(inside), ref.pdf(inside)) <= 1e-12
    assert np.all(np.isneginf(fitted.logpdf(np.array([-0.5, 1.5]))))
    assert fitted.mean() == pytest.approx(float(ref.mean()), rel=1e-12)


@pytest.mark.parametrize("case", range(200))
def test_a_fitted_lognormal_is_scipys_lognormal(case: int) -> None:
    mu, sigma = float(RNG.normal(0, 1.5)), float(np.exp(RNG.uniform(-4, 1)))
    fitted = Fitted("lognormal", {"mu": mu, "sigma": sigma}, "test")
    ref = stats.lognorm(s=sigma, scale=math.exp(mu))
    x = np.exp(RNG.normal(mu, 2 * sigma, 40))
    q = np.concatenate([RNG.uniform(0, 1, 40), [1e-10, 1 - 1e-10]])
    # the CDF where SciPy's is not far below double precision (deep tails have no digits)
    body = x[ref.cdf(x) > 1e-200]
    assert _rel(fitted.cdf(body), ref.cdf(body)) <= 1e-12
    assert _rel(fitted.ppf(q), ref.ppf(q)) <= 1e-12
    assert _rel(fitted.logpdf(x), ref.logpdf(x), floor=1.0) <= 1e-12
    assert _rel(fitted.pdf(x), ref.pdf(x)) <= 1e-12
    assert fitted.mean() == pytest.approx(float(ref.mean()), rel=1e-12)


def test_a_fixed_likelihood_ratio_is_a_point_mass() -> None:
    fixed = Fitted("lognormal", {"mu": math.log(2.0), "sigma": 0.0}, "fixed")
    assert fixed.mean() == pytest.approx(2.0)
    assert list(fixed.cdf(np.array([1.9, 2.1]))) == [0.0, 1.0]
    assert list(fixed.ppf(np.array([0.1, 0.9]))) == pytest.approx([2.0, 2.0])


def test_a_mixtures_quantiles_invert_its_cdf() -> None:
    parts = (
        Fitted("beta", {"alpha": 2.0, "beta": 9.0}, "t"),
        Fitted("beta", {"alpha": 5, "beta": 3}, "t"),
    )
    mix = Mixture(parts, (0.3, 0.7))
    for q in (0.01, 0.05, 0.5, 0.95, 0.999):
        x = mix.ppf(q)
        want = optimize.brentq(
            lambda v, q=q: 0.3 * stats.beta.cdf(v, 2, 9) + 0.7 * stats.beta.cdf(v, 5, 3) - q, 0, 1
        )
        assert x == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("case", range(50))
def test_the_root_finder_agrees_with_brentq(case: int) -> None:
    a, b = np.exp(RNG.uniform(-1.5, 4.0, 2))
    q = float(RNG.uniform(1e-6, 1 - 1e-6))

    def f(x: float) -> float:
        return float(stats.beta.cdf(x, a, b)) - q

    got = bracketed(f, 0.0, 1.0, xtol=1e-13)
    assert got == pytest.approx(optimize.brentq(f, 0.0, 1.0, xtol=1e-13), abs=1e-12)


def test_the_root_finder_refuses_an_interval_without_a_sign_change() -> None:
    with pytest.raises(ValueError, match="differ in sign"):
        bracketed(lambda x: x * x + 1.0, -1.0, 1.0)


HEAVY = (
    "arviz",
    "arviz_base",
    "arviz_stats",
    "xarray",
    "scipy",
    "scipy.special",
    "scipy.stats",
    "scipy.optimize",
    "pymc",
    "pytensor",
    "preliz",
)

QUESTION = EVENT_HEADER + textwrap.dedent(
    """\
    experts:
      - name: a
        judgement: {probability: 0.12, interval: [0.03, 0.30], mass: 0.9}
      - name: b
        judgement:
          quantiles: {0.1: 0.05, 0.5: 0.18, 0.9: 0.40}
      - name: c
        judgement: {probability: 0.08, strength: 25}
    base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}
    evidence:
      - id: e
        description: a sign
        likelihood_ratio: {median: 0.7, interval: [0.4, 1.1], mass: 0.8}
    """
)


def test_an_exact_event_run_loads_no_heavy_module(tmp_path: Path) -> None:
    """`forecast run` on an exact event question, its fits cached (by a first run in
    the same cache folder), loads none of ``HEAVY`` in a second run."""
    question = tmp_path / "q.yaml"
    question.write_text(QUESTION, encoding="utf-8")
    code = (
        "import atexit, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print('LOADED', sorted(h for h in heavy if h in sys.modules),"
        " file=sys.stderr))\n"
        "from forecast.cli import main\n"
        "main()\n"
    )
    env = {"FORECAST_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    env["FORECAST_LEDGER"] = str(tmp_path / "ledger.sqlite")
    runs = []
    for _ in range(2):
        runs.append(
            subprocess.run(
                [sys.executable, "-c", code, "run", str(question), "-q"],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                check=False,
            )
        )
    first, second = runs
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "cache" / "fits-v1.json").exists()
    # fitting (a cache miss) needs scipy.stats and scipy.optimize: the check sees them
    assert "'scipy.optimize'" in first.stderr and "'scipy.stats'" in first.stderr
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout and float(second.stdout.strip().rstrip("%")) > 0
    assert "LOADED []" in second.stderr, second.stderr
