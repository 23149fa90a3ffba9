"""Scenario sweeps against one run and against naive loops, as ratios from one session.

1. 1,000 driver scenarios (a 10 x 10 x 10 grid of levels) on a drivers question:
   `forecast sweep` against a naive loop (one full forecast per scenario, timed on a
   sample of NAIVE and extrapolated; target >= 100x) and against one `forecast run`
   (target <= 1.1x). Both commands are timed as fresh processes.
2. 100 evidence/data scenarios on the event question (4 base-rate weights x 25
   likelihood ratios): `forecast sweep` against naive rebuild-and-sample per scenario
   (target >= 40x). Also one data refit on the compiled model against one rebuild.
3. 10,000 evidence scenarios: peak RSS of the `forecast sweep` process (target <= 1 GB),
   rows streamed to a file.
4. REFITS base-rate refits (small draws) on a Dask LocalCluster with 2 workers against
   1 worker (target >= 1.6x; the machine's cores are shared, so this is what it measures).

Run: .venv/bin/python benchmarks/sweep.py [--refits 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import BIN, ROOT, wall

EVENT = ROOT / "benchmarks" / "data" / "event-question.yaml"
DRIVERS = ROOT / "priors" / "us-kazakhstan-critical-minerals.yaml"
NAIVE = 5
SEED = 3


def _levels(n: int) -> str:
    return ",".join(f"{i / (n - 1):.3f}" for i in range(n))


def _naive_seconds(path: Path, n: int, scenario_yaml: list[str]) -> float:
    """Mean seconds of one full forecast (fit, build, compile, sample) per scenario."""
    sys.path.insert(0, str(ROOT))
    from forecast import engine
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question

    text = path.read_text("utf-8")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            # A scenario written into the file, as a user without sweeps would do.
            copy = Path(tmp) / f"s{i}.yaml"
            copy.write_text(text + scenario_yaml[i % len(scenario_yaml)], encoding="utf-8")
            start = time.perf_counter()
            engine.run(load_question(copy), SamplerSettings(seed=SEED + i))
            times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def bench_drivers(tmp: Path) -> None:
    drivers = [
        line.split("id:")[1].strip()
        for line in DRIVERS.read_text("utf-8").splitlines()
        if line.startswith("  - id:")
    ][:3]
    grid = [a for d in drivers for a in ("--grid", f"driver.{d}={_levels(10)}")]
    run = wall([str(BIN / "forecast"), "run", str(DRIVERS), "--seed", str(SEED)])
    out = tmp / "drivers.csv"
    sweep = wall(
        [
            str(BIN / "forecast"),
            "sweep",
            str(DRIVERS),
            *grid,
            "--seed",
            str(SEED),
            "--out",
            str(out),
        ]
    )
    rows = len(out.read_text("utf-8").splitlines()) - 1
    # A naive loop writes each scenario's levels into the file and runs it.
    extra = [f"\n# scenario {i}\n" for i in range(NAIVE)]
    naive = _naive_seconds(DRIVERS, NAIVE, extra) * rows
    print(f"1. {rows} driver scenarios: sweep {sweep:.1f} s, one run {run:.1f} s")
    print(f"   naive loop (extrapolated from {NAIVE}) {naive:.0f} s")
    print(f"   speed-up over naive: {naive / sweep:.0f}x (target >= 100x)")
    print(f"   sweep / one run: {sweep / run:.2f}x (target <= 1.1x)")


def bench_event(tmp: Path) -> None:
    lrs = ",".join(f"{0.3 + 0.05 * i:.2f}" for i in range(25))
    grid = [
        "--grid",
        "base_rate.weight=0.25,0.5,0.75,1",
        "--grid",
        f"evidence.no-guest-invitation-2026.lr={lrs}",
    ]
    out = tmp / "event.jsonl"
    sweep = wall(
        [str(BIN / "forecast"), "sweep", str(EVENT), *grid, "--seed", str(SEED), "--out", str(out)]
    )
    rows = len(out.read_text("utf-8").splitlines())
    naive = _naive_seconds(EVENT, 3, ["\n"]) * rows
    print(f"2. {rows} evidence/data scenarios: sweep {sweep:.1f} s, naive {naive:.0f} s")
    print(f"   speed-up: {naive / sweep:.0f}x (target >= 40x)")
    sys.path.insert(0, str(ROOT))
    import dataclasses

    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question
    from forecast.sweep import strategies as st

    q = load_question(EVENT)
    inputs = st.prepare(q)
    job = st.Job("event", inputs, (), SamplerSettings(seed=SEED), "bench")
    st.sample_job(job)  # compiles
    start = time.perf_counter()
    for w in (0.3, 0.7):
        st.sample_job(dataclasses.replace(job, data=(("base_rate.weight", w),)))
    swapped = (time.perf_counter() - start) / 2
    naive_one = _naive_seconds(EVENT, 2, ["\n"])
    print(
        f"   one data scenario: swap data and resample {swapped:.1f} s, rebuild and sample "
        f"{naive_one:.1f} s ({naive_one / swapped:.2f}x): sampling, not compiling, is the cost"
    )


def bench_memory(tmp: Path) -> None:
    lrs = ",".join(f"{0.2 + 0.02 * i:.2f}" for i in range(100))
    out = tmp / "big.jsonl"
    cmd = [
        str(BIN / "forecast"),
        "sweep",
        str(EVENT),
        "--grid",
        f"evidence.no-guest-invitation-2026.lr={lrs}",
        "--grid",
        f"evidence.azerbaijan-precedent.lr={lrs}",
        "--seed",
        str(SEED),
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    secs = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB
    rows = len(out.read_text("utf-8").splitlines())
    print(f"3. {rows} scenarios in {secs:.1f} s; peak RSS of the largest child {peak:.0f} MiB")
    print("   (target <= 1024 MiB)")


def bench_dask(refits: int) -> None:
    sys.path.insert(0, str(ROOT))
    from distributed import LocalCluster

    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question
    from forecast.sweep import grid, runner
    from forecast.sweep.executors import DaskExecutor
    from forecast.sweep.output import StdoutSink

    q = load_question(EVENT)
    weights = [f"{0.05 + 0.9 * i / (refits - 1):.4f}" for i in range(refits)]
    scenarios = [grid.Scenario((("base_rate.weight", w),)) for w in weights]
    settings = SamplerSettings(draws=100, tune=100, chains=2, seed=SEED)

    class Null(StdoutSink):
        def write(self, rows: object) -> None:
            pass

    secs = {}
    for n in (1, 2):
        with LocalCluster(
            processes=True,
            n_workers=n,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            pool = DaskExecutor(cluster.scheduler_address)
            # Warm each worker (imports and compiles) before timing.
            warm = runner.plan(q, scenarios[: 2 * n], settings, set())
            runner.run([warm], pool, Null())
            plan = runner.plan(q, scenarios, settings, set())
            start = time.perf_counter()
            runner.run([plan], pool, Null())
            secs[n] = time.perf_counter() - start
            pool.close()
    print(f"4. {refits} refits: 1 worker {secs[1]:.1f} s, 2 workers {secs[2]:.1f} s")
    print(f"   speed-up {secs[1] / secs[2]:.2f}x (target >= 1.6x; {os.cpu_count()} cores, shared)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refits", type=int, default=200)
    parser.add_argument("--only", choices=["drivers", "event", "memory", "dask"])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="forecast-sweep-bench-"))
    os.environ.setdefault("FORECAST_CACHE_DIR", str(tmp / "cache"))
    try:
        # Warm PyTensor's compile cache and the fit cache, untimed.
        wall([str(BIN / "forecast"), "run", str(EVENT), "--draws", "100", "--tune", "100"])
        wall([str(BIN / "forecast"), "run", str(DRIVERS), "--draws", "100", "--tune", "100"])
        if args.only in (None, "drivers"):
            bench_drivers(tmp)
        if args.only in (None, "event"):
            bench_event(tmp)
        if args.only in (None, "memory"):
            bench_memory(tmp)
        if args.only in (None, "dask"):
            bench_dask(args.refits)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
