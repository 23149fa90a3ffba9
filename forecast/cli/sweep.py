"""``forecast sweep``: many what-if scenarios for little more than the cost of one run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import STATE, err, handle_errors, load_some, report_error
from forecast.cli.options import (
    Chains,
    Draws,
    Executor,
    InferenceMethod,
    Jobs,
    Ledger,
    Priors,
    Scheduler,
    Seed,
    Tune,
    Weights,
    WorkerWait,
    with_weights,
)
from forecast.methods import Method
from forecast.sweep.places import WORKER_WAIT

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from forecast.render.progress import Tick
    from forecast.sweep.batch import Swept


def sweep(
    priors: Priors,
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
    jobs: Jobs = 1,
    executor: Executor = "local",
    scheduler: Scheduler = None,
    worker_wait: WorkerWait = WORKER_WAIT,
    seed: Seed = None,
    draws: Draws = 1000,
    tune: Tune = 1000,
    chains: Chains = 4,
    weights: Weights = None,
    ledger: Ledger = None,
    method: InferenceMethod = Method.auto,
) -> None:
    """Forecast every scenario of a grid or a scenarios file, one row per scenario and question.

    Names that can be swept: driver.ID (a level 0..1 or on/off), scenario (a named
    scenario of a drivers file), evidence.ID (on/off), evidence.ID.lr (a likelihood
    ratio), base_rate.weight, base_rate.successes, base_rate.trials, pool,
    pool.extremize, expert.NAME.weight, prior.strength. Each row says how it was
    computed: vectorised (one posterior's draws), resampled (data swapped on a compiled
    model), reweighted (importance sampling, with its Pareto k) or refit.

    --method chooses how every scenario's posterior is made, as for forecast run:
    auto (the default) takes the exact or importance posterior where the question's
    kind has one, exact and importance insist on it, nuts samples with NUTS (a model
    compiled once per worker, data swapped in), locally, with --jobs or on Dask.

    Rows come out in grid order (the last --grid varies fastest); with --out, a line on
    stderr says how many were written where.

    Example: forecast sweep priors/turkmenistan-joins-ots.yaml
    --grid evidence.avaza-proposal-2025=on,off --grid base_rate.weight=0.25,0.5,1
    --out sweep.csv
    """
    from forecast.inference import SamplerSettings
    from forecast.sweep import batch
    from forecast.sweep.executors import make_executor

    planned = batch.scenarios_of(grid, scenarios)
    loaded, bad = load_some(priors)
    for exc in bad:
        report_error(exc)
    if bad:
        raise typer.Exit(1)
    loaded = with_weights(loaded, ledger, weights)
    base = SamplerSettings(draws=draws, tune=tune, chains=chains, method=str(method))
    # Reach the cluster before the output file is made: one that cannot be reached
    # leaves no file behind to block the next run.
    pool = make_executor(executor, jobs, scheduler, worker_wait=worker_wait, quiet=not STATE.debug)
    try:
        done = batch.sweep(loaded, planned, base, seed, pool, out, resume, _progress)
    finally:
        pool.close()
    _said(done, out)


def _progress(total: int) -> AbstractContextManager[Tick | None]:
    """The sweep's progress bar on stderr (on a terminal)."""
    from forecast.render.progress import progress_bar

    return progress_bar(err(), "sweep", total, "scenarios")


def _said(done: Swept, out: Path | None) -> None:
    """How many rows went where, on stderr (with the time taken, on a terminal)."""
    console = err()
    extra = f" ({done.skipped} already there)" if done.skipped else ""
    if out is not None and str(out) != "-":  # `--out -` is stdout: no file to name
        took = f" in {done.seconds:.1f} s" if console.is_terminal else ""
        rows = "row" if done.written == 1 else "rows"
        said = f"wrote {done.written} {rows} to {out}{extra}{took}"
        console.print(said, highlight=False, markup=False, soft_wrap=True)
    elif console.is_terminal:
        console.print(f"{done.written} scenarios in {done.seconds:.1f} s{extra}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("sweep")(handle_errors(sweep))
