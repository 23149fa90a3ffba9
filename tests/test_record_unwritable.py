"""`forecast run --record` with a ledger that cannot be written: it stops before
anything is sampled, as README and docs/ledger.md say, and a write that fails later
still prints the forecast, marked NOT RECORDED."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.conftest import PRIORS

ROOT = Path(__file__).resolve().parents[1]
QUESTION = str(PRIORS / "turkmenistan-joins-ots.yaml")
runner = CliRunner()


def test_an_unwritable_ledger_stops_the_run_before_sampling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast.cli import run as run_cli

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("sampled although the ledger cannot be written")

    monkeypatch.setattr(run_cli, "sample_each", never)
    missing = tmp_path / "nowhere" / "x.sqlite"
    result = runner.invoke(app, ["run", QUESTION, "--record", "--ledger", str(missing)])
    assert result.exit_code == 1
    assert result.stdout == ""
    (first,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert first.startswith(f"Error: cannot create the ledger {missing}"), first
    assert "does not exist" in first
    assert not missing.parent.exists()


def test_a_write_that_fails_after_the_check_prints_the_forecast_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import forecast.ledger as ledger_pkg
    from forecast.ledger import LedgerError

    def full(*args: object, **kwargs: object) -> int:
        raise LedgerError("cannot write the ledger: the disk is full")

    monkeypatch.setattr(ledger_pkg, "record_at", full)
    book = tmp_path / "ledger.sqlite"
    args = ["run", QUESTION, "--record", "--ledger", str(book), "--method", "exact"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert 0 < shown["probability"] < 1
    assert shown["record"] == {
        "recorded": False,
        "ledger": str(book),
        "id": None,
        "error": "cannot write the ledger: the disk is full",
    }
    assert "NOT RECORDED: turkmenistan-joins-ots" in result.stderr


def test_the_docs_say_when_a_forecast_is_not_recorded() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "the run stops before anything is sampled" in readme
    assert "A forecast whose write fails after that" in readme
    ledger_doc = " ".join((ROOT / "docs" / "ledger.md").read_text(encoding="utf-8").split())
    assert "opens the ledger for writing before it samples anything" in ledger_doc
    assert "NOT RECORDED: ID" in ledger_doc
