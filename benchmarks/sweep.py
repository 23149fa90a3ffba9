"""Scenario sweeps against one run and against naive loops, as ratios from one session.

1. 1,000 driver scenarios (a 10 x 10 x 10 grid of levels) on a drivers question:
   `forecast sweep` against a naive loop (one full forecast per scenario, timed on a
   sample of NAIVE and extrapolated; target >= 100x) and against one `forecast run`
   (target <= 1.1x). Both commands are timed as fresh processes, after an untimed
   warm-up, in --repeat pairs of alternating order (medians).
2. 100 evidence/data scenarios on the event question (4 base-rate weights x 25
   likelihood ratios), against a naive loop that writes each scenario into its own copy
   of the file (the weight, and the likelihood ratio as a known number) and forecasts
   it; the loop is timed on a sample of NAIVE scenarios spread over the grid and
   extrapolated. Three comparisons, all printed:
   (a) the headline, like with like at the terminal: a fresh `forecast sweep` process
       against a loop of fresh `forecast run` processes (--repeat pairs in alternating
       order, medians; each side warmed once, untimed; each sample file's P is checked
       against its sweep row);
   (b) like with like in one warm process: the same sweep and the same forecasts in
       this process, start-up left out of both sides;
   (c) the old figure, a fresh sweep process against the warm in-process loop: it
       measures one process's start-up (a fresh process would have to finish in 1/40
       of 100 warm forecasts), not what a sweep saves.
   The target, >= 40x the naive loop, applies to (a) and (b). Also a sweep of one
   scenario, whose time is the sweep's start-up, and one data refit with
   --method nuts on the compiled model.
   Each fresh process of (a) is timed by its wall time and by its CPU time (user +
   system, from the kernel's accounting of the child): on a shared machine the wall
   time includes the time the process waited for a core, which follows the load of
   the moment, not the command (the sweep of (a) takes the same CPU time here as from
   a shell; a wall time taken from the shell at a quieter moment is not comparable to
   one taken here). Both are printed, with the load before and after (a).
3. 10,000 evidence scenarios: peak RSS of the `forecast sweep` process (target <= 1 GB),
   rows streamed to a file.
4. REFITS base-rate refits (small draws) on a Dask LocalCluster with 2 workers against
   1 worker (target >= 1.6x; the machine's cores are shared, so this is what it measures).

Run: .venv/bin/python benchmarks/sweep.py [--refits 200] [--repeat 5] [--only PART]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import BIN, ROOT, wall, wall_and_cpu

EVENT = ROOT / "benchmarks" / "data" / "event-question.yaml"
DRIVERS = ROOT / "priors" / "us-kazakhstan-critical-minerals.yaml"
NAIVE = 5
SEED = 3


def _levels(n: int) -> str:
    return ",".join(f"{i / (n - 1):.3f}" for i in range(n))


def _naive_seconds(path: Path, n: int, scenario_yaml: list[str]) -> float:
    """Mean seconds of one full forecast (load, fit, forecast, summarise) per scenario, in
    this process: a first, untimed forecast loads what the forecasts import, which a loop
    of forecasts would pay once."""
    sys.path.insert(0, str(ROOT))
    from forecast import engine
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question

    text = path.read_text("utf-8")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        engine.run(load_question(path), SamplerSettings(seed=SEED))
        for i in range(n):
            # A scenario written into the file, as a user without sweeps would do.
            copy = Path(tmp) / f"s{i}.yaml"
            copy.write_text(text + scenario_yaml[i % len(scenario_yaml)], encoding="utf-8")
            start = time.perf_counter()
            engine.run(load_question(copy), SamplerSettings(seed=SEED + i))
            times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def _warm_sweep_seconds(path: Path, grid: list[str], tmp: Path, repeat: int) -> float:
    """Median seconds of the sweep of ``grid`` on ``path`` in this process, after an
    untimed first sweep: what the sweep costs beyond start-up, to set beside the naive
    loop's warm forecasts."""
    import contextlib

    sys.path.insert(0, str(ROOT))
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question
    from forecast.sweep import batch
    from forecast.sweep.executors import InlineExecutor

    planned = batch.scenarios_of(grid[1::2], None)
    times = []
    for i in range(repeat + 1):
        out = tmp / f"warm-{i}.jsonl"
        start = time.perf_counter()
        batch.sweep(
            [load_question(path)],
            planned,
            SamplerSettings(seed=SEED),
            SEED,
            InlineExecutor(),
            out,
            False,
            lambda _total: contextlib.nullcontext(None),
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def _pairs(a: list[str], b: list[str], repeat: int) -> tuple[float, float, float]:
    """Medians of ``a``'s and ``b``'s wall times over ``repeat`` pairs in alternating
    order, and the median of the per-pair ratios a / b."""
    ta: list[float] = []
    tb: list[float] = []
    for i in range(repeat):
        for which in (0, 1) if i % 2 == 0 else (1, 0):
            (ta if which == 0 else tb).append(wall(a if which == 0 else b))
    ratios = [x / y for x, y in zip(ta, tb, strict=True)]
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios)


