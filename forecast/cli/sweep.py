"""``forecast sweep``: many what-if scenarios for little more than the cost of one run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from forecast.cli._common import STATE, err, handle_errors, load_some, report_error
from forecast.cli.ledger import ledger_option
from forecast.cli.run import WeightsChoice, with_weights
from forecast.errors import UsageError


def sweep(
    priors: list[Path] = typer.Argument(
        ..., metavar="PRIORS", help="Priors files or directories of them."
    ),
    grid: list[str] = typer.Option(
        [],
        "--grid",
        "-g",
        metavar="NAME=V1,V2,...",
        help="Values of one setting; several --grid options sweep their cross product.",
    ),
    scenarios: Path | None = typer.Option(
        None, "--scenarios", help="A YAML or CSV file of named scenarios (instead of --grid)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write rows to this .csv, .jsonl or .parquet file (default, or -: JSON Lines on "
        "stdout).",
    ),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Continue into --out, skipping scenarios it already holds; the file, --seed, "
        "--draws, --tune and --chains must be those its rows were made with.",
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Local processes that sample."),
    executor: str = typer.Option(
        "local", "--executor", help="Where sampling runs: local, or dask (with --scheduler)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786."
    ),
    worker_wait: float = typer.Option(
        60.0,
        "--worker-wait",
        min=1.0,
        metavar="SECONDS",
        help="With --executor dask: stop when the cluster has had no worker this long.",
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        min=0,
        help="Random seed (default: derived from the file, so sweeps repeat).",
    ),
    draws: int = typer.Option(1000, "--draws", min=100, help="Draws per chain after tuning."),
    tune: int = typer.Option(1000, "--tune", min=100, help="Tuning steps per chain."),
    chains: int = typer.Option(4, "--chains", min=1, max=64, help="Number of chains."),
    weights: WeightsChoice | None = typer.Option(
        None, "--weights", help="Expert weights: given, or performance (earned on the ledger)."
    ),
    ledger: str | None = ledger_option(),
) -> None:
    """Forecast every scenario of a grid or a scenarios file, one row per scenario and question.

    Names that can be swept: driver.ID (a level 0..1 or on/off), scenario (a named
    scenario of a drivers file), evidence.ID (on/off), evidence.ID.lr (a likelihood
    ratio), base_rate.weight, base_rate.successes, base_rate.trials, pool,
    pool.extremize, expert.NAME.weight, prior.strength. Each row says how it was
    computed: vectorised (one posterior's draws), resampled (data swapped on a compiled
    model), reweighted (importance sampling, with its Pareto k) or refit.

    Rows come out in grid order (the last --grid varies fastest); with --out, a line on
    stderr says how many were written where.

    Example: forecast sweep priors/turkmenistan-joins-ots.yaml
    --grid evidence.avaza-proposal-2025=on,off --grid base_rate.weight=0.25,0.5,1
    --out sweep.csv
    """
    from forecast import engine
    from forecast.inference import SamplerSettings
    from forecast.sweep import grid as grids
    from forecast.sweep import output, runner
    from forecast.sweep.executors import make_executor
    from forecast.sweep.provenance import Expected

    if bool(grid) == bool(scenarios):
        raise UsageError(
            "give --grid NAME=V1,V2,... (one or more) or --scenarios FILE",
            hint="for example --grid prior.strength=0.5,1,2",
        )
    if executor not in {"local", "dask"}:
        raise UsageError(f"--executor {executor!r}: use local or dask")
    if scenarios is not None:
        listed = grids.read_scenarios(scenarios)
        names = list(dict.fromkeys(n for s in listed for n in s.names))

        def each() -> Any:
            return iter(listed)
    else:
        parsed = grids.parse_grid(grid)
        names = [n for n, _ in parsed]

        def each() -> Any:
            return grids.grid_scenarios(parsed)

    loaded, bad = load_some(priors)
    for exc in bad:
        report_error(exc)
    if bad:
        raise typer.Exit(1)
    loaded = with_weights(loaded, ledger, weights)
    base = SamplerSettings(draws=draws, tune=tune, chains=chains)
    # Reach the cluster before the output file is made: one that cannot be reached
    # leaves no file behind to block the next run.
    pool = make_executor(executor, jobs, scheduler, worker_wait=worker_wait, quiet=not STATE.debug)
    try:
        sink = output.open_sink(out, resume, names, Expected.of(loaded, base, seed))
        started = time.perf_counter()
        try:
            plans = [
                runner.plan(q, each(), engine.settings_for(q, base, seed), sink.done)
                for q in loaded
            ]
            total = sum(p.count for p in plans)
            written = _with_progress(lambda tick: runner.run(plans, pool, sink, tick), total)
        finally:
            sink.close()
    finally:
        pool.close()
    secs = time.perf_counter() - started
    skipped = len(sink.done)
    console = err()
    extra = f" ({skipped} already there)" if skipped else ""
    if out is not None:
        took = f" in {secs:.1f} s" if console.is_terminal else ""
        rows = "row" if written == 1 else "rows"
        said = f"wrote {written} {rows} to {out}{extra}{took}"
        console.print(said, highlight=False, markup=False, soft_wrap=True)
    elif console.is_terminal:
        console.print(f"{written} scenarios in {secs:.1f} s{extra}", highlight=False)


def _with_progress(work: Any, total: int) -> int:
    """Run ``work(tick)`` under a progress bar on stderr when it is a terminal."""
    console = err()
    if not console.is_terminal:
        return int(work(None))
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("[progress.data.speed]{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("sweep", total=total, rate="")

        def tick(n: int) -> None:
            bar.advance(task, n)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.1f} scenarios/s" if speed else "")

        return int(work(tick))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("sweep")(handle_errors(sweep))
