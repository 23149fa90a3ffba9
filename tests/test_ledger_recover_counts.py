"""`forecast ledger check --recover` on a ledger whose snapshots page is damaged: the
counts are of rows (3 snapshots lost, not one per failed read), and the 3 readable
forecasts are kept without their snapshot text."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import open_ledger
from forecast.ledger.repair import LOST_SNAPSHOT
from tests.test_ledger import PRIORS, make, when

runner = CliRunner()


def _damaged(tmp_path: Path) -> Path:
    """Three forecasts, each of its own priors text, then the snapshots table's page
    overwritten (its b-tree header and cells: no snapshot can be read)."""
    path = tmp_path / "ledger.sqlite"
    with open_ledger(path) as book:
        for i in range(3):
            book.record(make(question=f"q{i}", at=when(1 + i), text=PRIORS + f"# version {i}\n"))
    conn = sqlite3.connect(path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'snapshots'").fetchone()
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    (snapshots,) = conn.execute("SELECT count(*) FROM snapshots").fetchone()
    conn.close()
    assert snapshots == 3
    raw = bytearray(path.read_bytes())
    start = (root - 1) * size
    raw[start : start + size] = b"\xff" * size
    path.write_bytes(bytes(raw))
    return path


def test_recover_counts_rows_and_keeps_forecasts_without_their_snapshot(tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    copy = tmp_path / "copy.sqlite"
    args = ["ledger", "check", "--ledger", str(path), "--recover", str(copy)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["readable"]["forecasts"] == 3
    assert report["readable"]["snapshots"] == 0
    assert report["unreadable"]["snapshots"] == 3  # the three the forecasts name
    assert report["copied"]["forecasts"] == 3 and report["lost"]["forecasts"] == 0
    assert report["lost"]["snapshots"] == 3
    assert report["kept_without_snapshot"] == 3
    assert runner.invoke(app, ["ledger", "check", "--ledger", str(copy)]).exit_code == 0
    with open_ledger(copy, write=False) as book:
        kept = book.forecasts()
    assert sorted(r.question_id for r in kept) == ["q0", "q1", "q2"]
    assert all(r.priors_text == LOST_SNAPSHOT for r in kept)
    history = runner.invoke(app, ["history", "q0", "--ledger", str(copy), "--format", "json"])
    assert history.exit_code == 0, history.output


def test_the_terminal_says_rows_not_reads(tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    copy = tmp_path / "copy.sqlite"
    said = runner.invoke(app, ["ledger", "check", "--ledger", str(path), "--recover", str(copy)])
    text = said.stdout
    assert "snapshots: 0 rows readable, 3 rows cannot be read" in text
    assert "lost: 3 snapshots" in text and "forecasts" not in text.split("lost:")[1].split("\n")[0]
    assert "3 forecasts kept without the priors snapshot" in text
