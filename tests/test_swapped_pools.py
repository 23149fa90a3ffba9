"""Pool swaps and drop-one rows for drivers and scheduled time-to-event questions against
quadrature (fabricated posteriors, no sampling): by quadrature over logit p0 when a
drivers question has no cases (its posterior is its prior), by reweighting posterior
draws otherwise."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from arviz_base import from_dict
from scipy import integrate, special, stats

from forecast.inference import SamplerSettings
from forecast.kinds.drivers import summary as drivers_summary
from forecast.questions.loader import load_question

DRIVERS = """\
format: 1
kind: drivers
title: A drivers question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
experts:
  - name: low
    judgement: {probability: 0.2, strength: 10}
  - name: high
    judgement: {probability: 0.6, strength: 10}
drivers:
  - id: push
    description: makes the event likelier
    odds_ratio: 3
    level: 1
"""

A = [(2.0, 8.0), (6.0, 4.0)]  # Beta(m s, (1 - m) s) of each expert
N = 40_000


def _expected(density) -> float:  # type: ignore[no-untyped-def]
    """E[sigmoid(logit p + log 3)] under a density of p, by quadrature."""

    def f(p: float) -> float:
        return float(special.expit(special.logit(p) + math.log(3)) * density(p))

    return float(integrate.quad(f, 0, 1, limit=200)[0])


def _prior_draws(rng: np.random.Generator) -> np.ndarray:
    """Draws of p0 from the equal-weight linear pool (no cases: the posterior is the prior)."""
    which = rng.integers(0, 2, size=N)
    p = np.where(which == 0, rng.beta(*A[0], size=N), rng.beta(*A[1], size=N))
    return p.reshape(2, N // 2)


def test_drivers_pools_and_drop_one_match_quadrature(tmp_path: Path) -> None:
    from forecast.kinds.drivers import model as drivers

    path = tmp_path / "d.yaml"
    path.write_text(textwrap.dedent(DRIVERS), encoding="utf-8")
    q = load_question(path)
    inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
    p = _prior_draws(np.random.default_rng(7))
    idata = from_dict({"posterior": {"p": p}, "sample_stats": {"diverging": p < 0}})
    f = drivers_summary.summarise(q, inputs, idata, SamplerSettings(draws=N // 2, chains=2))
    rows = {r["label"]: r for r in f.to_dict()["pools"]["alternatives"]}

    # No cases: every row is a quadrature over logit p0 (no importance weights), so it
    # matches SciPy's to far better than the draws' Monte Carlo error; the table's
    # numbers start from the headline, which the draws give.
    linear = rows["linear pool"]
    assert linear["chosen"] and linear["delta"] == 0
    assert linear["from_headline"] == f.probability
    mixture = _expected(lambda x: 0.5 * stats.beta.pdf(x, *A[0]) + 0.5 * stats.beta.pdf(x, *A[1]))
    assert linear["forecast"] == pytest.approx(mixture, abs=1e-6)
    assert f.probability == pytest.approx(mixture, abs=0.005)
    # A normalised product of Betas with weights 1/2 is Beta(sum w (a - 1) + 1, ...).
    log_pool = _expected(lambda x: stats.beta.pdf(x, 4.0, 6.0))
    assert rows["logarithmic pool"]["forecast"] == pytest.approx(log_pool, abs=1e-6)
    for name, (a, b) in (("low", A[1]), ("high", A[0])):  # without one, the other is left
        row = rows[f"without {name}"]
        assert row["kind"] == "drop" and row["expert"] == name
        alone = _expected(stats.beta(a, b).pdf)
        assert row["forecast"] == pytest.approx(alone, abs=1e-6)
        assert row["delta"] == pytest.approx(alone - mixture, abs=1e-6)
        assert row["from_headline"] == pytest.approx(f.probability + row["delta"], abs=1e-12)
    assert "hierarchical pool" in rows


UNCERTAIN = """\
format: 1
kind: drivers
title: A drivers question with an uncertain driver
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
experts:
  - name: low
    weight: 3
    judgement: {probability: 0.2, strength: 10}
  - name: high
    judgement: {probability: 0.6, strength: 10}
