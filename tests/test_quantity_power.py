"""A quantity's power-scaling and pool rows, against closed forms and SciPy's quadrature.

Power-scaling a normal prior N(m, s) by alpha gives N(m, s / sqrt(alpha)): the update by
n values with normal error sd stays conjugate, so counting the prior (or the data) half
or double has a closed form to set the importance-sampling estimate against.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

from forecast.kinds.quantity.inputs import prepare
from forecast.kinds.quantity.power import NO_DATA, pools, power_scaling
from forecast.kinds.quantity.sensitivity import rows
from forecast.kinds.quantity.spec import QuantityQuestion
from forecast.questions.loader import load_question
from tests.conftest import PRIORS

NORMAL = """\
format: 1
kind: quantity
title: A normal quantity with observed values
resolution: Resolves at the value the test states.
deadline: 2030-01-01
unit: tonnes
support: real
family: normal
thresholds: [12]
experts:
  - name: Only expert
    judgement: {{quantiles: {{0.25: {q1}, 0.5: 10, 0.75: {q3}}}}}
{data}"""
DATA = "data: {values: [13.0, 14.5, 12.0], measurement: {scale: natural, sd: 3.0}}\n"


def _spec(tmp_path: Path, data: str = DATA) -> QuantityQuestion:
    z = stats.norm.ppf(0.75)
    path = tmp_path / "normal.yaml"
    path.write_text(NORMAL.format(q1=10 - 2 * z, q3=10 + 2 * z, data=data), encoding="utf-8")
    spec = load_question(path).spec
    assert isinstance(spec, QuantityQuestion)
    return spec


def _exact_draws(dist: object, chains: int = 4, draws: int = 10_000) -> np.ndarray:
    u = np.random.default_rng(7).uniform(size=(chains, draws))
    return np.asarray(dist.ppf(u), dtype=float)  # type: ignore[attr-defined]


def _closed(m: float, s: float, y: np.ndarray, sd: float, a_prior: float, a_lik: float) -> float:
    """P(X > 12) with the prior's density to the power a_prior, the likelihood's a_lik."""
    prec = a_prior / s**2 + a_lik * len(y) / sd**2
    mean = (a_prior * m / s**2 + a_lik * y.sum() / sd**2) / prec
    return float(stats.norm.sf(12.0, mean, 1 / math.sqrt(prec)))


def test_power_scaling_a_normal_normal_update_matches_the_closed_form(tmp_path: Path) -> None:
    inputs = prepare(_spec(tmp_path))
    (prior,) = inputs.experts
    assert (prior.family, prior.a, prior.b) == ("normal", pytest.approx(10), pytest.approx(2))
    y, sd = np.array([13.0, 14.5, 12.0]), 3.0
    x = _exact_draws(inputs.exact_posterior)
    s = power_scaling(inputs, x, 12.0, "3 observed values")
    assert s.has_data and {q.name for q in s.quantities} == {"x", "q"}
    base = float(np.mean(x > 12.0))
    expected_base = _closed(prior.a, prior.b, y, sd, 1, 1)
    assert base == pytest.approx(expected_base, abs=0.015)
    expected = {
        "experts' prior counted half": _closed(prior.a, prior.b, y, sd, 0.5, 1),
        "experts' prior counted double": _closed(prior.a, prior.b, y, sd, 2, 1),
        "3 observed values counted half": _closed(prior.a, prior.b, y, sd, 1, 0.5),
        "3 observed values counted double": _closed(prior.a, prior.b, y, sd, 1, 2),
    }
    assert [m.label for m in s.moves] == list(expected)
    for move in s.moves:
        want = expected[move.label]
        assert move.reliable, move
        assert move.forecast == pytest.approx(want, abs=0.015), move.label
        assert move.delta == pytest.approx(move.forecast - base)
        # the change itself, free of the draws' shared error, is closer still
        assert move.delta == pytest.approx(want - expected_base, abs=0.006), move.label
    # the moves go the way the closed form says: more data pulls P(X > 12) up
    assert s.moves[3].forecast > base > s.moves[2].forecast


def test_without_observed_values_there_is_nothing_to_scale(tmp_path: Path) -> None:
    inputs = prepare(_spec(tmp_path, data=""))
    s = power_scaling(inputs, _exact_draws(inputs.exact_posterior), 12.0, "no observed values")
    assert not s.has_data and s.verdict == NO_DATA and s.moves == ()


def _quad_p_above(comps: list[object], weights: list[float], t: float) -> float:
    """P(X > t) for a mixture prior and the example's log-scale data, by SciPy's quad."""
    y, sd = np.log([900.0, 700.0]), 0.5

    def post(x: float) -> float:
        prior = sum(w * float(d.pdf(x)) for w, d in zip(weights, comps, strict=True))  # type: ignore[attr-defined]
        return prior * float(np.prod(stats.norm.pdf(y, math.log(x), sd)))

    pts = [100.0, 500.0, 900.0, 2000.0]
    total = integrate.quad(post, 1e-9, 1e5, points=pts, limit=400)[0]
    above = integrate.quad(post, t, 1e5, points=[900.0, 2000.0], limit=400)[0]
    return above / total


def test_pool_and_drop_one_rows_match_quadrature_from_the_headline() -> None:
    q = load_question(PRIORS / "us-finance-kazakhstan-tungsten.yaml")
    assert isinstance(q.spec, QuantityQuestion)
    inputs = prepare(q.spec)
    table = pools(inputs, rows(inputs), headline=0.31)
    assert table is not None and table.method == "linear"
    by_label = {r.alternative.label: r for r in table.rows}
    assert set(by_label) == {
        "linear pool",
        "logarithmic pool",
        "without Export-credit specialist",
        "without Regional finance analyst",
        "without Mining-sector economist",
    }
    assert by_label["linear pool"].alternative.chosen
    assert by_label["linear pool"].from_headline == pytest.approx(0.31)
    w = list(inputs.normalised_weights)
    exact = _quad_p_above(list(inputs.experts), w, 1000.0)
    assert table.comparison.reference == pytest.approx(exact, abs=2e-4)
    for i, name in enumerate(inputs.expert_names):
        kept = [(wi, d) for j, (wi, d) in enumerate(zip(w, inputs.experts, strict=True)) if j != i]
        p = _quad_p_above([d for _, d in kept], [wi for wi, _ in kept], 1000.0)
        row = by_label[f"without {name}"]
        assert row.alternative.forecast == pytest.approx(p, abs=2e-4)
        assert row.from_headline == pytest.approx(0.31 + p - exact, abs=2e-4)
