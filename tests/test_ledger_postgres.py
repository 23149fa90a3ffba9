"""The PostgreSQL ledger's promises, against a real server the session starts.

Writers killed mid-transaction leave a consistent ledger; a server restart mid-run is
one clear error and loses nothing committed; a role that may not write is told so; the
URL's password never shows. (Many writers at once, losing nothing, is in the shared
suite, test_ledger_backends.py.)
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import LedgerError, Resolution, open_ledger
from forecast.ledger.postgres import shown
from tests.test_ledger import make, when

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent


def test_shown_urls_hide_the_password() -> None:
    assert shown("postgresql://ana:s3cret@db.example:5433/team") == (
        "postgresql://ana@db.example:5433/team"
    )
    assert shown("postgresql://ana@db/team") == "postgresql://ana@db/team"


WRITER = """
import datetime as dt, hashlib, os, sys
from forecast.ledger import ForecastRecord, LedgerError, open_ledger

url, side, reopen = sys.argv[1], sys.argv[2], sys.argv[3] == "reopen"
fd = os.open(side, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def one(book, i):
    # priors snapshots of varied size, so transactions carry real work
    text = "# " + ("x" * (2048 * (i % 31))) + "\\n" + str(i) + "\\n"
    return book.record(
        ForecastRecord(
            question_id=f"k{i % 7}",
            recorded_at=dt.datetime.now(dt.UTC),
            probability=(i % 100) / 100,
            intervals={"80": (0.0, 1.0)},
            kind="event",
            pool="linear",
            seed=i,
            version="test",
            priors_sha256=hashlib.sha256(text.encode()).hexdigest(),
            priors_text=text,
        )
    )


i = int(sys.argv[4])
try:
    book = open_ledger(url)
    sys.stdout.write(f"ready {book._conn.info.backend_pid}\\n")
    sys.stdout.flush()
    while True:
        if reopen:  # as `forecast run --record` does: one connection per forecast
            with open_ledger(url) as b:
                rid = one(b, i)
        else:
            rid = one(book, i)
        os.write(fd, f"{rid} {i}\\n".encode())
        i += 1
except LedgerError as exc:
    sys.stderr.write(f"error: {exc.message}\\n  hint: {exc.hint}\\n")
    sys.exit(1)
"""


def _committed(side: Path) -> dict[int, int]:
    """Ids the writers saw committed, with their seeds (a torn last line is ignored)."""
    if not side.exists():
        return {}
    out: dict[int, int] = {}
    for line in side.read_text().split("\n")[:-1]:
        rid, seed = line.split()
        out[int(rid)] = int(seed)
    return out


def _consistent(url: str, committed: dict[int, int]) -> dict[int, int]:
    """Every committed forecast is there with its seed, and nothing is half there."""
    with psycopg.connect(url) as conn:
        got = dict(conn.execute("SELECT id, seed FROM forecasts").fetchall())
        orphans = conn.execute(
            "SELECT count(*) FROM snapshots s WHERE NOT EXISTS "
            "(SELECT 1 FROM forecasts f WHERE f.priors_sha256 = s.sha256)"
        ).fetchone()
    missing = set(committed) - set(got)
    assert not missing, f"committed but lost: {sorted(missing)[:10]}"
    assert all(got[i] == s for i, s in committed.items())
    assert orphans == (0,)  # a snapshot is only ever committed with its forecast
    return got


def _writer(url: str, side: Path, *, reopen: bool = False, start: int = 0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(side), "reopen" if reopen else "keep", str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _in_transaction(url: str, pid: int, timeout: float = 2.0) -> bool:
    """Wait until the writer's session is inside a transaction; False if it never was."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT xact_start IS NOT NULL FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
            if row and row[0]:
                return True
    return False


@pytest.mark.slow
def test_writers_killed_mid_transaction_leave_a_consistent_ledger(
    pg_url: str, tmp_path: Path
) -> None:
    side = tmp_path / "committed.txt"
    rng = random.Random(20261201)
    with open_ledger(pg_url):
        pass  # the schema exists before the writers start
    mid = 0
    for kill in range(12):
        procs = [_writer(pg_url, side, start=10_000 * (kill * 3 + k)) for k in range(3)]
        try:
            pids = []
            for proc in procs:
                assert proc.stdout is not None
                line = proc.stdout.readline()
                assert line.startswith("ready"), proc.stderr.read() if proc.stderr else ""
                pids.append(int(line.split()[1]))
            time.sleep(rng.uniform(0.0, 0.1))
            victim = rng.randrange(len(procs))
            mid += _in_transaction(pg_url, pids[victim])
            procs[victim].send_signal(signal.SIGKILL)
        finally:
            for proc in procs:
                proc.kill()
                proc.wait()
                for stream in (proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()
    assert mid >= 6  # most kills did land inside a transaction
    committed = _committed(side)
    assert len(committed) > 12
    _consistent(pg_url, committed)
    with open_ledger(pg_url) as book:  # the ledger still takes new forecasts at once
        book.record(make(question="after"))
        assert book.forecasts("after")


def test_a_server_restart_mid_run_is_a_clear_error_and_loses_nothing(
    pg_server: Any, pg_url: str, tmp_path: Path
) -> None:
    side = tmp_path / "committed.txt"
    with open_ledger(pg_url):
        pass
    keep = _writer(pg_url, side, start=0)
    reopen = _writer(pg_url, side, reopen=True, start=1_000_000)
    try:
        for proc in (keep, reopen):
            assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
        time.sleep(0.5)
        before = len(_committed(side))
        pg_server.stop("fast")
        time.sleep(0.3)
        for proc in (keep, reopen):
            _, stderr = proc.communicate(timeout=60)
            assert proc.returncode == 1, stderr
            first = stderr.splitlines()[0]
            assert first.startswith("error: ") and "Traceback" not in stderr
            assert "lost the connection to the ledger" in first or "cannot connect" in first
            assert "postgresql://" in first
    finally:
        for proc in (keep, reopen):
            proc.kill()
            proc.wait()
        pg_server.start()
    committed = _committed(side)
    assert len(committed) >= before > 0
    _consistent(pg_url, committed)
    with open_ledger(pg_url) as book:  # back up: the run can simply be repeated
        book.record(make(question="after-restart"))


def test_a_stopped_server_is_one_clean_line(pg_server: Any) -> None:
    url = f"postgresql://nobody@127.0.0.1:{pg_server.port + 1}/none"  # nothing listens there
    result = CliRunner().invoke(app, ["history", "q1", "--ledger", url])
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert text.startswith("Error: cannot connect to the ledger postgresql://")
    assert "Connection refused" in text and "Traceback" not in text


def test_a_role_without_insert_rights_is_told_so(pg_server: Any, pg_url: str) -> None:
    with open_ledger(pg_url) as book:
        book.record(make())
    database = pg_url.rsplit("/", 1)[1]
    role = f"reader_{database}"
    pg_server.sql(f"CREATE ROLE {role} LOGIN")
    pg_server.sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}", database)
    as_reader = pg_server.url(database, user=role)
    with open_ledger(as_reader, write=False) as book:  # reading is allowed
        assert len(book.forecasts()) == 1
    with pytest.raises(LedgerError, match=f"role {role} may read .* but not record") as info:
        open_ledger(as_reader)
    assert "GRANT" in (info.value.hint or "")
    result = CliRunner().invoke(
        app, ["resolve", "q1", "yes", "--force", "--date", "2026-01-02", "--ledger", as_reader]
    )
    assert (
        result.exit_code == 1 and "may read" in result.stderr and "Traceback" not in (result.stderr)
    )
    # rights taken away while the ledger is open: the write fails cleanly, nothing is kept
    writer = f"writer_{database}"
    pg_server.sql(f"CREATE ROLE {writer} LOGIN")
    pg_server.sql(
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {writer}", database
    )
    with open_ledger(pg_server.url(database, user=writer)) as book:
        pg_server.sql(f"REVOKE INSERT ON forecasts FROM {writer}", database)
        with pytest.raises(LedgerError, match=f"role {writer} may not"):
            book.record(make(at=when(2)))
        book.resolve(Resolution("q1", "no", dt.date(2026, 1, 2), when(1, 2)))
    with open_ledger(pg_url, write=False) as book:
        assert len(book.forecasts()) == 1 and book.resolutions()["q1"].outcome == "no"


def test_the_commands_work_on_a_team_ledger(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORECAST_LEDGER", pg_url)
    with open_ledger() as book:
        book.record(make(at=when(1), analyst="Aigerim"))
        book.resolve(Resolution("q1", "yes", dt.date(2026, 3, 1), when(3)))
    runner = CliRunner()
    history = runner.invoke(app, ["history", "q1", "-f", "json"])
    assert history.exit_code == 0, history.output
    assert "no ledger at" not in history.stderr
    score = runner.invoke(app, ["score", "-f", "json"])
    assert score.exit_code == 0, score.output
    assert os.environ["FORECAST_LEDGER"] == pg_url
