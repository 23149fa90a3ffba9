"""Scores against hand-computed references, and properties of the scoring maths."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import scoring

TOL = 1e-12


def test_brier_log_baseline_on_a_hand_computed_case() -> None:
    p = [0.2, 0.7, 0.9, 0.4]
    o = [0, 1, 1, 0]
    # given to what happened: 0.8, 0.7, 0.9, 0.6
    assert scoring.brier(p, o) == pytest.approx((0.04 + 0.09 + 0.01 + 0.16) / 4, abs=TOL)
    assert scoring.log_score(p, o) == pytest.approx(
        (math.log(0.8) + math.log(0.7) + math.log(0.9) + math.log(0.6)) / 4, abs=TOL
    )
    assert scoring.baseline_score(p, o) == pytest.approx(
        100 * (math.log2(1.6) + math.log2(1.4) + math.log2(1.8) + math.log2(1.2)) / 4, abs=TOL
    )


def test_baseline_is_zero_at_half_and_a_hundred_when_certain_and_right() -> None:
    assert scoring.baseline_score([0.5, 0.5], [1, 0]) == 0.0
    assert scoring.baseline_score([1.0, 0.0], [1, 0]) == 100.0
    assert scoring.baseline_score([0.25], [0]) == pytest.approx(100 * math.log2(1.5), abs=TOL)
    assert scoring.baseline_score([0.25], [1]) == pytest.approx(-100.0, abs=TOL)


def test_a_certain_wrong_forecast_is_a_large_finite_penalty() -> None:
    assert scoring.log_score([1.0], [0]) == pytest.approx(math.log(scoring.PROB_FLOOR))
    assert math.isfinite(scoring.baseline_score([0.0], [1]))
    assert scoring.brier([1.0], [0]) == 1.0


def _murphy_reference(p: list[float], o: list[int]) -> tuple[Fraction, ...]:
    """REL, RES, UNC, WBV, WBC and Brier in exact arithmetic, bins [k/10, (k+1)/10)."""
    fp = [Fraction(x) for x in p]
    n = len(fp)
    bins: dict[int, list[tuple[Fraction, int]]] = {}
    for f, y in zip(fp, o, strict=True):
        k = max(j for j in range(10) if f >= Fraction(j / 10))  # edges are the floats k / 10
        bins.setdefault(k, []).append((f, y))
    obar = Fraction(sum(o), n)
    rel = res = wbv = wbc = Fraction(0)
    for members in bins.values():
        nk = len(members)
        fk = sum((f for f, _ in members), Fraction(0)) / nk
        ok = Fraction(sum(y for _, y in members), nk)
        rel += nk * (fk - ok) ** 2
        res += nk * (ok - obar) ** 2
        wbv += sum(((f - fk) ** 2 for f, _ in members), Fraction(0))
        wbc += 2 * sum(((y - ok) * (f - fk) for f, y in members), Fraction(0))
    bs = sum(((f - y) ** 2 for f, y in zip(fp, o, strict=True)), Fraction(0)) / n
    return rel / n, res / n, obar * (1 - obar), wbv / n, wbc / n, bs


def test_murphy_closes_without_within_bin_terms_when_forecasts_sit_on_bin_values() -> None:
    p = [0.15] * 4 + [0.65] * 5 + [0.95] * 3
    o = [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1]  # bins of 4, 5 and 3
    d = scoring.decompose(p, o)
    rel, res, unc, _, _, bs = _murphy_reference(p, o)
    assert d.reliability == pytest.approx(float(rel), abs=TOL)
    assert d.resolution == pytest.approx(float(res), abs=TOL)
    assert d.uncertainty == pytest.approx(float(unc), abs=TOL)
    assert abs(d.within_bin_variance) < TOL
    assert abs(d.within_bin_covariance) < TOL
    # the classic three terms alone give the Brier score
    assert d.reliability - d.resolution + d.uncertainty == pytest.approx(
        scoring.brier(p, o), abs=TOL
    )
    assert scoring.brier(p, o) == pytest.approx(float(bs), abs=TOL)
    # by hand: bins (n, f, o) = (4, .15, 1/4), (5, .65, 3/5), (3, .95, 1); o-bar = 7/12
    assert d.reliability == pytest.approx(
        (4 * (0.15 - 0.25) ** 2 + 5 * (0.65 - 0.6) ** 2 + 3 * 0.05**2) / 12, abs=TOL
    )
    assert d.uncertainty == pytest.approx(35 / 144, abs=TOL)


def test_murphy_needs_the_within_bin_terms_when_forecasts_spread_in_a_bin() -> None:
    # one bin [0.1, 0.2): forecasts 0.12 (no) and 0.18 (yes); by hand:
    # f-bar 0.15, o-bar 0.5, REL = (0.15 - 0.5)^2 = 0.1225, RES = 0, UNC = 0.25,
    # WBV = 0.03^2 = 0.0009, WBC = 2 * (0.5 * 0.03 + 0.5 * 0.03) / 2 = 0.03,
    # Brier = (0.12^2 + 0.82^2) / 2 = 0.3434 = 0.1225 + 0.25 + 0.0009 - 0.03
    d = scoring.decompose([0.12, 0.18], [0, 1])
    assert d.reliability == pytest.approx(0.1225, abs=TOL)
    assert d.resolution == pytest.approx(0.0, abs=TOL)
    assert d.uncertainty == pytest.approx(0.25, abs=TOL)
    assert d.within_bin_variance == pytest.approx(0.0009, abs=TOL)
    assert d.within_bin_covariance == pytest.approx(0.03, abs=TOL)
    assert scoring.brier([0.12, 0.18], [0, 1]) == pytest.approx(0.3434, abs=TOL)
    assert d.total == pytest.approx(0.3434, abs=TOL)
    assert d.reliability - d.resolution + d.uncertainty != pytest.approx(0.3434, abs=1e-3)


def test_murphy_matches_exact_arithmetic_on_a_mixed_case() -> None:
    p = [0.03, 0.08, 0.31, 0.39, 0.33, 0.5, 0.55, 0.72, 0.91, 1.0, 0.0]
    o = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0]
    d = scoring.decompose(p, o)
    rel, res, unc, wbv, wbc, bs = _murphy_reference(p, o)
    assert d.reliability == pytest.approx(float(rel), abs=TOL)
    assert d.resolution == pytest.approx(float(res), abs=TOL)
    assert d.uncertainty == pytest.approx(float(unc), abs=TOL)
    assert d.within_bin_variance == pytest.approx(float(wbv), abs=TOL)
    assert d.within_bin_covariance == pytest.approx(float(wbc), abs=TOL)
    assert d.total == pytest.approx(float(bs), abs=TOL)


@pytest.mark.parametrize(
    ("p", "k"),
    [(0.0, 0), (0.0999, 0), (0.1, 1), (0.3, 3), (0.7, 7), (0.6, 6), (0.95, 9), (1.0, 9)],
)
def test_bins_are_closed_below_and_the_top_one_holds_one(p: float, k: int) -> None:
    assert scoring.bin_index([p])[0] == k


def test_calibration_table_counts_and_frequencies() -> None:
    p = [0.05, 0.05, 0.32, 0.35, 0.38, 0.97]
    o = [0, 0, 1, 0, 1, 1]
    bins = scoring.calibration(p, o)
    assert len(bins) == 10
    assert [b.n for b in bins] == [2, 0, 0, 3, 0, 0, 0, 0, 0, 1]
    assert bins[3].lo == 0.3 and bins[3].hi == 0.4
    assert bins[3].yes == 2
    assert bins[3].observed == pytest.approx(2 / 3, abs=TOL)
    assert bins[3].mean_forecast == pytest.approx((0.32 + 0.35 + 0.38) / 3, abs=TOL)
    assert bins[0].observed == 0.0 and bins[0].observed_lo == 0.0
    assert bins[9].observed_hi == 1.0
    assert bins[1].observed is None
    lo, hi = bins[3].observed_lo, bins[3].observed_hi
    assert lo is not None and hi is not None and lo < 2 / 3 < hi


def test_jeffreys_interval_against_a_beta_quantile_by_bisection() -> None:
    # 1 yes in 4: 90% Jeffreys interval is the 5% and 95% quantiles of Beta(1.5, 3.5)
    from math import gamma

    def cdf(x: float, a: float = 1.5, b: float = 3.5, steps: int = 4000) -> float:
        c = gamma(a + b) / (gamma(a) * gamma(b))
        h = x / steps  # midpoint rule; the density is bounded on [0, 1] here
        return (
            c
            * h
            * sum(((i + 0.5) * h) ** (a - 1) * (1 - (i + 0.5) * h) ** (b - 1) for i in range(steps))
        )

    def quantile(q: float) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
        return (lo + hi) / 2

    b = scoring.calibration([0.2, 0.2, 0.2, 0.2], [1, 0, 0, 0])[2]
    assert b.observed_lo == pytest.approx(quantile(0.05), abs=1e-4)
    assert b.observed_hi == pytest.approx(quantile(0.95), abs=1e-4)


def test_score_json_has_the_documented_keys() -> None:
    s = scoring.score([0.2, 0.8], [0, 1]).to_dict()
    for key in ("n", "brier", "log", "baseline", "bins", "reliability", "resolution"):
        assert key in s
    assert s["n"] == 2 and len(s["bins"]) == 10


def test_no_forecasts_scores_as_null() -> None:
    s = scoring.score([], []).to_dict()
    assert s["n"] == 0 and s["brier"] is None and s["reliability"] is None
    assert all(b["n"] == 0 for b in s["bins"])


@pytest.mark.parametrize(
    ("p", "o", "message"),
    [
        ([0.5], [1, 0], "same length"),
        ([1.5], [1], "must be in [0, 1] (got 1.5)"),
        ([float("nan")], [1], "must be in [0, 1]"),
        ([0.5], [2], "0 (no) or 1 (yes) (got 2.0)"),
    ],
)
def test_bad_input_states_the_rule(p: list[float], o: list[int], message: str) -> None:
    with pytest.raises(
        ValueError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        scoring.brier(p, o)


# ------------------------------------------------------------------ properties

probs = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
pairs = st.lists(st.tuples(probs, st.integers(0, 1)), min_size=1, max_size=60)


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_decomposition_always_closes(data: list[tuple[float, int]]) -> None:
    p, o = zip(*data, strict=True)
    d = scoring.decompose(p, o)
    assert d.total == pytest.approx(scoring.brier(p, o), abs=TOL)
    assert d.reliability >= 0 and d.resolution >= 0 and d.within_bin_variance >= 0
    assert 0 <= d.uncertainty <= 0.25
    # resolution can never exceed uncertainty (the variance of the outcomes)
    assert d.resolution <= d.uncertainty + TOL


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 1)), min_size=1, max_size=60))
def test_on_bin_values_the_classic_terms_close(data: list[tuple[int, int]]) -> None:
    p = [(k + 0.5) / 10 for k, _ in data]
    o = [y for _, y in data]
    d = scoring.decompose(p, o)
    assert abs(d.within_bin_variance) < TOL and abs(d.within_bin_covariance) < TOL
    assert d.reliability - d.resolution + d.uncertainty == pytest.approx(
        scoring.brier(p, o), abs=TOL
    )


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_scores_stay_in_their_ranges(data: list[tuple[float, int]]) -> None:
    p, o = zip(*data, strict=True)
    assert 0.0 <= scoring.brier(p, o) <= 1.0
    assert scoring.log_score(p, o) <= 0.0
    assert scoring.baseline_score(p, o) <= 100.0
    s = scoring.score(p, o)
    assert sum(b.n for b in s.bins) == len(p)
    assert sum(b.yes for b in s.bins) == sum(o)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=40))
def test_a_perfect_forecaster_scores_zero(o: list[int]) -> None:
    p = [float(y) for y in o]
    assert scoring.brier(p, o) == 0.0
    assert scoring.log_score(p, o) == 0.0
    assert scoring.baseline_score(p, o) == 100.0
    d = scoring.decompose(p, o)
    assert d.reliability == 0.0
    assert d.resolution == pytest.approx(d.uncertainty, abs=TOL)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=40))
def test_always_the_base_rate_has_no_resolution_and_perfect_reliability(o: list[int]) -> None:
    rate = sum(o) / len(o)
    p = np.full(len(o), rate)
    d = scoring.decompose(p, o)
    assert d.reliability == pytest.approx(0.0, abs=TOL)
    assert d.resolution == pytest.approx(0.0, abs=TOL)
    assert scoring.brier(p, o) == pytest.approx(rate * (1 - rate), abs=TOL)
