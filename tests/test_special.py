"""forecast.special against scipy.special, on many random arguments."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special as scipy_special

from forecast import special

RNG = np.random.default_rng(7)


def _rel(got: np.ndarray, want: np.ndarray, floor: float = 1e-300) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):  # inf - inf where both are the same infinity
        err = np.abs(got - want) / np.maximum(np.abs(want), floor)
    return float(np.max(np.where(same, 0.0, err)))


def test_logistic_functions_and_logsumexp() -> None:
    x = np.concatenate([RNG.normal(0, 30, 5000), [-800.0, 800.0, 0.0]])
    assert _rel(special.expit(x), scipy_special.expit(x)) <= 1e-15
    assert _rel(special.log_expit(x), scipy_special.log_expit(x)) <= 1e-15
    a = RNG.normal(0, 10, (40, 9))
    a[3, 2] = -np.inf
    for axis in (0, 1, -1):
        got = special.logsumexp(a, axis=axis)
        assert _rel(got, scipy_special.logsumexp(a, axis=axis)) <= 1e-15
    assert float(special.logsumexp(a)) == pytest.approx(
        float(scipy_special.logsumexp(a)), rel=1e-15
    )


def test_normal_cdf_and_quantiles() -> None:
    z = np.concatenate([RNG.normal(0, 5, 5000), [-38.0, 0.0, 8.0, np.inf, -np.inf]])
    assert _rel(special.ndtr(z), scipy_special.ndtr(z)) <= 1e-13
    p = np.concatenate([RNG.uniform(0, 1, 5000), 10.0 ** -np.arange(1, 300, 3), [0.0, 1.0]])
    assert _rel(special.ndtri(p), scipy_special.ndtri(p)) <= 1e-14
    assert np.isnan(special.ndtri(np.array([-0.1, 1.1]))).all()


def test_gamma_family() -> None:
    x = np.exp(RNG.uniform(-4, 9, 4000))
    # digamma has a root near 1.46: compared in absolute terms there
    assert _rel(special.digamma(x), scipy_special.digamma(x), floor=1.0) <= 1e-14
    assert _rel(special.trigamma(x), scipy_special.polygamma(1, x)) <= 1e-14
    for a, b in np.exp(RNG.uniform(-3, 6, (500, 2))):
        got = special.betaln(float(a), float(b))
        assert got == pytest.approx(float(scipy_special.betaln(a, b)), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("case", range(150))
def test_incomplete_beta_and_its_inverse(case: int) -> None:
    a, b = (float(v) for v in np.exp(RNG.uniform(-1.5, 5.0, 2)))
    x = np.concatenate([RNG.uniform(0, 1, 25), [0.0, 1.0, 1e-12, 1 - 1e-12]])
    q = np.concatenate([RNG.uniform(0, 1, 25), [0.0, 1.0, 1e-10, 1 - 1e-10]])
    # values below 1e-290 are subnormal or zero on one side: no digits to compare
    assert _rel(special.betainc(a, b, x), scipy_special.betainc(a, b, x), 1e-290) <= 1e-12
    assert _rel(special.betaincc(a, b, x), scipy_special.betaincc(a, b, x), 1e-290) <= 1e-12
    assert _rel(special.betaincinv(a, b, q), scipy_special.betaincinv(a, b, q)) <= 1e-12
    assert _rel(special.betainccinv(a, b, q), scipy_special.betainccinv(a, b, q)) <= 1e-12


def test_xlogy_and_xlog1py() -> None:
    x = np.array([0.0, 0.0, 1.5, -2.0])
    y = np.array([0.0, 3.0, 2.0, 0.5])
    assert _rel(special.xlogy(x, y), scipy_special.xlogy(x, y)) <= 1e-15
    assert _rel(special.xlog1py(x, -y / 4), scipy_special.xlog1py(x, -y / 4)) <= 1e-15


@pytest.mark.parametrize("case", range(200))
def test_incomplete_beta_far_outside_the_usual_parameters(case: int) -> None:
    """Shapes from 1e-3 to 1e6 (an expert sure to a few parts in a million, or a Beta
    piled at 0): every value either resolved here or handed to SciPy, never wrong.
    Compared in relative terms where SciPy's value is above 1e-200."""
    rng = np.random.default_rng(1000 + case)
    a, b = (float(v) for v in np.exp(rng.uniform(-7.0, 14.0, 2)))
    q = np.concatenate([rng.uniform(0, 1, 12), [1e-10, 1 - 1e-10]])
    x = np.concatenate([scipy_special.betaincinv(a, b, q), rng.uniform(0, 1, 6)])
    for name, at in (("betainc", x), ("betaincc", x), ("betaincinv", q), ("betainccinv", q)):
        got, want = getattr(special, name)(a, b, at), getattr(scipy_special, name)(a, b, at)
        assert np.max(np.abs(got - want)) <= 1e-10, (name, a, b)
        big = np.abs(want) > 1e-200
        assert _rel(got[big], want[big]) <= 1e-9, (name, a, b)


def test_a_quantile_below_the_smallest_double_is_scipys() -> None:
    # I_x(0.001, 5) is 0.47 already at the smallest positive double: no bracket in logit x
    q = np.array([0.2, 0.3])
    assert _rel(special.betaincinv(0.001, 5.0, q), scipy_special.betaincinv(0.001, 5.0, q)) == 0


def test_the_upper_tail_next_to_zero_keeps_its_digits() -> None:
    # 1 - x rounds to 1 for x = 4.2e-17: the complement is taken from x itself
    a, b, x = 0.8084492438808832, 9320.35764594367, 4.210496831002902e-17
    want = float(scipy_special.betaincc(a, b, x))
    assert 1.0 - float(special.betaincc(a, b, x)) == pytest.approx(1.0 - want, rel=1e-9)
