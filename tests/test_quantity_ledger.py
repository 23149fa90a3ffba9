"""A quantity through the ledger: resolve at a value, then score it with CRPS and the log
score, checked against scoringrules' closed forms for the same distribution."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import scoringrules as sr
from typer.testing import CliRunner

from forecast import kinds
from forecast.cli import app
from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.scores import ensemble, of_value
from forecast.questions.loader import load_question
from tests.conftest import PRIORS

SHIPPED = PRIORS / "us-finance-kazakhstan-tungsten.yaml"
runner = CliRunner()


def test_ensemble_scores_agree_with_the_closed_forms() -> None:
    d = Dist("lognormal", 6.6, 0.3, Support(0.0))
    doc = {"quantity": {"ensemble": ensemble(d, 200)}}
    got = of_value(doc, 850.0)
    assert got is not None
    assert got["crps"] == pytest.approx(float(sr.crps_lognormal(850.0, 6.6, 0.3)), rel=0.01)
    assert got["log_score"] == pytest.approx(float(sr.logs_lognormal(850.0, 6.6, 0.3)), abs=0.05)
    assert got["median"] == pytest.approx(math.exp(6.6), rel=0.01)


def test_value_gives_the_headline_outcome_and_is_refused_for_an_event() -> None:
    q = load_question(SHIPPED)
    kind = kinds.of(q.spec)
    assert kind.outcome_of_value(q.spec, 1200.0) == "yes"
    assert kind.outcome_of_value(q.spec, 1000.0) == "no"  # P(X > 1000): 1000 is not above
    with pytest.raises(Exception, match="outside the quantity's support"):
        kind.outcome_of_value(q.spec, -1.0)
    event = load_question(PRIORS / "turkmenistan-joins-ots.yaml")
    with pytest.raises(Exception, match="resolves yes, no or annulled"):
        kinds.of(event.spec).outcome_of_value(event.spec, 3.0)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "priors").mkdir()
    shutil.copy(SHIPPED, tmp_path / "priors" / SHIPPED.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "ledger.sqlite"))
    monkeypatch.setenv("FORECAST_TODAY", "2028-01-05")
    return tmp_path


@pytest.mark.slow
def test_resolve_at_a_value_then_score(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path("priors") / SHIPPED.name
    monkeypatch.setenv("FORECAST_TODAY", "2027-12-01")  # recorded before the deadline
    ran = runner.invoke(app, ["run", str(path), "--record", "--draws", "300", "--tune", "300"])
    assert ran.exit_code == 0, ran.stderr
    monkeypatch.setenv("FORECAST_TODAY", "2028-01-05")  # resolved after it
    both = runner.invoke(app, ["resolve", SHIPPED.stem, "yes", "--value", "850"])
    assert both.exit_code == 2
    done = runner.invoke(app, ["resolve", SHIPPED.stem, "--value", "850"])
    assert done.exit_code == 0, done.stderr
    assert "resolved no" in done.stderr
    spec = load_question(path).spec
    assert spec.status == "no" and spec.value == 850.0  # type: ignore[attr-defined]
    scored = runner.invoke(app, ["score", "--format", "json"])
    assert scored.exit_code == 0, scored.stderr
    data = json.loads(scored.stdout)
    (row,) = data["amounts"]
    assert row["question"] == SHIPPED.stem and row["value"] == 850.0
    # Against scoringrules on the recorded ensemble itself, read back from the ledger.
    from forecast.ledger import open_ledger

    with open_ledger(None, write=False) as book:
        (rec,) = book.forecasts(SHIPPED.stem)
    ens = np.asarray(rec.document["quantity"]["ensemble"])  # type: ignore[index]
    assert row["crps"] == pytest.approx(float(sr.crps_ensemble(850.0, ens)))
    assert data["n"] == 1  # the headline P(X > 1000) is scored as an event too
    shown = runner.invoke(app, ["score"])
    assert "Amounts, scored at their resolved value" in shown.stdout


def test_score_reads_the_value_from_the_ledger_and_old_ledgers_from_the_file(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    path = Path("priors") / SHIPPED.name
    monkeypatch.setenv("FORECAST_TODAY", "2027-12-01")
    ran = runner.invoke(app, ["run", str(path), "--record", "--method", "exact"])
    assert ran.exit_code == 0, ran.stderr
    monkeypatch.setenv("FORECAST_TODAY", "2028-01-05")
    assert runner.invoke(app, ["resolve", SHIPPED.stem, "--value", "850"]).exit_code == 0
    from forecast.ledger import open_ledger

    with open_ledger(None, write=False) as book:
        assert book.resolutions()[SHIPPED.stem].value == 850.0
        (rec,) = book.forecasts(SHIPPED.stem)
    ens = np.asarray(rec.document["quantity"]["ensemble"])  # type: ignore[index]
    # The file is edited afterwards: the ledger's value is the one scored.
    path.write_text(path.read_text().replace("value: 850", "value: 1500"), encoding="utf-8")
    assert load_question(path).spec.value == 1500.0  # type: ignore[attr-defined]

    def scored() -> dict[str, object]:
        out = runner.invoke(app, ["score", "--format", "json"])
        assert out.exit_code == 0, out.stderr
        (row,) = json.loads(out.stdout)["amounts"]
        return dict(row)

    row = scored()
    assert row["value"] == 850.0
    assert row["crps"] == pytest.approx(float(sr.crps_ensemble(850.0, ens)))
    # A ledger written before values were kept with outcomes: the file's value counts.
    conn = sqlite3.connect(workspace / "ledger.sqlite")
    for table in ("resolutions", "resolution_log"):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN value")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    row = scored()
    assert row["value"] == 1500.0
    assert row["crps"] == pytest.approx(float(sr.crps_ensemble(1500.0, ens)))


def test_a_bare_outcome_word_is_refused_for_an_amount(workspace: Path) -> None:
    """A quantity is scored at its value: yes or no alone is refused at the file, saying
    to give --value; annulled needs no value."""
    path = Path("priors") / SHIPPED.name
    before = path.read_bytes()
    for word in ("yes", "no"):
        result = runner.invoke(app, ["resolve", SHIPPED.stem, word])
        assert result.exit_code == 1, result.output
        said = " ".join(result.stderr.split())
        assert said.startswith(f"Error: {path}: {SHIPPED.stem} is a quantity question"), said
        assert f"forecast resolve {SHIPPED.stem} --value X (in USD million)" in said
        assert "event can still happen" not in said
    assert path.read_bytes() == before
    assert not (workspace / "ledger.sqlite").exists()
    assert runner.invoke(app, ["resolve", SHIPPED.stem, "annulled"]).exit_code == 0


def test_a_value_below_the_threshold_resolves_before_the_deadline(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published amount is known when it is published: a value under the first
    threshold (1000) before the deadline (2027-12-31) records a no, with no refusal."""
    monkeypatch.setenv("FORECAST_TODAY", "2026-12-02")
    path = Path("priors") / SHIPPED.name
    result = runner.invoke(app, ["resolve", SHIPPED.stem, "--value", "240"])
    assert result.exit_code == 0, result.output
    assert "resolved no on 2026-12-02" in result.stderr
    spec = load_question(path).spec
    assert spec.status == "no" and spec.value == 240.0  # type: ignore[attr-defined]
    from forecast.ledger import open_ledger

    with open_ledger(None, write=False) as book:
        res = book.resolutions()[SHIPPED.stem]
    assert (res.outcome, res.value) == ("no", 240.0)
