"""What checking the ledger before each write costs on a 100,000-record ledger.

A ledger opened for writing runs ``PRAGMA quick_check`` first (a damaged ledger is
refused before anything is written). This script fills a ledger with 100,000
forecasts of 200 questions, then times, in the same run:

* baseline: opening the ledger for writing and recording one forecast, with the check
  switched off;
* the same with the check (what ``run --record`` does per question);
* ``PRAGMA quick_check`` alone, and ``PRAGMA integrity_check`` (``forecast ledger check``).

It prints medians and their ratios to the baseline.

    .venv/bin/python benchmarks/ledger_check.py [--records 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from forecast.ledger import health, open_ledger
from forecast.ledger.records import Contribution, ExpertEntry, ForecastRecord

PRIORS = "format: 1\nkind: event\n# a priors file of a few kilobytes\n" + "x" * 3000


def _record(i: int) -> ForecastRecord:
    text = PRIORS + str(i % 200)
    p = 0.05 + 0.9 * ((i * 7919) % 1000) / 1000
    return ForecastRecord(
        question_id=f"q{i % 200}",
        recorded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
        probability=p,
        intervals={"80": (p * 0.8, min(1.0, p * 1.2)), "95": (p * 0.6, min(1.0, p * 1.4))},
        kind="event",
        pool="linear",
        seed=i,
        version="0.1.0",
        priors_sha256=hashlib.sha256(text.encode()).hexdigest(),
        priors_text=text,
        title=f"Question {i % 200}",
        tags=("bench",),
        prior_probability=p,
        contributions=(Contribution("experts (pooled prior)", "experts", p, p),),
        experts=(ExpertEntry("Ana", 1.0, p), ExpertEntry("Bo", 1.0, p)),
    )


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.sqlite"
        t = time.perf_counter()
        with open_ledger(path) as book:
            book.merge([_record(i) for i in range(args.records)], [])
        size = path.stat().st_size + sum(
            p.stat().st_size for p in Path(tmp).glob("ledger.sqlite-*")
        )
        print(
            f"filled {args.records:,} records ({size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - t:.1f} s"
        )
        n = [args.records]

        def record_one() -> None:
            with open_ledger(path) as book:
                book.record(dataclasses.replace(_record(n[0]), id=None))
            n[0] += 1

        real = health.quick_check
        health.quick_check = lambda conn, location: None  # type: ignore[assignment]
        try:
            record_one()  # warm the page cache the same way for both
            base = _median(record_one, args.repeat)
        finally:
            health.quick_check = real
        checked = _median(record_one, args.repeat)
        conn = sqlite3.connect(path)
        quick = _median(lambda: conn.execute("PRAGMA quick_check").fetchall(), args.repeat)
        full = _median(lambda: conn.execute("PRAGMA integrity_check").fetchall(), args.repeat)
        conn.close()
    print(f"{'':34}{'median':>10}{'ratio':>8}")
    for name, secs in (
        ("open + record (no check) [base]", base),
        ("open + quick_check + record", checked),
        ("PRAGMA quick_check alone", quick),
        ("PRAGMA integrity_check alone", full),
    ):
        print(f"{name:34}{secs * 1e3:8.1f} ms{secs / base:8.2f}")


if __name__ == "__main__":
    main()
