"""Who made each forecast: the analyst column, its default, and the upgrade of older ledgers."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import LedgerError, current_analyst, export, open_ledger, record_of
from forecast.ledger.sqlite import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.test_ledger import PRIORS, make, when

runner = CliRunner()


def test_the_analyst_is_given_else_the_environment_else_the_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORECAST_ANALYST", "Aigerim")
    assert current_analyst("Bekzat") == "Bekzat"
    assert current_analyst(None) == "Aigerim"
    assert current_analyst("  ") == "Aigerim"  # blank is not a name
    monkeypatch.delenv("FORECAST_ANALYST")
    assert current_analyst(None) == getpass.getuser()


def test_record_of_keeps_the_analyst() -> None:
    doc = {"question": {"id": "q"}, "probability": 0.25}
    assert record_of(doc, priors_text="x", analyst="Aigerim").analyst == "Aigerim"
    assert record_of(doc, priors_text="x").analyst is None


def _version_2_ledger(path: Path) -> None:
    """A ledger as forecast wrote it before analysts were kept, with one forecast."""
    conn = sqlite3.connect(path)
    for version in (1, 2):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
    r = make()
    conn.execute("INSERT INTO snapshots VALUES (?, ?)", (r.priors_sha256, r.priors_text))
    conn.execute(
        "INSERT INTO forecasts (question_id, recorded_at, probability, intervals, kind, pool, "
        "seed, version, priors_sha256, title, tags, contributions, experts) "
        "VALUES ('q1', '2026-01-01T12:00:00.000000+00:00', 0.25, '{}', 'event', 'linear', 1, "
        "'0.1.0', ?, 'old', '[]', '[]', '[]')",
        (r.priors_sha256,),
    )
    conn.execute("PRAGMA user_version = 2")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_an_older_ledger_is_read_as_it_is_and_upgraded_by_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _version_2_ledger(path)
    with open_ledger(path, write=False) as book:
        (old,) = book.forecasts()
        assert old.analyst is None and old.probability == 0.25
        with pytest.raises(LedgerError, match="opened to read"):
            book.record(make(analyst="Aigerim"))
    assert _user_version(path) == 2  # a reader leaves it as it is
    with open_ledger(path) as book:
        book.record(make(at=when(2), analyst="Aigerim"))
        assert [r.analyst for r in book.forecasts()] == [None, "Aigerim"]
    assert _user_version(path) == SCHEMA_VERSION == 5


def test_history_and_export_show_the_analyst(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with open_ledger(path) as book:
        book.record(make(at=when(1), analyst="Aigerim"))
        book.record(make(at=when(2), analyst="Bekzat", residual=0.05))
    result = runner.invoke(app, ["history", "q1", "--ledger", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [f["analyst"] for f in json.loads(result.stdout)["forecasts"]] == ["Aigerim", "Bekzat"]
    table = runner.invoke(app, ["history", "q1", "--ledger", str(path)], env={"COLUMNS": "160"})
    assert "analyst" in table.stdout and "Aigerim" in table.stdout and "Bekzat" in table.stdout
    with open_ledger(path, write=False) as book:
        rows = export.rows(book)
    assert [r["analyst"] for r in rows] == ["Aigerim", "Bekzat"]


def test_record_of_a_real_forecast_document_carries_the_analyst() -> None:
    text = PRIORS
    doc = {
        "question": {"id": "q1", "kind": "event", "deadline": "2030-01-01"},
        "probability": 0.3,
        "provenance": {"seed": 1, "version": "0.1.0"},
    }
    r = record_of(doc, priors_text=text, analyst="Dilnoza", recorded_at=dt.datetime(2026, 1, 1))
    assert (r.analyst, r.question_id, r.seed) == ("Dilnoza", "q1", 1)
