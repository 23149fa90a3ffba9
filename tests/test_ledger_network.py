"""A network's forecasts of its question nodes, kept in the ledger beside the questions'
own: scored only when asked, shown apart in history (scores computed by hand here)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import Resolution, open_ledger
from forecast.ledger.records import ForecastRecord
from tests.test_ledger import make, when

runner = CliRunner()


def _own(question: str, p: float, month: int) -> ForecastRecord:
    return replace(make(question=question, at=when(month)), probability=p)


def _implied(question: str, p: float, month: int) -> ForecastRecord:
    node = {"network_node": {"network": "links", "node": question}}
    return replace(_own(question, p, month), kind="network", document=node)


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """q1 (yes) and q2 (no) forecast on their own, then by a network later (which would
    be the last forecast if it counted); q3 (yes) forecast by the network only."""
    path = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("FORECAST_LEDGER", str(path))
    with open_ledger(path) as book:
        book.record(_own("q1", 0.7, 1))
        book.record(_implied("q1", 0.4, 2))
        book.record(_own("q2", 0.2, 1))
        book.record(_implied("q2", 0.5, 2))
        book.record(_implied("q3", 0.9, 1))
        for q, outcome in (("q1", "yes"), ("q2", "no"), ("q3", "yes")):
            book.resolve(Resolution(q, outcome, dt.date(2026, 3, 1), when(3)))
    return path


def _score(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["score", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("which", ["last", "mean"])
def test_score_counts_a_questions_own_forecasts_only(ledger: Path, which: str) -> None:
    data = _score("--which", which)
    # q1: 0.7 said yes, q2: 0.2 said no; q3 has no own forecast
    assert data["n"] == 2 and data["unscored"] == ["q3"] and data["kind"] is None
    assert data["brier"] == pytest.approx((0.3**2 + 0.2**2) / 2, abs=1e-12)
    assert data["log"] == pytest.approx((math.log(0.7) + math.log(0.8)) / 2, abs=1e-12)
    assert [q["probability"] for q in data["questions"]] == pytest.approx([0.7, 0.2])


def test_score_kind_network_scores_the_network_implied_forecasts(ledger: Path) -> None:
    data = _score("--kind", "network")
    assert data["n"] == 3 and data["unscored"] == [] and data["kind"] == "network"
    assert data["brier"] == pytest.approx((0.6**2 + 0.5**2 + 0.1**2) / 3, abs=1e-12)
    assert data["log"] == pytest.approx(
        (math.log(0.4) + math.log(0.5) + math.log(0.9)) / 3, abs=1e-12
    )
    assert data["baseline"] == pytest.approx(
        100 * (math.log2(0.8) + math.log2(1.0) + math.log2(1.8)) / 3, abs=1e-12
    )


def test_score_kind_event_leaves_out_questions_without_event_forecasts(ledger: Path) -> None:
    data = _score("--kind", "event")
    assert data["n"] == 2 and data["unscored"] == []
    assert data["brier"] == pytest.approx(0.065, abs=1e-12)


def test_score_rich_says_what_was_left_out_and_refuses_an_unknown_kind(ledger: Path) -> None:
    result = runner.invoke(app, ["score"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "3 network-implied forecasts left out; score them with --kind network" in result.stdout
    bad = runner.invoke(app, ["score", "--kind", "netwrk"])
    assert bad.exit_code == 2 and "--kind must be one of" in bad.output


def test_history_shows_network_implied_forecasts_apart(ledger: Path) -> None:
    result = runner.invoke(app, ["history", "q1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(f["probability"], f["network_implied"], f["network"]) for f in data["forecasts"]] == [
        (0.7, False, None),
        (0.4, True, "links"),
    ]
    assert data["moves"] == []  # one forecast of each source: no move between them
    rich = runner.invoke(app, ["history", "q1"], env={"COLUMNS": "160"})
    assert rich.exit_code == 0, rich.output
    assert "network-implied (links)" in rich.stdout and "own" in rich.stdout


def test_a_networks_own_headline_is_its_own_forecast_not_an_implied_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run NET --record``: the network's headline (P(a) = 0.3, under the network's id)
    is the network question's own forecast; only its forecast of the-question (0.25 =
    0.3 · 0.6 + 0.7 · 0.1) is network-implied. The-question's own forecast is 0.3 (its
    expert's Beta(3, 7), exactly)."""
    from tests.test_network_spec import GOOD, event, write

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path_ledger = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("FORECAST_LEDGER", str(path_ledger))
    event(tmp_path, "the-question")
    net = write(tmp_path, "target: a\n" + GOOD)
    for file in (net, tmp_path / "the-question.yaml"):
        made = runner.invoke(app, ["run", str(file), "--record", "--format", "json"])
        assert made.exit_code == 0, made.output
    with open_ledger(path_ledger) as book:
        recorded = {(r.question_id, r.kind): r.probability for r in book.forecasts()}
        for q in ("net", "the-question"):
            book.resolve(Resolution(q, "yes", dt.date(2029, 12, 31), when(3)))
    assert recorded[("net", "network")] == pytest.approx(0.3, abs=1e-9)
    assert recorded[("the-question", "network")] == pytest.approx(0.25, abs=1e-9)
    own_q = recorded[("the-question", "event")]
    assert own_q == pytest.approx(0.3, abs=1e-4)
    own = _score()
    # the two own forecasts: the network's of its headline and the question's own
    assert own["n"] == 2 and own["unscored"] == []
    assert own["brier"] == pytest.approx(((1 - 0.3) ** 2 + (1 - own_q) ** 2) / 2, abs=1e-9)
    assert own["log"] == pytest.approx((math.log(0.3) + math.log(own_q)) / 2, abs=1e-9)
    implied = _score("--kind", "network")
    assert implied["n"] == 1 and [q["id"] for q in implied["questions"]] == ["the-question"]
    assert implied["brier"] == pytest.approx(0.75**2, abs=1e-9)
    assert implied["log"] == pytest.approx(math.log(0.25), abs=1e-9)
    rich = runner.invoke(app, ["score"], env={"COLUMNS": "120"})
    assert "1 network-implied forecast left out" in rich.stdout
    history = runner.invoke(app, ["history", "net", "--format", "json"])
    assert [f["network_implied"] for f in json.loads(history.stdout)["forecasts"]] == [False]


def test_a_records_network_node_is_read_when_well_formed() -> None:
    from forecast.ledger.pick import implied_by, network_node

    assert network_node({"network_node": {"network": "links", "node": "q1"}}) == {
        "network": "links",
        "node": "q1",
    }
    for bad in (None, {}, {"network_node": "links"}, {"network_node": {"network": 3}}):
        assert network_node(bad) is None
    # A record that says nothing of its network is implied by "network".
    assert implied_by(replace(_implied("q1", 0.5, 1), document={})) == "network"
    assert implied_by(_implied("q1", 0.5, 1)) == "links"
