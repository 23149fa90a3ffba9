"""Analysts side by side: their own scores, peer scores, head to head, and the team forecast."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.ledger import Resolution, open_ledger
from forecast.ledger.analysts import TEAM, UNKNOWN, compare, team_forecast
from forecast.ledger.evaluate import report
from tests.test_ledger import make, when

# question -> (outcome, {analyst: probability})
CASES = {
    "q1": ("yes", {"Aigerim": 0.8, "Bekzat": 0.6}),
    "q2": ("no", {"Aigerim": 0.3, "Bekzat": 0.1}),
    "q3": ("yes", {"Aigerim": 0.55, "Bekzat": 0.9, "Dilnoza": 0.7}),
    "q4": ("no", {"Aigerim": 0.2}),
}


def _records_and_resolutions() -> tuple[list, dict]:
    records = []
    for q, (_, by) in CASES.items():
        for k, (name, p) in enumerate(by.items()):
            base = make(question=q, at=when(1, 1 + k), analyst=name)
            records.append(make(question=q, at=when(1, 1 + k), analyst=name,
                                residual=p - base.probability))  # fmt: skip
    # an earlier forecast of Aigerim's on q1 does not count: her last one does
    records.append(make(question="q1", at=when(1, 1) - dt.timedelta(days=3), analyst="Aigerim"))
    resolutions = {
        q: Resolution(q, outcome, dt.date(2026, 3, 1), when(3)) for q, (outcome, _) in CASES.items()
    }
    return records, resolutions


def _given(p: float, outcome: str) -> float:
    return p if outcome == "yes" else 1 - p


def test_each_analyst_is_scored_on_their_own_forecasts() -> None:
    records, resolutions = _records_and_resolutions()
    team = compare(records, resolutions)
    by = {a.name: a for a in team.analysts}
    assert set(by) == {"Aigerim", "Bekzat", "Dilnoza"}
    mine = [(CASES[q][1]["Aigerim"], CASES[q][0]) for q in CASES]
    brier = sum((p - (o == "yes")) ** 2 for p, o in mine) / 4
    baseline = sum(100 * math.log2(2 * _given(p, o)) for p, o in mine) / 4
    assert by["Aigerim"].scores.n == 4
    assert by["Aigerim"].scores.brier == pytest.approx(brier, abs=1e-12)
    assert by["Aigerim"].scores.baseline == pytest.approx(baseline, abs=1e-9)


def test_peer_scores_against_the_others_geometric_mean() -> None:
    records, resolutions = _records_and_resolutions()
    team = compare(records, resolutions)
    by = {a.name: a for a in team.analysts}

    def peer(name: str, q: str) -> float:
        outcome, ps = CASES[q]
        others = [_given(p, outcome) for a, p in ps.items() if a != name]
        geometric = math.prod(others) ** (1 / len(others))
        return 100 * math.log(_given(ps[name], outcome) / geometric)

    assert by["Aigerim"].shared == 3  # q4 was hers alone
    expected = (peer("Aigerim", "q1") + peer("Aigerim", "q2") + peer("Aigerim", "q3")) / 3
    assert by["Aigerim"].peer == pytest.approx(expected, abs=1e-9)
    assert by["Dilnoza"].peer == pytest.approx(peer("Dilnoza", "q3"), abs=1e-9)
    # with two forecasters, a question's peer scores cancel
    assert peer("Aigerim", "q1") == pytest.approx(-peer("Bekzat", "q1"))


def test_pairs_are_compared_on_the_questions_both_forecast() -> None:
    records, resolutions = _records_and_resolutions()
    pairs = {(p.a, p.b): p for p in compare(records, resolutions).pairs}
    ab = pairs[("Aigerim", "Bekzat")]
    assert ab.questions == ("q1", "q2", "q3")
    brier_b = ((0.6 - 1) ** 2 + 0.1**2 + (0.9 - 1) ** 2) / 3
    assert ab.brier[1] == pytest.approx(brier_b, abs=1e-12)
    assert pairs[("Bekzat", "Dilnoza")].questions == ("q3",)


def test_the_team_forecast_is_the_geometric_mean_of_the_odds() -> None:
    # the mean of two log-odds is the log of the geometric mean of the odds
    odds = math.sqrt((0.8 / 0.2) * (0.6 / 0.4))
    assert team_forecast([0.8, 0.6]) == pytest.approx(odds / (1 + odds), abs=1e-12)
    assert team_forecast([0.8, 0.6], 2.0) == pytest.approx(odds**2 / (1 + odds**2), abs=1e-12)
    records, resolutions = _records_and_resolutions()
    team = compare(records, resolutions, extremize=1.5)
    assert set(q for q, v in team.forecasts.items() if TEAM in v) == {"q1", "q2", "q3"}
    assert team.team.n == 3
    assert team.forecasts["q3"][TEAM] == pytest.approx(team_forecast([0.55, 0.9, 0.7], 1.5))


def test_forecasts_without_an_analyst_are_grouped_as_unknown() -> None:
    records = [make(question="q1", at=when(1)), make(question="q1", at=when(2), analyst="Bo")]
    res = {"q1": Resolution("q1", "yes", dt.date(2026, 3, 1), when(3))}
    assert [a.name for a in compare(records, res).analysts] == [UNKNOWN, "Bo"]


def test_score_by_analyst_on_the_command_line(tmp_path: Path) -> None:
    from forecast.cli import app

    path = tmp_path / "ledger.sqlite"
    records, resolutions = _records_and_resolutions()
    with open_ledger(path) as book:
        for r in records:
            book.record(r)
        for r in resolutions.values():
            book.resolve(r)
    runner = CliRunner()
    args = ["score", "--by", "analyst", "--ledger", str(path)]
    data = json.loads(runner.invoke(app, [*args, "-f", "json", "--extremize", "1.5"]).stdout)
    assert [a["analyst"] for a in data["analysts"]] == ["Aigerim", "Bekzat", "Dilnoza"]
    assert [g["group"] for g in data["groups"]] == ["Aigerim", "Bekzat", "Dilnoza", TEAM]
    assert data["team"]["extremize"] == 1.5 and data["team"]["n"] == 3
    assert {(p["a"], p["b"]) for p in data["pairs"]} >= {("Aigerim", "Bekzat")}
    expected = report(records, resolutions, by="analyst", extremize=1.5).team
    assert expected is not None and data["team"]["brier"] == pytest.approx(expected.team.brier)
    text = runner.invoke(app, args, env={"COLUMNS": "160"}).stdout
    assert "Analysts side by side" in text and "Aigerim vs Bekzat" in text and "peer" in text
    wrong = runner.invoke(app, ["score", "--extremize", "2", "--ledger", str(path)])
    assert wrong.exit_code == 2 and "--by analyst" in wrong.stderr
