"""Reading a ledger that is damaged or holds odd values.

Recipes: 64 random bytes over the middle of a ledger, then `history`, `score`, `list`
and `export`; a priors snapshot rewritten as a BLOB; values of the wrong type in a row.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from forecast.ledger import open_ledger, rows
from forecast.ledger.rows import Unreadable, record_from_row
from tests.conftest import PRIORS as SHIPPED
from tests.hostile.conftest import assert_clean, cli
from tests.hostile.test_ledger import damaged  # noqa: F401  (the fixture)
from tests.test_ledger import PRIORS, make, when


@pytest.mark.parametrize(
    "args",
    [("history", "q1"), ("score",), ("score", "--format", "json"), ("list", str(SHIPPED))],
)
def test_a_read_command_refuses_a_damaged_ledger(damaged: Path, args: tuple[str, ...]) -> None:  # noqa: F811
    before = damaged.read_bytes()
    result = cli(*args, "--ledger", damaged)
    if args[0] == "list":  # the list still lists the questions, and says why no forecasts
        assert result.exit_code == 1, result.output  # the ledger asked for cannot be read
        assert "is damaged" in result.stderr
        assert "not known (ledger unreadable)" in result.stdout
    else:
        stderr = assert_clean(result, contains="is damaged (")
        assert "ledger check" in stderr and "nothing was written" not in stderr
    assert damaged.read_bytes() == before


def _one(path: Path) -> Path:
    with open_ledger(path) as book:
        book.merge([make(question="q1", at=when(1, 1))], [])
    return path


def test_a_snapshot_stored_as_a_blob_is_read_and_exported_as_its_text(tmp_path: Path) -> None:
    path = _one(tmp_path / "ledger.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE snapshots SET content = CAST(content AS BLOB)")
    conn.commit()
    assert conn.execute("SELECT typeof(content) FROM snapshots").fetchone()[0] == "blob"
    conn.close()
    with open_ledger(path, write=False) as book:
        (r,) = book.forecasts()
        latest = book.latest()["q1"]
    assert r.priors_text == PRIORS and latest.priors_text == PRIORS
    result = cli("export", "--format", "csv", "--out", "-", "--ledger", path)
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["priors"] == PRIORS and not row["priors"].startswith("b'")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("seed", "'high'"),  # text in a number's column
        ("tags", "'5'"),  # JSON, but not a list
        ("experts", "'[1, 2]'"),  # a list, but not of objects
        ("intervals", "'[]'"),  # JSON, but not an object
        ("recorded_at", "42"),  # a number in a time's column
    ],
)
def test_a_value_of_the_wrong_type_is_damage_named_by_its_forecast(
    tmp_path: Path, column: str, value: str
) -> None:
    path = _one(tmp_path / "ledger.sqlite")
    conn = sqlite3.connect(path)
    conn.execute(f"UPDATE forecasts SET {column} = {value}")
    conn.commit()
    conn.close()
    result = cli("export", "--format", "csv", "--out", "-", "--ledger", path)
    stderr = assert_clean(result, contains="cannot be read")
    assert "forecast #1" in stderr.splitlines()[0]


def test_a_fault_of_the_program_is_not_hidden_as_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _one(tmp_path / "ledger.sqlite")
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    row = dict(
        conn.execute(
            "SELECT f.*, s.content AS priors_text FROM forecasts f "
            "JOIN snapshots s ON s.sha256 = f.priors_sha256"
        ).fetchone()
    )
    conn.close()
    assert record_from_row(row).question_id == "q1"

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug, not damage")

    monkeypatch.setattr(rows, "ForecastRecord", broken)
    with pytest.raises(TypeError, match="a bug"):
        record_from_row(row)
    with pytest.raises(Unreadable):
        record_from_row({**row, "probability": None})  # NULL where a number must be
