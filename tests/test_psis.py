"""The one PSIS wrapper and its Pareto-k rule (ArviZ's ``good_k``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from arviz_stats.loo.loo_helper import _warn_pareto_k

from forecast.psis import K_CAP, Smoothed, good_k, smooth


@pytest.mark.parametrize(
    ("draws", "expected"),
    [(100, 0.5), (1000, 2 / 3), (2000, 1 - 1 / math.log10(2000)), (10_000, 0.7), (10**6, 0.7)],
)
def test_good_k_is_the_documented_formula(draws: int, expected: float) -> None:
    # arviz_stats documents good_k = min(1 - 1/log10(S), 0.7); check its own code says so too.
    assert good_k(draws) == pytest.approx(expected, abs=1e-12)
    assert good_k(draws) == pytest.approx(_warn_pareto_k(np.zeros(1), draws, suppress=True)[1])


def test_one_draw_gets_the_cap() -> None:
    assert good_k(1) == K_CAP == _warn_pareto_k(np.zeros(1), 1, suppress=True)[1]


def test_a_k_under_the_cap_but_over_good_k_is_not_trusted() -> None:
    # 1,000 draws: good_k = 2/3, so k = 0.68 (below the old fixed 0.7) is not trusted.
    w = np.full(1000, 1e-3)
    assert not Smoothed(w, 0.68).ok
    assert Smoothed(w, 0.66).ok
    assert not Smoothed(w, float("nan")).ok


def test_a_shift_of_a_normal_is_reweighted_to_its_mean() -> None:
    # Draws of N(0, 1) moved to N(0.3, 1): the ratio is exp(0.3 x - 0.045), E[x] = 0.3.
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2000))
    s = smooth(0.3 * x)
    assert s.ok and s.pareto_k < 0.5
    assert s.weights.shape == (4000,) and s.weights.sum() == pytest.approx(1.0)
    # Standard error of the weighted mean: sd 1 over sqrt(ess); 4 of them.
    assert s.mean(x) == pytest.approx(0.3, abs=4 / math.sqrt(s.ess))


def test_a_wider_target_gives_the_heavy_tail_theory_predicts() -> None:
    # N(0, 1) draws moved to N(0, 3^2): the ratios have a Pareto tail of shape
    # k = 1 - 1/3^2 = 0.89, past every threshold.
    rng = np.random.default_rng(5)
    x = rng.normal(size=4000)
    s = smooth(x**2 / 2 * (1 - 1 / 9))
    assert s.pareto_k == pytest.approx(8 / 9, abs=0.15)
    assert not s.ok and s.threshold == good_k(4000)


def test_no_tail_to_fit_gives_the_plain_ratios() -> None:
    flat = smooth(np.full(50, 2.5))
    assert flat.pareto_k == 0.0 and np.allclose(flat.weights, 1 / 50)
    r = np.array([0.0, -np.inf, np.log(3.0), 0.0])
    s = smooth(r)
    assert s.pareto_k == 0.0
    assert s.weights == pytest.approx([0.2, 0.0, 0.6, 0.2])
