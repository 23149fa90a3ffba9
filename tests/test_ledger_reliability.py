"""The ledger under stress: many writers at once, and writers killed mid-write."""

from __future__ import annotations

import multiprocessing
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecast.ledger import open_ledger
from tests.test_ledger import make, when

WRITERS = 8
PER_WRITER = 100
KILLS = 50


def _write_many(path: str, writer: int, n: int) -> list[int]:
    """One process's share: ``n`` forecasts, each committed on its own."""
    ids = []
    with open_ledger(path) as book:
        for i in range(n):
            r = make(question=f"w{writer}", at=when(1 + i % 12, 1 + i % 28), seed=i)
            ids.append(book.record(r))
    return ids


@pytest.mark.skipif(sys.platform == "win32", reason="uses fork")
def test_concurrent_writers_lose_nothing_and_never_fail(tmp_path: Path) -> None:
    path = str(tmp_path / "ledger.sqlite")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(WRITERS) as pool:
        # every writer starts on a fresh file, so creating the schema races too
        results = pool.starmap(_write_many, [(path, w, PER_WRITER) for w in range(WRITERS)])
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) == WRITERS * PER_WRITER
    with open_ledger(path, write=False) as book:
        rows = book.forecasts()
        assert book.integrity() == "ok"  # type: ignore[attr-defined]
    assert sorted(r.id for r in rows if r.id is not None) == sorted(ids)
    for w in range(WRITERS):
        mine = [r for r in rows if r.question_id == f"w{w}"]
        assert sorted(r.seed for r in mine if r.seed is not None) == list(range(PER_WRITER))


WRITER = """
import datetime as dt, hashlib, os, sys
from forecast.ledger import ForecastRecord, open_ledger

path, side = sys.argv[1], sys.argv[2]
fd = os.open(side, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
i = 0
with open_ledger(path) as book:
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    while True:
        # priors snapshots of varied size, so commits span several pages
        text = "# " + ("x" * (64 * (i % 97))) + "\\n" + str(i) + "\\n"
        rid = book.record(
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
        os.write(fd, f"{rid} {i}\\n".encode())
        i += 1
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


def _check(path: Path, committed: dict[int, int]) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        got = dict(conn.execute("SELECT id, seed FROM forecasts").fetchall())
    finally:
        conn.close()
    missing = set(committed) - set(got)
    assert not missing, f"committed but lost: {sorted(missing)[:10]}"
    assert all(got[i] == s for i, s in committed.items())


def test_a_writer_killed_mid_write_loses_no_committed_forecast(tmp_path: Path) -> None:
    path, side = tmp_path / "ledger.sqlite", tmp_path / "committed.txt"
    root = Path(__file__).resolve().parent.parent
    rng = random.Random(20261125)
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(side)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=root,
        )
        try:
            if kill % 5 == 0:
                # now and then, before the ledger is even open (creating or recovering it)
                time.sleep(rng.uniform(0.0, 0.15))
            else:
                assert proc.stdout is not None
                line = proc.stdout.readline()
                assert line == b"ready\n", proc.stderr.read() if proc.stderr else b""
                time.sleep(rng.uniform(0.0, 0.05))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        assert proc.returncode == -signal.SIGKILL
        if kill % 10 == 9:
            _check(path, _committed(side))
    committed = _committed(side)
    assert len(committed) > KILLS  # the writers did get work done between kills
    _check(path, committed)
    with open_ledger(path) as book:  # and the ledger still takes new forecasts
        book.record(make(question="after"))
        assert book.forecasts("after")


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    """Nothing here may leave a child running."""
    yield
    for child in multiprocessing.active_children():  # pragma: no cover - a failure path
        child.kill()
