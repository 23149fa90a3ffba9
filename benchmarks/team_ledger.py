"""The team ledger under load: PostgreSQL against SQLite, measured in the same run.

1. 8 processes record 1,000 forecasts each, every forecast its own committed
   transaction, first into a new SQLite file, then into a new PostgreSQL database on a
   server this script starts (initdb in a temporary folder, 127.0.0.1 only, stopped at
   the end). Target: PostgreSQL's throughput at least 0.5x SQLite's.
2. `forecast score --format json` over 10,000 recorded forecasts (1,000 resolved
   questions, 10 forecasts each, by three analysts), on each back end, as a user runs
   it (a new process). Target: at most 1 s on either; `--by analyst` is timed too.
   Wall and CPU seconds are printed (CPU time is steadier on a shared machine), with
   `forecast --help` measured alongside as the start-up baseline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _util import BIN, ROOT, wall, wall_and_cpu

sys.path.insert(0, str(ROOT))

from forecast.ledger import Resolution, open_ledger
from tests import pgserver
from tests.test_ledger import make, when

PROCESSES = 8
PER_PROCESS = 1_000
QUESTIONS = 1_000
PER_QUESTION = 10
REPEAT = 3


def _writer(url: str, k: int, n: int, start: multiprocessing.synchronize.Event) -> None:
    base = make(question=f"p{k}", analyst=f"analyst-{k}")
    with open_ledger(url) as book:
        start.wait()
        for i in range(n):
            book.record(dataclasses.replace(base, recorded_at=dt.datetime.now(dt.UTC), seed=i))


def throughput(url: str) -> float:
    """Forecasts recorded per second by PROCESSES writers at once (each its own commit)."""
    with open_ledger(url):
        pass  # the schema is made before the clock starts, as for a team's database
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(url, k, PER_PROCESS, start)) for k in range(8)]
    for p in procs:
        p.start()
    time.sleep(1.0)  # every writer connected and waiting
    t = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"a writer failed on {url} (exit {p.exitcode})")
    secs = time.perf_counter() - t
    with open_ledger(url, write=False) as book:
        got = len(book.forecasts())
    if got != PROCESSES * PER_PROCESS:
        sys.exit(f"{url}: {got} forecasts recorded, expected {PROCESSES * PER_PROCESS}")
    return PROCESSES * PER_PROCESS / secs


def fill_for_scoring(url: str) -> None:
    """QUESTIONS resolved questions with PER_QUESTION forecasts each, by three analysts."""
    records, log = [], []
    for q in range(QUESTIONS):
        for j in range(PER_QUESTION):
            r = make(
                question=f"s{q}",
                at=when(1 + j % 12, 1 + q % 28),
                residual=((q * 7 + j * 3) % 50) / 100 - 0.2,
                analyst=("Aigerim", "Bekzat", "Dilnoza")[j % 3],
            )
            records.append(dataclasses.replace(r, recorded_at=r.recorded_at + dt.timedelta(
                microseconds=q)))  # fmt: skip
        log.append(Resolution(f"s{q}", "yes" if q % 3 else "no", dt.date(2026, 12, 31), when(12)))
    with open_ledger(url) as book:
        book.merge(records, log)


def seconds(cmd: list[str]) -> tuple[float, float]:
    """Median wall and CPU seconds of ``cmd`` in a new process (after one warm-up run)."""
    env = {**os.environ, "FORECAST_CACHE_DIR": tempfile.mkdtemp()}
    wall(cmd, env=env)  # warm the page cache and the byte code
    runs = [wall_and_cpu(cmd, env=env) for _ in range(REPEAT)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def score_seconds(url: str, *extra: str) -> tuple[float, float]:
    """Wall and CPU seconds of `forecast score --format json` on the ledger."""
    return seconds([str(BIN / "forecast"), "score", "--format", "json", "--ledger", url, *extra])


def main() -> None:
    """Measure both back ends in this run and print the figures and ratios."""
    work = Path(tempfile.mkdtemp(prefix="forecast-bench-"))
    with pgserver.running() as server:
        server.sql("CREATE DATABASE writers")
        server.sql("CREATE DATABASE scoring")
        sqlite_rate = throughput(str(work / "writers.sqlite"))
        pg_rate = throughput(server.url("writers"))
        ratio = pg_rate / sqlite_rate
        print(f"{PROCESSES} processes x {PER_PROCESS} forecasts, one commit each")
        print(f"  SQLite      {sqlite_rate:8.0f} forecasts/s")
        print(
            f"  PostgreSQL  {pg_rate:8.0f} forecasts/s   ratio {ratio:4.2f}x SQLite   "
            f"target >= 0.5x   {'ok' if ratio >= 0.5 else 'UNDER'}"
        )
        targets = {"SQLite": str(work / "scoring.sqlite"), "PostgreSQL": server.url("scoring")}
        print(f"forecast score over {QUESTIONS * PER_QUESTION} forecasts, {QUESTIONS} resolved")
        help_wall, help_cpu = seconds([str(BIN / "forecast"), "--help"])
        print(f"  forecast --help (start-up)      wall {help_wall:5.2f} s   cpu {help_cpu:5.2f} s")
        for name, url in targets.items():
            fill_for_scoring(url)
            for label, extra in (("score", ()), ("score --by analyst", ("--by", "analyst"))):
                w, c = score_seconds(url, *extra)
                print(
                    f"  {name:<11} {label:<19} wall {w:5.2f} s   cpu {c:5.2f} s   "
                    f"{w / help_wall:4.1f}x start-up   target <= 1 s   "
                    f"{'ok' if w <= 1.0 else 'OVER (wall)' if c <= 1.0 else 'OVER'}"
                )


if __name__ == "__main__":
    main()
