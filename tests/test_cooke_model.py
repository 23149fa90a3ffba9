"""The classical model against closed forms, quadrature and its invariances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from forecast.cooke.model import Settings, bin_counts, calibration, decision_maker, score
from forecast.cooke.study import Item, Study

LEVELS = (0.05, 0.5, 0.95)


def _study(
    answers: np.ndarray, realizations: list[float | None], scales: list[str] | None = None
) -> Study:
    scales = scales or ["uni"] * len(realizations)
    items = tuple(
        Item(f"i{k}", r, s)  # type: ignore[arg-type]
        for k, (r, s) in enumerate(zip(realizations, scales, strict=True))
    )
    experts = tuple(f"e{k}" for k in range(answers.shape[0]))
    return Study(LEVELS, items, experts, answers)


def _hits_study(hits: list[int]) -> Study:
    """One expert whose quantiles are 1, 2, 3 on every item, realisations placed by bin."""
    where = [0.5, 1.5, 2.5, 3.5]  # below the 5%, between, ..., above the 95%
    real = [where[b] for b, n in enumerate(hits) for _ in range(n)]
    answers = np.tile([1.0, 2.0, 3.0], (1, len(real), 1))
    return _study(answers, real)  # type: ignore[arg-type]


def test_calibration_is_one_when_hits_match_the_stated_proportions() -> None:
    # 5/50/95% quantiles state 5%, 45%, 45%, 5%: on 20 seeds that is 1, 9, 9, 1 hits.
    scores = score(_hits_study([1, 9, 9, 1]))
    assert list(scores.counts[0]) == [1, 9, 9, 1]
    assert scores.calibration[0] == pytest.approx(1.0, abs=1e-12)


def test_calibration_matches_the_chi_square_closed_form() -> None:
    # Three degrees of freedom: P(X > x) = erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2).
    scores = score(_hits_study([0, 10, 10, 0]))
    stat = 2 * 20 * (2 * 0.5 * math.log(0.5 / 0.45))
    closed = math.erfc(math.sqrt(stat / 2)) + math.sqrt(2 * stat / math.pi) * math.exp(-stat / 2)
    assert scores.calibration[0] == pytest.approx(closed, rel=1e-12)


def test_two_degrees_of_freedom_closed_form() -> None:
    p = np.array([1 / 3, 1 / 3, 1 / 3])
    counts = np.array([[6, 3, 3]])
    s = counts[0] / 12
    stat = 2 * 12 * float(np.sum(s * np.log(s / p)))
    assert calibration(counts, p, 12)[0] == pytest.approx(math.exp(-stat / 2), rel=1e-12)


def test_calpower_and_n_min_scale_the_statistic() -> None:
    p = np.array([0.05, 0.45, 0.45, 0.05])
    counts = np.array([[0, 10, 10, 0]])
    assert calibration(counts, p, 20, 0.5)[0] == pytest.approx(calibration(counts, p, 10)[0])


def test_realisation_on_a_quantile_counts_below_it() -> None:
    values = np.array([[[1.0, 2.0, 3.0]] * 4])
    counts = bin_counts(values, np.array([1.0, 2.0, 3.0, 3.5]))
    assert list(counts[0]) == [1, 1, 1, 1]


def test_information_matches_quadrature() -> None:
    answers = np.array([[[2.0, 3.0, 7.0], [1.0, 2.0, 3.0]], [[1.0, 4.0, 5.0], [1.5, 2.5, 4.0]]])
    study = _study(answers, [6.0, 2.2])
    scores = score(study, overshoot=0.1)
    lo, hi = scores.lower[0], scores.upper[0]
    assert (lo, hi) == pytest.approx((1.0 - 0.6, 7.0 + 0.6))
    edges = np.array([lo, 2.0, 3.0, 7.0, hi])
    mass = np.array([0.05, 0.45, 0.45, 0.05])

    def f(x: float) -> float:
        k = min(int(np.searchsorted(edges, x, side="right")) - 1, 3)
        return float(mass[k] / (edges[k + 1] - edges[k]))

    def integrand(x: float) -> float:
        return f(x) * math.log(f(x) * (hi - lo))

    value, _ = integrate.quad(integrand, lo, hi, points=list(edges[1:-1]), limit=200)
    assert scores.information[0, 0] == pytest.approx(value, rel=1e-9)


def test_missing_answers_leave_the_item_out() -> None:
    answers = np.array(
        [
            [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [np.nan] * 3],
            [[0.5, 2.5, 4.0], [1.5, 2.5, 3.5], [1.0, 2.0, 3.0]],
        ]
    )
    study = _study(answers, [2.2, 2.4, 1.9])
    scores = score(study)
    assert list(scores.answered_seeds) == [2, 3]
    assert scores.n_min == 2
    assert scores.information_seeds[0] == pytest.approx(np.mean(scores.information[0, :2]))
    dm = decision_maker(study, Settings("equal"), scores)
    assert dm.expert_weights[:, 2] == pytest.approx([0.0, 1.0])
    assert dm.quantiles[2] == pytest.approx([1.0, 2.0, 3.0])


def test_log_background_is_the_uniform_one_on_the_logs() -> None:
    answers = np.array([[[2.0, 10.0, 50.0], [1.0, 3.0, 9.0]], [[4.0, 5.0, 80.0], [2.0, 4.0, 5.0]]])
    study_log = _study(answers, [5.0, 3.5], ["log", "log"])
    on_logs = _study(np.log(answers), [math.log(5.0), math.log(3.5)])
    a, b = score(study_log), score(on_logs)
    assert (a.lower, a.upper) == (pytest.approx(b.lower), pytest.approx(b.upper))
    np.testing.assert_allclose(a.information, b.information, rtol=1e-12)
    np.testing.assert_allclose(a.calibration, b.calibration, rtol=1e-12)
    dm_a = decision_maker(study_log, Settings())
    dm_b = decision_maker(on_logs, Settings())
    np.testing.assert_allclose(np.log(dm_a.quantiles), dm_b.quantiles, rtol=1e-12)


@st.composite
def studies(draw: st.DrawFn) -> Study:
    n_exp = draw(st.integers(2, 4))
    n_items = draw(st.integers(3, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    answers = np.sort(rng.uniform(0.0, 10.0, (n_exp, n_items, 3)), axis=2)
    real: list[float | None] = [float(x) for x in rng.uniform(-1.0, 11.0, n_items)]
    real[-1] = None
    return _study(answers, real)


def _dm_scores(study: Study, how: Settings) -> tuple[float, float, float]:
    dm = decision_maker(study, how)
    return dm.calibration, dm.information_all, dm.information_seeds


@settings(max_examples=40, deadline=None)
@given(studies(), st.randoms(use_true_random=False))
def test_relabelling_experts_permutes_their_weights(study: Study, rnd: object) -> None:
    order = list(range(len(study.experts)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = Study(
        study.quantiles, study.items, tuple(study.experts[e] for e in order), study.answers[order]
    )
    a, b = score(study), score(shuffled)
    np.testing.assert_allclose(b.weight, a.weight[order], rtol=1e-12)
    np.testing.assert_allclose(b.calibration, a.calibration[order], rtol=1e-12)
    for how in (Settings("global", 0.0), Settings("global", None), Settings("item", 0.0)):
        np.testing.assert_allclose(_dm_scores(shuffled, how), _dm_scores(study, how), rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    studies(),
    st.integers(0, 4),
    st.floats(1e-3, 1e3),
    st.floats(-100.0, 100.0),
)
def test_rescaling_an_item_on_a_uniform_background_changes_no_weight(
    study: Study, which: int, factor: float, shift: float
) -> None:
    item = which % len(study.items)
    answers = study.answers.copy()
    answers[:, item, :] = answers[:, item, :] * factor + shift
    items = list(study.items)
    old = items[item]
    if old.realization is not None:
        items[item] = Item(old.id, old.realization * factor + shift, old.scale)
    moved = Study(study.quantiles, tuple(items), study.experts, answers)
    a, b = score(study), score(moved)
    np.testing.assert_allclose(b.calibration, a.calibration, rtol=1e-9)
    np.testing.assert_allclose(b.weight, a.weight, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(b.information_all, a.information_all, rtol=1e-7, atol=1e-9)
    for how in (Settings("global", 0.0), Settings("global", None), Settings("item", 0.0)):
        np.testing.assert_allclose(
            _dm_scores(moved, how), _dm_scores(study, how), rtol=1e-6, atol=1e-9
        )
    dm_a, dm_b = decision_maker(study, Settings()), decision_maker(moved, Settings())
    np.testing.assert_allclose(
        dm_b.quantiles[item], dm_a.quantiles[item] * factor + shift, rtol=1e-7, atol=1e-6
    )


def test_robustness_rows_are_the_model_run_again_without_the_item_or_expert() -> None:
    from forecast.cooke import robustness

    rng = np.random.default_rng(7)
    answers = np.sort(rng.uniform(0.0, 10.0, (4, 6, 3)), axis=2)
    answers[0, :, 2] = 12.0  # one expert holds the top of every range
    real: list[float | None] = [float(x) for x in rng.uniform(0.0, 10.0, 6)]
    real[-1] = None
    study = _study(answers, real)
    for how in (Settings("global", None), Settings("item", 0.0), Settings("equal")):
        items = robustness.items_left_out(study, how)
        for row, i in zip(items, range(5), strict=True):
            fresh = decision_maker(study.without_items([i]), how)
            assert (row.calibration, row.information_all, row.information_seeds) == pytest.approx(
                (fresh.calibration, fresh.information_all, fresh.information_seeds), rel=1e-12
            )
        experts = robustness.experts_left_out(study, how)
        for row, e in zip(experts, range(4), strict=True):
            fresh = decision_maker(study.without_experts([e]), how)
            assert (row.calibration, row.information_all, row.information_seeds) == pytest.approx(
                (fresh.calibration, fresh.information_all, fresh.information_seeds), rel=1e-9
            )