def bench_drivers(tmp: Path, repeat: int) -> None:
    drivers = [
        line.split("id:")[1].strip()
        for line in DRIVERS.read_text("utf-8").splitlines()
        if line.startswith("  - id:")
    ][:3]
    grid = [a for d in drivers for a in ("--grid", f"driver.{d}={_levels(10)}")]
    run = [str(BIN / "forecast"), "run", str(DRIVERS), "--seed", str(SEED)]
    out = tmp / "drivers.jsonl"
    sweep = [str(BIN / "forecast"), "sweep", str(DRIVERS), *grid, "--seed", str(SEED)]
    sweep += ["--out", str(out)]
    wall(sweep)  # untimed warm-up, as the run's
    rows = len(out.read_text("utf-8").splitlines())
    out.unlink()
    sweep_s, run_s, ratio = _pairs([*sweep[:-1], "-"], run, repeat)
    # A naive loop writes each scenario's levels into the file and runs it.
    extra = [f"\n# scenario {i}\n" for i in range(NAIVE)]
    naive = _naive_seconds(DRIVERS, NAIVE, extra) * rows
    print(f"1. {rows} driver scenarios: sweep {sweep_s:.2f} s, one run {run_s:.2f} s")
    print(f"   ({repeat} alternating pairs, medians)")
    print(f"   naive loop (extrapolated from {NAIVE}) {naive:.0f} s")
    print(f"   speed-up over naive: {naive / sweep_s:.0f}x (target >= 100x)")
    print(f"   sweep / one run: {ratio:.2f}x (target <= 1.1x)")


NO_GUEST = "no-guest-invitation-2026"


def _scenario_file(text: str, settings: dict[str, float], path: Path) -> Path:
    """The event question with one scenario written into it, as an analyst without sweeps
    would edit it: the base rate's weight, and the evidence's likelihood ratio as a
    known number."""
    weight = "\n  weight: 0.5\n"
    lr = "    likelihood_ratio: {median: 0.7, interval: [0.4, 1.1], mass: 0.8}\n"
    head, sep, tail = text.partition(f"  - id: {NO_GUEST}\n")
    assert weight in head and lr in tail, "the event question changed: update the benchmark"
    head = head.replace(weight, f"\n  weight: {settings['base_rate.weight']}\n", 1)
    known = settings[f"evidence.{NO_GUEST}.lr"]
    tail = tail.replace(lr, f"    likelihood_ratio: {known}\n", 1)
    path.write_text(head + sep + tail, encoding="utf-8")
    return path


