"""Pool swaps and drop-one rows for drivers and scheduled time-to-event questions, by
reweighting posterior draws, against quadrature (fabricated posteriors, no sampling)."""

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

    linear = rows["linear pool"]
    assert linear["chosen"] and linear["forecast"] == f.probability and linear["delta"] == 0
    mixture = _expected(lambda x: 0.5 * stats.beta.pdf(x, *A[0]) + 0.5 * stats.beta.pdf(x, *A[1]))
    assert f.probability == pytest.approx(mixture, abs=0.005)
    # A normalised product of Betas with weights 1/2 is Beta(sum w (a - 1) + 1, ...).
    log_pool = _expected(lambda x: stats.beta.pdf(x, 4.0, 6.0))
    assert rows["logarithmic pool"]["forecast"] == pytest.approx(log_pool, abs=0.006)
    for name, (a, b) in (("low", A[1]), ("high", A[0])):  # without one, the other is left
        row = rows[f"without {name}"]
        assert row["kind"] == "drop" and row["expert"] == name
        alone = _expected(stats.beta(a, b).pdf)
        assert row["forecast"] == pytest.approx(alone, abs=0.006)
        assert row["delta"] == pytest.approx(row["forecast"] - f.probability)
    assert "hierarchical pool" in rows


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