drivers:
  - id: push
    description: makes the event likelier
    odds_ratio: {median: 2.5, interval: [1.2, 5.0], mass: 0.8}
    level: 0.4
"""


def test_drivers_pools_without_cases_weigh_each_drivers_state(tmp_path: Path) -> None:
    """An uncertain odds ratio at level 0.4 and unequal weights: each pool's forecast is
    the double integral over p0 and the log odds ratio of that pool's density times
    0.4 sigmoid(logit p0 + b) + 0.6 sigmoid(logit p0) (SciPy ``dblquad``)."""
    from forecast.kinds.drivers import model as drivers

    path = tmp_path / "d.yaml"
    path.write_text(UNCERTAIN, encoding="utf-8")
    q = load_question(path)
    inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
    mu, sigma = (inputs.drivers[0].fitted.params[k] for k in ("mu", "sigma"))
    rng = np.random.default_rng(11)
    which = rng.random(N) < 0.75  # weight 3 of 4 on "low"
    p = np.where(which, rng.beta(*A[0], size=N), rng.beta(*A[1], size=N)).reshape(2, N // 2)
    # The log odds ratio's draws at evenly spaced quantiles, in random order: a Normal
    # represented far better than by N random draws.
    b = mu + sigma * stats.norm.ppf((rng.permutation(N) + 0.5) / N)
    idata = from_dict(
        {
            "posterior": {"p": p, "beta": b.reshape(2, N // 2, 1)},
            "sample_stats": {"diverging": p < 0},
        }
    )
    f = drivers_summary.summarise(q, inputs, idata, SamplerSettings(draws=N // 2, chains=2))
    rows = {r["label"]: r for r in f.to_dict()["pools"]["alternatives"]}

    def expected(density) -> float:  # type: ignore[no-untyped-def]
        def g(beta: float, x: float) -> float:
            u = special.logit(x)
            at = 0.4 * special.expit(u + beta) + 0.6 * special.expit(u)
            return float(at * stats.norm.pdf(beta, mu, sigma) * density(x))

        return float(integrate.dblquad(g, 0, 1, mu - 9 * sigma, mu + 9 * sigma, epsabs=1e-9)[0])

    def mixture(w_low: float):  # type: ignore[no-untyped-def]
        return lambda x: w_low * stats.beta.pdf(x, *A[0]) + (1 - w_low) * stats.beta.pdf(x, *A[1])

    linear = expected(mixture(0.75))
    assert rows["linear pool"]["forecast"] == pytest.approx(linear, abs=5e-4)
    # Weights 3/4 and 1/4: Beta(3/4 (2 - 1) + 1/4 (6 - 1) + 1, 3/4 (8 - 1) + 1/4 (4 - 1) + 1).
    log_pool = expected(stats.beta(3.0, 7.0).pdf)
    assert rows["logarithmic pool"]["forecast"] == pytest.approx(log_pool, abs=5e-4)
    equal = expected(mixture(0.5))
    assert rows["equal weights"]["forecast"] == pytest.approx(equal, abs=5e-4)
    for name, (a, c) in (("low", A[1]), ("high", A[0])):
        row = rows[f"without {name}"]
        assert row["forecast"] == pytest.approx(expected(stats.beta(a, c).pdf), abs=5e-4)
    # The differences between pools carry no error from the draws of p0.
    assert rows["logarithmic pool"]["delta"] == pytest.approx(log_pool - linear, abs=5e-4)
    assert f.probability == pytest.approx(linear, abs=0.005)


def test_the_report_tables_show_them_for_drivers(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from forecast.kinds.drivers import model as drivers
    from forecast.render.html import page
    from forecast.render.markdown import render
    from forecast.render.report import Report

    path = tmp_path / "d.yaml"
    path.write_text(textwrap.dedent(DRIVERS), encoding="utf-8")
    q = load_question(path)
    inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
    p = _prior_draws(np.random.default_rng(8))
    idata = from_dict({"posterior": {"p": p}, "sample_stats": {"diverging": p < 0}})
    f = drivers_summary.summarise(q, inputs, idata, SamplerSettings(draws=N // 2, chains=2))
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(Report(f))
    for text in (buf.getvalue(), render(f), page(f)):
        assert "without low" in text and "logarithmic pool" in text and "hierarchical pool" in text