def _timed(cmd: list[str]) -> tuple[float, str]:
    """Wall seconds of one run of ``cmd``, and its stdout."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    secs = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return secs, proc.stdout


def _load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _both(times: list[tuple[float, float]]) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``times`` ((wall, cpu) pairs)."""
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def _warm_runs_seconds(files: list[Path]) -> float:
    """Mean seconds of one full forecast (load, fit, forecast, summarise) of each of
    ``files``, in this process, after an untimed first forecast (a loop of forecasts
    pays its imports once)."""
    sys.path.insert(0, str(ROOT))
    from forecast import engine
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question

    engine.run(load_question(EVENT), SamplerSettings(seed=SEED))
    times = []
    for path in files:
        start = time.perf_counter()
        engine.run(load_question(path), SamplerSettings(seed=SEED))
        times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def bench_event(tmp: Path, repeat: int) -> None:
    import json

    lrs = ",".join(f"{0.3 + 0.05 * i:.2f}" for i in range(25))
    grid = [
        "--grid",
        "base_rate.weight=0.25,0.5,0.75,1",
        "--grid",
        f"evidence.{NO_GUEST}.lr={lrs}",
    ]
    out = tmp / "event.jsonl"
    forecast = str(BIN / "forecast")
    cmd = [forecast, "sweep", str(EVENT), "--seed", str(SEED)]
    wall([*cmd, *grid, "--out", str(out)])  # untimed warm-up
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    n = len(rows)
    # The naive loop's sample: NAIVE scenarios spread over the grid, each in its own file.
    sample = rows[:: max(n // NAIVE, 1)][:NAIVE]
    text = EVENT.read_text("utf-8")
    files = [
        _scenario_file(text, r["settings"], tmp / f"scenario-{i}.yaml")
        for i, r in enumerate(sample)
    ]
    runs = [[forecast, "run", str(f), "--seed", str(SEED), "--format", "json"] for f in files]
    worst = 0.0  # untimed warm-up of each file, and a check that it holds its scenario
    for row, run in zip(sample, runs, strict=True):
        p = json.loads(_timed(run)[1].splitlines()[0])["probability"]
        worst = max(worst, abs(p - row["probability"]))
    # (a) fresh processes: a sweep, and a loop of `forecast run`, one file a scenario,
    # the loop timed on the sample and extrapolated to n; with them a sweep of one
    # scenario (its start-up), each repeat in another order.
    one = [*cmd, "--grid", "base_rate.weight=0.5", "--out", "-"]
    wall(one)  # untimed warm-up
    sweep_t: list[tuple[float, float]] = []
    loop_t: list[tuple[float, float]] = []
    one_t: list[tuple[float, float]] = []
    load_before = _load()
    for i in range(repeat):
        order = [0, 1, 2][i % 3 :] + [0, 1, 2][: i % 3]
        for which in order if i % 2 == 0 else order[::-1]:
            if which == 0:
                sweep_t.append(wall_and_cpu([*cmd, *grid, "--out", "-"]))
            elif which == 1:
                each = [wall_and_cpu(run) for run in runs]
                wall_each = statistics.mean(w for w, _ in each)
                loop_t.append((wall_each * n, statistics.mean(c for _, c in each) * n))
            else:
                one_t.append(wall_and_cpu(one))
    load_after = _load()
    (sweep_s, sweep_cpu), (loop_s, loop_cpu) = _both(sweep_t), _both(loop_t)
    one_s, one_cpu = _both(one_t)
    fresh = statistics.median(a[0] / b[0] for a, b in zip(loop_t, sweep_t, strict=True))
    fresh_cpu = statistics.median(a[1] / b[1] for a, b in zip(loop_t, sweep_t, strict=True))
    # (b) one warm process: the same loop in process, and the same sweep.
    naive_one = _warm_runs_seconds(files)
    warm = _warm_sweep_seconds(EVENT, grid, tmp, repeat)
    print(f"2. {n} evidence/data scenarios (base-rate weight x likelihood ratio)")
    print(
        f"   (a) fresh processes: sweep {sweep_s:.2f} s; a loop of `forecast run`, "
        f"one file a scenario, {loop_s:.1f} s"
    )
    print(
        f"       ({loop_s / n:.2f} s a run, mean of {len(runs)} scenarios, x {n}; "
        f"{repeat} alternating pairs, medians)"
    )
    print(f"       speed-up {fresh:.0f}x (target >= 40x)")
    print(
        f"       CPU time: sweep {sweep_cpu:.2f} s, loop {loop_cpu:.1f} s, speed-up "
        f"{fresh_cpu:.0f}x; a sweep of one scenario {one_cpu:.2f} s "
        f"(load {load_before} before, {load_after} after)"
    )
    print(f"       the sample's runs give their sweep rows' P to {worst:.1e}")
    print(
        f"   (b) one warm process: sweep {warm:.3f} s; {n} forecasts {naive_one * n:.1f} s "
        f"({naive_one:.3f} s each, mean of {len(files)})"
    )
    print(f"       speed-up {naive_one * n / warm:.0f}x (target >= 40x)")
    print(
        f"   (c) a fresh sweep process {sweep_s:.2f} s against the warm loop "
        f"{naive_one * n:.1f} s: {naive_one * n / sweep_s:.1f}x"
    )
    print("       (this measures one process's start-up, not what the sweep saves)")
    per = (sweep_s - one_s) / (n - 1)
    if per > 0:
        more = f"each further scenario {1000 * per:.2f} ms"
        more += f" ({naive_one / per:.0f}x less than a forecast)"
    else:
        more = "the further scenarios' cost is lost in the noise of the start-up"
    print(
        f"   a sweep of one scenario {one_s:.2f} s (start-up: imports, fit cache, output); {more}"
    )
    sys.path.insert(0, str(ROOT))
    import dataclasses

    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question
    from forecast.sweep import strategies as st

    q = load_question(EVENT)
    inputs = st.prepare(q)
    job = st.Job("event", inputs, (), SamplerSettings(seed=SEED, method="nuts"), "bench")
    st.sample_job(job)  # compiles
    start = time.perf_counter()
    for w in (0.3, 0.7):
        st.sample_job(dataclasses.replace(job, data=(("base_rate.weight", w),)))
    swapped = (time.perf_counter() - start) / 2
    print(
        f"   with --method nuts, one data scenario: swap data and resample {swapped:.1f} s "
        "on the compiled model"
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
    parser.add_argument("--repeat", type=int, default=5, help="timed pairs (default 5)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="forecast-sweep-bench-"))
    os.environ.setdefault("FORECAST_CACHE_DIR", str(tmp / "cache"))
    print("load before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    try:
        # Warm PyTensor's compile cache and the fit cache, untimed.
        wall([str(BIN / "forecast"), "run", str(EVENT), "--draws", "100", "--tune", "100"])
        wall([str(BIN / "forecast"), "run", str(DRIVERS), "--draws", "100", "--tune", "100"])
        if args.only in (None, "drivers"):
            bench_drivers(tmp, args.repeat)
        if args.only in (None, "event"):
            bench_event(tmp, args.repeat)
        if args.only in (None, "memory"):
            bench_memory(tmp)
        if args.only in (None, "dask"):
            bench_dask(args.refits)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("load after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
