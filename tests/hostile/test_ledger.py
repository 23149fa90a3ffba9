"""The ledger under faults: damaged files, FIFOs, a full disk, a failed record.

Recipes: 64 random bytes written over the middle of a ledger, then ``run --record``
and ``resolve``; a ledger path that is a FIFO; a full disk while recording; a file
with SQLite's magic and garbage after it.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest

from forecast.errors import ForecastError
from forecast.ledger import LedgerError, open_ledger
from forecast.ledger.sqlite import SQLiteLedger
from tests.conftest import PRIORS as SHIPPED
from tests.hostile.conftest import assert_clean, cli, fifo
from tests.test_ledger import make, when

QUESTION = SHIPPED / "turkmenistan-joins-ots.yaml"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _filled(path: Path, n: int = 400) -> Path:
    with open_ledger(path) as book:
        book.merge(
            [make(question=f"q{i % 40}", at=when(1 + i % 12, 1 + i % 28)) for i in range(n)], []
        )
    return path


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """A ledger with 64 random bytes written over the middle of the file (at the start
    of its middle page, where SQLite keeps the page's structure)."""
    path = _filled(tmp_path / "ledger.sqlite")
    raw = bytearray(path.read_bytes())
    mid = len(raw) // 4096 // 2 * 4096
    raw[mid : mid + 64] = random.Random(17).randbytes(64)
    path.write_bytes(bytes(raw))
    conn = sqlite3.connect(path)
    try:  # the recipe's premise: SQLite itself sees the damage
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    except sqlite3.DatabaseError:
        pass
    finally:
        conn.close()
    return path


def test_a_damaged_ledger_is_not_written_to(damaged: Path) -> None:
    before = _sha(damaged)
    with pytest.raises(LedgerError) as info, open_ledger(damaged) as book:
        book.record(make(question="new"))
    assert "damaged" in info.value.message and "nothing was written" in info.value.message
    assert "forecast ledger check" in (info.value.hint or "")
    assert _sha(damaged) == before


def test_run_record_refuses_a_damaged_ledger_before_sampling(damaged: Path) -> None:
    before = _sha(damaged)
    result = cli("run", QUESTION, "--record", "--ledger", damaged)
    assert_clean(result, contains="damaged")
    assert "forecast ledger check" in result.stderr
    assert _sha(damaged) == before


def test_resolve_refuses_a_damaged_ledger_and_leaves_the_priors_file(
    damaged: Path, tmp_path: Path
) -> None:
    priors = tmp_path / QUESTION.name
    priors.write_text(QUESTION.read_text("utf-8"), "utf-8")
    text = priors.read_text("utf-8")
    result = cli("resolve", priors, "yes", "--date", "2025-01-01", "--ledger", damaged)
    assert_clean(result, contains="damaged")
    assert priors.read_text("utf-8") == text


def test_ledger_check_says_damaged_and_recovers_what_it_can(damaged: Path, tmp_path: Path) -> None:
    before = _sha(damaged)
    checked = cli("ledger", "check", "--ledger", damaged)
    assert checked.exit_code == 1 and "DAMAGED" in checked.stdout
    copy = tmp_path / "rescued.sqlite"
    rescued = cli("ledger", "check", "--ledger", damaged, "--recover", copy, "--format", "json")
    assert rescued.exit_code == 1
    report = json.loads(rescued.stdout)
    assert report["ok"] is False and report["copied"]["forecasts"] > 0
    assert _sha(damaged) == before
    assert cli("ledger", "check", "--ledger", copy).exit_code == 0
    with open_ledger(copy, write=False) as book:
        assert len(book.forecasts()) == report["copied"]["forecasts"]
    exported = cli("export", "--format", "csv", "--out", tmp_path / "x.csv", "--ledger", copy)
    assert exported.exit_code == 0, exported.stderr


def test_ledger_check_of_a_sound_ledger(tmp_path: Path) -> None:
    path = _filled(tmp_path / "ledger.sqlite", 10)
    result = cli("ledger", "check", "--ledger", path)
    assert result.exit_code == 0 and f"{path}: ok" in result.stdout
    assert "forecasts: 10 rows readable" in result.stdout


def test_recover_refuses_to_overwrite(tmp_path: Path) -> None:
    path = _filled(tmp_path / "ledger.sqlite", 3)
    other = tmp_path / "other"
    other.write_text("mine")
    assert_clean(cli("ledger", "check", "--ledger", path, "--recover", other), contains="exists")
    assert other.read_text() == "mine"


@pytest.mark.parametrize(
    "args",
    [
        ("history", "q1"),
        ("score",),
        ("export", "--format", "csv", "--out", "x.csv"),
        ("resolve", "q1", "no", "--force", "--date", "2025-01-01"),
        ("ledger", "check"),
        ("run", str(QUESTION), "--record"),
    ],
)
def test_a_fifo_ledger_never_hangs(tmp_path: Path, args: tuple[str, ...]) -> None:
    pipe = fifo(tmp_path / "ledger.sqlite")
    out = [a if a != "x.csv" else str(tmp_path / a) for a in args]
    result = cli(*out, "--ledger", pipe)
    assert_clean(result, contains="FIFO")


def test_a_full_disk_is_said_as_such_not_as_damage(tmp_path: Path, full_ledger) -> None:  # type: ignore[no-untyped-def]
    path = _filled(tmp_path / "ledger.sqlite", 3)
    full_ledger(1)  # no page may be added
    with pytest.raises(LedgerError) as info, open_ledger(path) as book:
        book.record(make(question="big", text="x" * 100_000))
    assert "the disk is full" in info.value.message
    assert "damaged" not in info.value.message + (info.value.hint or "")
    assert "ledger check" not in (info.value.hint or "")


def test_resolve_on_a_full_disk_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _filled(tmp_path / "ledger.sqlite", 3)

    def full(self: SQLiteLedger, fn: object) -> None:
        # What SQLite raises when the disk is full (a small resolve fits in pages the
        # file already has, so capping the page count cannot make it happen).
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(SQLiteLedger, "_write", full)
    result = cli("resolve", "q1", "yes", "--date", "2025-01-01", "--ledger", path)
    stderr = assert_clean(result, contains="the disk is full")
    assert "damaged" not in stderr


def test_garbage_after_the_magic_is_reported_as_itself(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + random.Random(3).randbytes(8000))
    for write in (False, True):
        with pytest.raises(ForecastError) as info:
            SQLiteLedger.open(path, write=write)
        assert "no transaction is active" not in info.value.message
        assert "not a database" in info.value.message or "malformed" in info.value.message


@pytest.mark.slow
def test_a_forecast_that_cannot_be_recorded_is_still_printed(
    tmp_path: Path,
    full_ledger,  # type: ignore[no-untyped-def]
) -> None:
    path = _filled(tmp_path / "ledger.sqlite", 3)
    full_ledger(1)
    args = ("run", QUESTION, "--record", "--ledger", path, "--draws", "100", "--tune", "100")
    result = cli(*args, "--format", "json", "--chains", "2")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert 0 < shown["probability"] < 1
    assert shown["record"]["recorded"] is False
    assert "disk is full" in shown["record"]["error"]
    assert "NOT RECORDED" in result.stderr and "Traceback" not in result.stderr
    with open_ledger(path, write=False) as book:
        assert len(book.forecasts()) == 3


def test_damage_inside_a_value_is_found_by_check_and_skipped_by_recover(tmp_path: Path) -> None:
    path = _filled(tmp_path / "ledger.sqlite")
    raw = bytearray(path.read_bytes())
    at = raw.index(b'{"80": [', len(raw) // 2)  # inside one forecast's intervals
    raw[at + 2 : at + 66] = bytes(range(0x80, 0xC0))  # not UTF-8
    path.write_bytes(bytes(raw))
    result = cli("ledger", "check", "--ledger", path)
    assert result.exit_code == 1 and "DAMAGED" in result.stdout
    assert "forecasts: 399 rows readable, 1 row cannot be read" in result.stdout
    copy = tmp_path / "copy.sqlite"
    cli("ledger", "check", "--ledger", path, "--recover", copy)
    with open_ledger(copy, write=False) as book:
        assert len(book.forecasts()) == 399


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE forecasts SET intervals = CAST(? AS BLOB)", "forecast #1"),
        ("UPDATE snapshots SET content = CAST(? AS TEXT)", "priors_text"),
    ],
)
def test_a_value_that_cannot_be_read_is_one_short_line(
    tmp_path: Path, sql: str, named: str
) -> None:
    """SQLite's message quotes the stored text (a whole priors file, newlines included),
    and a value that is not JSON used to be an internal error; the error names the row or
    column and stays one bounded line."""
    path = tmp_path / "ledger.sqlite"
    with open_ledger(path) as book:
        book.merge([make(question="q1", at=when(1, 1))], [])
    conn = sqlite3.connect(path)
    conn.execute(sql, (b"# first line\n# second line \xff\xfe " + b"x" * 400,))
    conn.commit()
    conn.close()
    result = cli("export", "--format", "csv", "--out", "-", "--ledger", path)
    stderr = assert_clean(result, contains="cannot be read")
    first = stderr.splitlines()[0]
    assert named in first and "second line" not in stderr, stderr
    assert len(first) < 300 and stderr.splitlines()[1].startswith("  hint:"), stderr
