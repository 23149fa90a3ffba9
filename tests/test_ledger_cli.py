"""The ledger commands: history, resolve, score, export (and run --record, sampled once)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from forecast import staleness
from forecast.cli import app
from forecast.ledger import Resolution, open_ledger
from forecast.ledger.sqlite import SCHEMA_VERSION
from forecast.questions.loader import load_question
from tests.test_ledger import PRIORS, make, when

runner = CliRunner()


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("FORECAST_LEDGER", str(path))
    return path


def _fill(path: Path) -> None:
    """Two forecasts of q1 (Ana's judgement changed between them), three other questions."""
    new_text = PRIORS.replace("probability: 0.3,", "probability: 0.5,")
    with open_ledger(path) as book:
        book.record(make(at=when(1)))
        book.record(make(at=when(2), text=new_text, experts=(("Ana", 1.0, 0.5), ("Bo", 1.0, 0.1))))
        book.record(make(question="q2", at=when(1), residual=0.5, tags=("gamma",)))
        book.record(make(question="q3", at=when(1)))
        book.record(make(question="q4", at=when(1)))
        book.resolve(Resolution("q1", "yes", dt.date(2026, 3, 1), when(3)))
        book.resolve(Resolution("q2", "no", dt.date(2026, 3, 1), when(3)))
        book.resolve(Resolution("q3", "annulled", dt.date(2026, 3, 1), when(3)))


def test_list_shows_the_latest_forecast_and_whether_the_file_changed(
    ledger: Path, tmp_path: Path
) -> None:
    priors = tmp_path / "priors"
    priors.mkdir()
    (priors / "q1.yaml").write_text(PRIORS, encoding="utf-8")
    (priors / "q2.yaml").write_text(PRIORS, encoding="utf-8")
    (priors / "q3.yaml").write_text(PRIORS, encoding="utf-8")
    with open_ledger(ledger) as book:
        book.record(make(at=when(1)))
        book.record(make(at=when(2), residual=0.1))
        book.record(make(question="q2", at=when(1), text=PRIORS + "# edited since\n"))
    result = runner.invoke(app, ["list", str(priors), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r["latest"] for r in map(json.loads, result.stdout.splitlines())}
    assert rows["q1"] == {
        "probability": pytest.approx(make(residual=0.1).probability),
        "recorded_at": "2026-02-01T12:00:00+00:00",
        "file_changed": False,
    }
    assert rows["q2"]["file_changed"] is True
    assert rows["q3"] is None
    # resolving sets the status line: that is not a change of the judgements
    resolved = PRIORS.replace("deadline: 2030-01-01\n", "deadline: 2030-01-01\nstatus: 'no'\n")
    assert resolved != PRIORS
    (priors / "q1.yaml").write_text(resolved, "utf-8")
    again = runner.invoke(app, ["list", str(priors), "--format", "json"])
    rows = {r["id"]: r["latest"] for r in map(json.loads, again.stdout.splitlines())}
    assert rows["q1"]["file_changed"] is False
    text = " ".join(runner.invoke(app, ["list", str(priors)], env={"COLUMNS": "80"}).stdout.split())
    assert f"latest {100 * make(residual=0.1).probability:.1f}% on 2026-02-01" in text
    assert "file changed since" in text and "latest none recorded" in text
    wide = runner.invoke(app, ["list", str(priors)], env={"COLUMNS": "160"}).stdout
    assert "latest forecast" in wide and "┃" in wide


def test_list_goes_on_without_a_ledger_it_cannot_read(tmp_path: Path) -> None:
    priors = tmp_path / "priors"
    priors.mkdir()
    (priors / "q1.yaml").write_text(PRIORS, encoding="utf-8")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database", encoding="utf-8")
    result = runner.invoke(app, ["list", str(priors), "--ledger", str(junk)])
    assert result.exit_code == 1  # the list is shown, but the ledger asked for failed
    assert "q1" in result.stdout and f"Error: {junk} is not a forecast ledger" in result.stderr
    assert "not known (ledger unreadable)" in result.stdout
    assert "none recorded" not in result.stdout  # it is not known whether any was
    shown = runner.invoke(app, ["list", str(priors), "--ledger", str(junk), "--format", "json"])
    (row,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert row["latest"] is None and row["ledger_read"] is False


@pytest.mark.parametrize("name", ["history", "resolve", "score", "export"])
def test_help_has_an_example(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"forecast {name}" in result.output


def test_run_help_offers_record() -> None:
    result = runner.invoke(app, ["run", "--help"])
    assert "--record" in result.output and "--ledger" in result.output


# ------------------------------------------------------------------ history


def test_history_shows_forecasts_chart_and_why(ledger: Path) -> None:
    _fill(ledger)
    result = runner.invoke(app, ["history", "q1"], env={"COLUMNS": "110"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    first, second = make(), make(experts=(("Ana", 1.0, 0.5), ("Bo", 1.0, 0.1)))
    assert f"{100 * first.probability:.1f}%" in out and f"{100 * second.probability:.1f}%" in out
    assert "┤" in out and "●" in out  # the chart
    assert "expert Ana changed: judgement {probability: 0.3, strength: 10} → " in out
    assert "expert: Ana" in out and "+10.0 pp" in out
    assert "other/sampling" in out
    assert "Resolved yes on 2026-03-01" in out
    assert result.stderr == ""


def test_history_json(ledger: Path) -> None:
    _fill(ledger)
    result = runner.invoke(app, ["history", "priors/q1.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "forecast.history/1" and data["question"] == "q1"
    assert [f["id"] for f in data["forecasts"]] == [1, 2]
    (move,) = data["moves"]
    assert move["changes"] == [
        {
            "section": "expert",
            "name": "Ana",
            "change": "changed",
            "detail": "judgement {probability: 0.3, strength: 10} → "
            "{probability: 0.5, strength: 10}",
        }
    ]
    explained = {e["input"]: e["delta"] for e in move["explained"]}
    assert explained == {"expert: Ana": pytest.approx(0.1, abs=1e-12)}
    assert move["delta"] == pytest.approx(sum(explained.values()) + move["other"], abs=1e-12)
    assert data["resolution"] == {"outcome": "yes", "date": "2026-03-01"}


def test_history_of_an_unknown_question_says_so(ledger: Path) -> None:
    result = runner.invoke(app, ["history", "nothing"])
    assert result.exit_code == 0
    assert "No forecasts of nothing" in result.stderr and result.stdout == ""
    assert not ledger.exists()


# ------------------------------------------------------------------ resolve


def test_resolve_records_and_sets_the_status(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "priors").mkdir()
    path = tmp_path / "priors" / "q1.yaml"
    path.write_text("# keep me\n" + PRIORS, encoding="utf-8")
    why = ["--force", "--reason", "the format was dissolved"]  # a no before the deadline
    result = runner.invoke(app, ["resolve", "q1", "no", "--date", "2026-06-30", *why])
    assert result.exit_code == 0, result.output
    assert "resolved no on 2026-06-30" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# keep me\n") and 'status: "no"' in text
    with open_ledger(ledger, write=False) as book:
        res = book.resolutions()["q1"]
    assert (res.outcome, res.resolved_on) == ("no", dt.date(2026, 6, 30))
    assert res.reason == "the format was dissolved"
    check = runner.invoke(app, ["check", str(path)])
    assert check.exit_code == 0, check.output
    again = runner.invoke(app, ["resolve", "q1", "yes", "--date", "2026-07-01"])
    assert again.exit_code == 0, again.output
    said = " ".join(again.stderr.split())
    assert "It replaces the outcome recorded on" in said and "no on 2026-06-30" in said
    assert 'status: "yes"' in path.read_text(encoding="utf-8")


def test_resolving_a_question_without_a_file_or_forecasts_needs_force(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = runner.invoke(app, ["resolve", "ghost", "annulled"])
    assert typo.exit_code == 1 and "nothing was recorded" in " ".join(typo.stderr.split())
    (tmp_path / "priors").mkdir()
    assert runner.invoke(app, ["resolve", "priors", "yes"]).exit_code == 2  # a directory
    future = runner.invoke(app, ["resolve", "ghost", "yes", "--date", "2999-01-01"])
    assert future.exit_code == 2 and "in the future" in future.stderr
    result = runner.invoke(app, ["resolve", "ghost", "annulled", "--force"])
    assert result.exit_code == 0, result.output
    assert "status was not changed" in result.stderr
    with open_ledger(ledger, write=False) as book:
        assert book.resolutions()["ghost"].resolved_on == staleness.today()


def test_resolve_with_a_bad_date_is_a_usage_error(ledger: Path) -> None:
    result = runner.invoke(app, ["resolve", "q1", "yes", "--date", "31/12/2026"])
    assert result.exit_code == 2
    assert "--date must be a date such as 2027-12-31" in result.stderr


def test_resolve_with_a_bad_outcome_is_a_usage_error(ledger: Path) -> None:
    result = runner.invoke(app, ["resolve", "q1", "maybe"])
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0] == "Error: unknown outcome 'maybe': give yes, no or annulled"
    )
    assert "Value error" not in result.stderr


def test_resolve_leaves_a_broken_priors_file_and_the_ledger_alone(
    ledger: Path, write_priors: Any
) -> None:
    path = write_priors(PRIORS.replace("format: 1", "format: 9"))
    before = path.read_bytes()
    result = runner.invoke(app, ["resolve", str(path), "yes"])
    assert result.exit_code == 1
    assert "format" in result.stderr
    assert path.read_bytes() == before
    with open_ledger(ledger, write=False) as book:
        assert book.resolutions() == {}


# ------------------------------------------------------------------ score


def test_score_json_matches_the_formulas(ledger: Path) -> None:
    _fill(ledger)
    result = runner.invoke(app, ["score", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    p1 = make(experts=(("Ana", 1.0, 0.5), ("Bo", 1.0, 0.1))).probability  # q1, yes
    p2 = make(residual=0.5).probability  # q2, no
    assert data["n"] == 2 and data["annulled"] == 1 and data["unscored"] == []
    assert data["brier"] == pytest.approx(((1 - p1) ** 2 + p2**2) / 2, abs=1e-12)
    assert data["log"] == pytest.approx((np.log(p1) + np.log(1 - p2)) / 2, abs=1e-12)
    assert data["baseline"] == pytest.approx(
        100 * (np.log2(2 * p1) + np.log2(2 * (1 - p2))) / 2, abs=1e-12
    )
    assert len(data["bins"]) == 10 and sum(b["n"] for b in data["bins"]) == 2
    total = (
        data["reliability"]
        - data["resolution"]
        + data["uncertainty"]
        + data["within_bin_variance"]
        - data["within_bin_covariance"]
    )
    assert total == pytest.approx(data["brier"], abs=1e-12)


def test_score_by_expert_and_csv(ledger: Path) -> None:
    _fill(ledger)
    result = runner.invoke(app, ["score", "--by", "expert", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"all", "Ana", "Bo"}
    # Ana said 0.5 on q1 (yes) and 0.3 on q2 (no): Brier (0.25 + 0.09) / 2
    assert float(rows["Ana"]["brier"]) == pytest.approx(0.17, abs=1e-12)
    assert rows["Ana"]["n"] == "2"


def test_score_mean_since_and_rich(ledger: Path) -> None:
    _fill(ledger)
    result = runner.invoke(app, ["score", "--which", "mean", "--by", "tag"])
    assert result.exit_code == 0, result.output
    assert "2 resolved questions scored (time-averaged forecast" in result.stdout
    text = " ".join(result.stdout.split())
    assert "Calibration cannot be judged yet: 2 resolved questions scored" in text
    assert "Scored: q1, q2." in text and "█" not in result.stdout
    assert "gamma" in result.stdout and "alpha" in result.stdout
    result = runner.invoke(app, ["score", "--since", "2026-04-01", "--format", "json"])
    assert json.loads(result.stdout)["n"] == 0


def test_score_of_one_question_says_it_proves_nothing(ledger: Path) -> None:
    with open_ledger(ledger) as book:
        book.record(make(question="q2", at=when(1)))
        book.resolve(Resolution("q2", "no", dt.date(2026, 3, 1), when(3)))
    text = " ".join(runner.invoke(app, ["score"]).stdout.split())
    assert "1 resolved question scored" in text
    assert "One resolved question proves nothing" in text
    as_json = runner.invoke(app, ["score", "--format", "json"])
    assert json.loads(as_json.stdout)["n"] == 1
    assert "warning: One resolved question proves nothing" in as_json.stderr
    _fill(ledger)  # two more resolved: no such line
    assert "proves nothing" not in runner.invoke(app, ["score"]).stdout


def test_score_with_an_empty_ledger(ledger: Path) -> None:
    result = runner.invoke(app, ["score"])
    assert result.exit_code == 0
    assert "0 resolved questions scored" in result.stdout
    assert not ledger.exists()


# ------------------------------------------------------------------ export


def test_export_csv(ledger: Path, tmp_path: Path) -> None:
    _fill(ledger)
    out = tmp_path / "all.csv"
    result = runner.invoke(app, ["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 8 rows" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 8 and sum(r["record"] == "resolution" for r in rows) == 3


def test_export_parquet(ledger: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    _fill(ledger)
    out = tmp_path / "all.parquet"
    result = runner.invoke(app, ["export", "-f", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows == 8


# ------------------------------------------------------------------ refusals at the CLI


@pytest.mark.parametrize("command", [["history", "q1"], ["score"], ["resolve", "q1", "yes"]])
def test_a_corrupt_ledger_is_a_clean_error_and_left_alone(
    ledger: Path, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ledger.write_bytes(b"garbage" * 1000)
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "not a forecast ledger" in result.stderr and "Traceback" not in result.output
    assert ledger.read_bytes() == b"garbage" * 1000


def test_a_newer_ledger_is_a_clean_error(ledger: Path) -> None:
    _fill(ledger)
    conn = sqlite3.connect(ledger)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.close()
    result = runner.invoke(app, ["score"])
    assert result.exit_code == 1
    assert "newer than this forecast reads" in result.stderr
    assert "hint: it was written by a newer forecast" in result.stderr


def test_an_unwritable_ledger_path_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(
        app, ["resolve", "q1", "yes", "--force", "--ledger", str(blocker / "ledger.sqlite")]
    )
    assert result.exit_code == 1
    assert "Error: cannot create the ledger" in result.stderr
    assert blocker.read_text() == "x"


def test_run_record_refuses_a_bad_ledger_before_sampling(tmp_path: Path, write_priors: Any) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage")
    result = runner.invoke(
        app, ["run", str(write_priors(PRIORS)), "--record", "--ledger", str(bad)]
    )
    assert result.exit_code == 1
    assert "not a forecast ledger" in result.stderr
    assert "Sampling" not in result.output
    assert bad.read_bytes() == b"garbage"


def test_run_record_refuses_a_scenario(ledger: Path) -> None:
    from tests.conftest import PRIORS as SHIPPED

    path = SHIPPED / "us-kazakhstan-critical-minerals.yaml"
    scenario = next(iter(load_question(path).spec.scenarios))  # type: ignore[attr-defined]
    result = runner.invoke(app, ["run", str(path), "--record", "--scenario", scenario])
    assert result.exit_code == 2
    assert "--record keeps the base forecast" in result.stderr
    assert not ledger.exists()


# ------------------------------------------------------------------ end to end


@pytest.mark.slow
def test_run_record_then_history_resolve_and_score(
    ledger: Path, tmp_path: Path, write_priors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_priors(PRIORS, name="e2e")
    args = ["run", str(path), "--draws", "200", "--tune", "200", "--chains", "2", "--seed", "4"]
    result = runner.invoke(app, [*args, "--record", "--analyst", "Dilnoza", "--format", "json"])
    assert result.exit_code == 0, result.output
    forecast = json.loads(result.stdout)
    assert "recorded e2e as #1" in result.stderr
    with open_ledger(ledger, write=False) as book:
        (r,) = book.forecasts("e2e")
    assert r.probability == forecast["probability"]
    assert r.seed == 4 and r.pool == "linear" and r.priors_text == path.read_text()
    assert r.analyst == "Dilnoza"
    assert [e.name for e in r.experts] == ["Ana", "Bo"]
    assert {c.kind for c in r.contributions} >= {"experts", "base_rate", "evidence"}
    monkeypatch.chdir(tmp_path)
    # resolved today, the (UTC) day it was recorded, whatever day the suite pins
    monkeypatch.setenv("FORECAST_TODAY", r.recorded_at.date().isoformat())
    assert runner.invoke(app, ["resolve", str(path), "yes"]).exit_code == 0
    score = json.loads(runner.invoke(app, ["score", "--format", "json"]).stdout)
    assert score["n"] == 1
    assert score["brier"] == pytest.approx((1 - forecast["probability"]) ** 2, abs=1e-12)
    history = json.loads(runner.invoke(app, ["history", "e2e", "-f", "json"]).stdout)
    assert history["forecasts"][0]["probability"] == forecast["probability"]


def test_a_ledger_that_is_not_there_is_said_and_not_exported(tmp_path: Path) -> None:
    out = tmp_path / "good.csv"
    out.write_text("a good export\n", encoding="utf-8")
    typo = tmp_path / "typo.sqlite"
    result = runner.invoke(
        app, ["export", "--format", "csv", "--out", str(out), "--ledger", str(typo)]
    )
    assert result.exit_code == 1 and "nothing to export" in result.stderr
    assert out.read_text(encoding="utf-8") == "a good export\n" and not typo.exists()
    history = runner.invoke(app, ["history", "q1", "--ledger", str(typo)])
    assert "there is no ledger at" in " ".join(history.stderr.split())
