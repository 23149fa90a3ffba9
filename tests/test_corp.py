"""CORP reliability: the isotonic fit, the decomposition S = MCB − DSC + UNC, the bands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import scoringrules
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast import corp, scoring
from forecast.cli import app
from forecast.ledger import Resolution, open_ledger
from forecast.ledger.render_team import num
from tests.test_ledger import make, when


def test_pav_on_the_textbook_example() -> None:
    # each forecast value distinct, outcomes as fractions: the classic PAV pooling
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    y = np.array([0.1, 0.3, 0.2, 0.4, 0.3, 0.5])
    assert corp.recalibrate(p, y) == pytest.approx([0.1, 0.25, 0.25, 0.35, 0.35, 0.5])


def test_equal_forecasts_share_one_recalibrated_value() -> None:
    p = [0.2, 0.2, 0.2, 0.7, 0.7]
    o = [1, 0, 0, 1, 0]
    c = corp.recalibrate(p, o)
    assert c == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0.5, 0.5])


def test_calibrated_distinct_groups_have_no_miscalibration() -> None:
    # forecasts equal to their groups' observed frequencies, increasing: PAV changes
    # nothing, so MCB is 0 and DSC is the classic resolution term of those groups
    p = np.repeat([0.2, 0.5, 0.75], [5, 4, 4])
    o = np.concatenate([[1, 0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]])
    fit = corp.decompose(p, o, bands=False)
    base = o.mean()
    resolution = sum(k * (f - base) ** 2 for f, k in ((0.2, 5), (0.5, 4), (0.75, 4))) / 13
    assert fit.mcb == pytest.approx(0.0, abs=1e-15)
    assert fit.dsc == pytest.approx(resolution, abs=1e-12)
    assert fit.unc == pytest.approx(base * (1 - base), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.0, 1.0, allow_nan=False), st.integers(0, 1)),
        min_size=1,
        max_size=60,
    )
)
def test_the_identity_holds_and_the_parts_are_non_negative(pairs: list[tuple[float, int]]) -> None:
    p = np.array([a for a, _ in pairs])
    o = np.array([b for _, b in pairs], dtype=float)
    fit = corp.decompose(p, o, bands=False)
    brier = float(np.mean(scoringrules.brier_score(o, p)))  # an independent Brier score
    assert fit.score == pytest.approx(brier, abs=1e-12)
    assert abs(fit.mcb - fit.dsc + fit.unc - brier) <= 1e-9
    assert fit.mcb >= -1e-12 and fit.dsc >= -1e-12
    assert fit.unc == pytest.approx(o.mean() * (1 - o.mean()), abs=1e-12)


def test_scores_agree_with_scoringrules() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.01, 0.99, 200)
    o = (rng.uniform(size=200) < p).astype(float)
    assert scoring.brier(p, o) == pytest.approx(np.mean(scoringrules.brier_score(o, p)), 1e-12)
    # scoringrules' log score is the loss -ln P(what happened); ours is its negative
    assert scoring.log_score(p, o) == pytest.approx(-np.mean(scoringrules.log_score(o, p)), 1e-12)


def test_bands_cover_a_calibrated_forecaster_and_not_a_wild_one() -> None:
    rng = np.random.default_rng(11)
    p = np.round(rng.uniform(0.05, 0.95, 400), 1)
    honest = (rng.uniform(size=p.size) < p).astype(float)
    fit = corp.decompose(p, honest)
    inside = [pt.lo <= pt.calibrated <= pt.hi for pt in fit.points if pt.lo is not None]
    assert sum(inside) >= len(inside) - 2  # 90% bands: nearly all values of a calibrated one
    wild = (rng.uniform(size=p.size) < 0.5).astype(float)  # outcomes ignore the forecast
    bad = corp.decompose(p, wild)
    outside = [not (pt.lo <= pt.calibrated <= pt.hi) for pt in bad.points if pt.lo is not None]
    assert sum(outside) >= 4
    assert bad.mcb > fit.mcb


def test_small_scores_keep_their_digits() -> None:
    assert num(1.4e-05) == "1.4e-05"
    assert num(0.123456) == "0.1235"
    assert num(0.0) == "0" and num(None) == "—"
    assert num(-12.3456) == "-12.35"


def _resolved_ledger(path: Path, n: int) -> None:
    rng = np.random.default_rng(5)
    with open_ledger(path) as book:
        for i in range(n):
            r = make(question=f"q{i}", at=when(1), residual=float(rng.uniform(-0.2, 0.5)))
            book.record(r)
            outcome = "yes" if rng.uniform() < r.probability else "no"
            book.resolve(Resolution(f"q{i}", outcome, dt.date(2026, 3, 1), when(3)))


def test_score_shows_corp_with_ten_questions_and_says_so_below(tmp_path: Path) -> None:
    runner = CliRunner()
    few, many = tmp_path / "few.sqlite", tmp_path / "many.sqlite"
    _resolved_ledger(few, 9)
    _resolved_ledger(many, 12)
    data = json.loads(runner.invoke(app, ["score", "--ledger", str(few), "-f", "json"]).stdout)
    assert data["calibration"] == {"judged": False, "minimum": 10, "corp": None}
    text = " ".join(runner.invoke(app, ["score", "--ledger", str(few)]).stdout.split())
    assert "Calibration cannot be judged yet: 9 resolved questions scored" in text
    assert "q0, q1, q2" in text and "CORP" not in text
    data = json.loads(runner.invoke(app, ["score", "--ledger", str(many), "-f", "json"]).stdout)
    fit = data["calibration"]["corp"]
    assert data["calibration"]["judged"] is True and fit["n"] == 12
    assert abs(fit["mcb"] - fit["dsc"] + fit["unc"] - data["brier"]) <= 1e-9
    assert all(pt["lo"] <= pt["hi"] for pt in fit["points"])
    text = runner.invoke(app, ["score", "--ledger", str(many)], env={"COLUMNS": "120"}).stdout
    assert "CORP reliability" in text and "MCB" in text and "█" in text
