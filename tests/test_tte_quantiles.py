"""The time-to-event quantiles (Newton's method on the CDF over lines, warm-started and
with the lightest lines left out) against SciPy's root-finding on an independent CDF.

One expert's Beta(a, b), k opportunities passed without the event and no trend: q |
data is Beta(a, b + k) exactly. A driver with an uncertain log odds ratio beta at a
level strictly between 0 and 1 makes two states, so P(by the deadline) given (u, beta)
is the states' mixture, increasing in u = logit q. Its CDF at c is the integral over
beta's Normal of the Beta CDF at the root u*(c, beta): SciPy's ``brentq`` finds the
roots, Gauss–Hermite with 80 nodes integrates over beta, and ``brentq`` again inverts
the CDF.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import optimize, special, stats

from forecast.elicit.distributions import Fitted
from forecast.kinds.tte.quadrature import ExactTte
from forecast.kinds.tte.scheduled import ScheduleInputs
from forecast.models.covariates import DriverInput

A, B, K = 2.0, 9.0, 5
RATIO = (0.9, 0.6)  # the driver's log odds ratio: mean, sd


def _inputs(level: float) -> ScheduleInputs:
    driver = DriverInput(
        "d", "", Fitted("lognormal", {"mu": RATIO[0], "sigma": RATIO[1]}, "t"), level
    )
    return ScheduleInputs(
        ("x",),
        (Fitted("beta", {"alpha": A, "beta": B}, "t"),),
        (1.0,),
        None,
        (driver,),
        tuple(dt.date(2020 + i, 6, 1) for i in range(K)),
        tuple(dt.date(2026 + i, 6, 1) for i in range(5)),
    )


def _p(u: float, shift: float, level: float, m: int) -> float:
    """P(by opportunity m) given u, the driver's shift when on, and its level."""
    eta = np.full(m, u)
    off = -math.expm1(float(np.sum(special.log_expit(-eta))))
    on = -math.expm1(float(np.sum(special.log_expit(-(eta + shift)))))
    return (1.0 - level) * off + level * on


def _cdf(c: float, level: float, m: int) -> float:
    post = stats.beta(A, B + K)
    t, w = np.polynomial.hermite_e.hermegauss(80)
    total = 0.0
    for z, wz in zip(t, w / w.sum(), strict=True):
        shift = RATIO[0] + RATIO[1] * z

        def gap(u: float, shift: float = shift) -> float:
            return _p(u, shift, level, m) - c

        lo, hi = -40.0, 40.0
        if gap(lo) >= 0:
            inside = 0.0
        elif gap(hi) <= 0:
            inside = 1.0
        else:
            root = optimize.brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14)
            inside = float(post.cdf(special.expit(root)))
        total += wz * inside
    return total


@pytest.mark.slow
@pytest.mark.parametrize("level", [0.3, 1.0])
def test_quantiles_match_scipy_root_finding_on_the_exact_cdf(level: float) -> None:
    deadline = dt.date(2028, 12, 31)  # three opportunities to come
    result = ExactTte.of(_inputs(level), [level], deadline)
    assert result.error < 1e-6
    for mass, lo, hi in result.intervals:
        tail = (1 - mass) / 2
        for prob, got in ((tail, lo), (1 - tail, hi)):
            truth = optimize.brentq(
                lambda c, p=prob: _cdf(c, level, 3) - p, 1e-9, 1 - 1e-9, xtol=1e-13
            )
            assert got == pytest.approx(truth, abs=1e-8), (prob, got, truth)


def test_the_hazard_median_date_is_brentqs_root_of_the_mean_curve() -> None:
    """The median time by false position (Illinois) against SciPy's ``brentq`` on
    the same quadrature of E[P(by t)]."""
    from forecast.kinds.tte.density import TteDensity
    from forecast.kinds.tte.draws import YEAR_DAYS, half_time
    from forecast.kinds.tte.grid import TteGrid
    from forecast.kinds.tte.hazard import HazardInputs

    since = dt.date(2020, 12, 1)
    inputs = HazardInputs(
        ("x",),
        (Fitted("lognormal", {"mu": 2.0, "sigma": 0.5}, "t"),),
        (1.0,),
        Fitted("lognormal", {"mu": 0.2, "sigma": 0.3}, "t"),
        since,
        dt.date(2025, 12, 1),
        (dt.date(2040, 12, 1),),
        (),
    )
    grid = TteGrid.of(TteDensity.of(inputs))
    t0, end = grid.density.elapsed, 20.0

    def mean_by(ts: np.ndarray) -> np.ndarray:
        return np.asarray(grid.expect_all([], [(0, float(t)) for t in ts]))

    assert mean_by(np.array([end]))[0] > 0.5
    truth = optimize.brentq(lambda t: mean_by(np.array([t]))[0] - 0.5, t0, end, xtol=1e-9)
    assert abs(half_time(mean_by, t0, end) - truth) < 0.01 / YEAR_DAYS


SECOND = (0.5, 0.8)  # a second driver's log odds ratio: mean, sd


def _two_inputs(first: float, second: float) -> ScheduleInputs:
    one = _inputs(first)
    extra = DriverInput(
        "e", "", Fitted("lognormal", {"mu": SECOND[0], "sigma": SECOND[1]}, "t"), second
    )
    return replace(one, drivers=(*one.drivers, extra))


def _cdf_two(c: float, second: float, m: int, nodes: int = 60) -> float:
    """P(P(by opportunity m) <= c) with the first driver on and the second at ``second``:
    both ratios' Normals by a product Gauss–Hermite rule, u* by vectorised bisection."""
    post = stats.beta(A, B + K)
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    s1 = (RATIO[0] + RATIO[1] * t)[:, None]
    s2 = (SECOND[0] + SECOND[1] * t)[None, :]

    def p(u: np.ndarray) -> np.ndarray:
        off = -np.expm1(m * special.log_expit(-(u + s1)))
        on = -np.expm1(m * special.log_expit(-(u + s1 + s2)))
        return np.asarray((1.0 - second) * off + second * on)

    lo = np.full((nodes, nodes), -60.0)
    hi = np.full((nodes, nodes), 60.0)
    for _ in range(200):
        mid = (lo + hi) / 2
        below = p(mid) < c
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    inside = post.cdf(special.expit((lo + hi) / 2))
    return float(w @ inside @ w)


@pytest.mark.slow
def test_two_uncertain_ratios_quantiles_match_an_independent_cdf_and_stay_exact() -> None:
    """Two uncertain log ratios at once (the lines' product Gauss–Hermite rule): the
    interval ends match the independent CDF's roots, and the error estimate is within
    the exact method's tolerance, so ``auto`` keeps the quadrature."""
    from forecast.methods.exact import TOLERANCE

    deadline = dt.date(2028, 12, 31)
    result = ExactTte.of(_two_inputs(1.0, 0.4), [1.0, 0.4], deadline)
    for mass, lo, hi in result.intervals:
        tail = (1 - mass) / 2
        for prob, got in ((tail, lo), (1 - tail, hi)):
            truth = optimize.brentq(
                lambda c, p=prob: _cdf_two(c, 0.4, 3) - p, 1e-9, 1 - 1e-9, xtol=1e-13
            )
            assert got == pytest.approx(truth, abs=1e-7), (prob, got, truth)
    assert result.error <= TOLERANCE
