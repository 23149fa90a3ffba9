"""``forecast run``: sample each question and print its report."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from forecast.cli._common import (
    Format,
    SampleOutcome,
    err,
    handle_errors,
    load_some,
    out,
    print_json,
    report_error,
    sample_each,
    stale_option,
    stale_warnings,
)
from forecast.render.safe import printable


class PoolChoice(StrEnum):
    """Pool methods ``--pool`` accepts."""

    linear = "linear"
    logarithmic = "logarithmic"
    hierarchical = "hierarchical"


class WeightsChoice(StrEnum):
    """Expert weights ``--weights`` accepts."""

    given = "given"
    performance = "performance"


def with_weights(
    loaded: list[Any], ledger: str | None, choice: WeightsChoice | None = None
) -> list[Any]:
    """Questions with performance weights where their file or ``--weights`` asks for them.

    ``--weights given`` keeps the weights as written even where the file asks for
    performance weights.
    """
    if choice is WeightsChoice.given:
        return loaded
    from forecast.questions.event import asks_performance_weights

    if choice is None and not any(asks_performance_weights(q.spec) for q in loaded):
        return loaded  # nothing to earn: the ledger is not even imported
    from forecast.ledger.weights import apply

    weighted, warnings = apply(loaded, ledger, force=choice is WeightsChoice.performance)
    for w in warnings:
        err().print(f"warning: {w}", markup=False, highlight=False, style="yellow")
    return weighted


def with_pool(loaded: list[Any], method: PoolChoice | None, d: float | None) -> list[Any]:
    """Questions with the pool of the command line in place of their file's."""
    if method is None and d is None:
        return loaded
    from forecast.questions.event import EventQuestion, Pool

    out: list[Any] = []
    others = [q.id for q in loaded if not isinstance(q.spec, EventQuestion)]
    if others:
        err().print(
            f"warning: --pool and --extremize apply to event questions; {', '.join(others)} "
            "pool their experts linearly",
            style="yellow",
            highlight=False,
        )
    for q in loaded:
        if isinstance(q.spec, EventQuestion):
            pool = Pool.model_validate(
                {
                    "method": str(method) if method is not None else q.spec.pool.method,
                    "extremize": d if d is not None else q.spec.pool.extremize,
                    "weights": q.spec.pool.weights,
                    "seeds": q.spec.pool.seeds,
                    "alpha": q.spec.pool.alpha,
                }
            )
            q = dataclasses.replace(q, spec=q.spec.model_copy(update={"pool": pool}))
        out.append(q)
    return out


def _record(
    ledger: str | None, forecast: Any, q: Any, analyst: str | None, where: str
) -> dict[str, Any]:
    """Record one forecast; a failure is said on stderr and the forecast is still shown.

    Returns what ``--format json`` says about it: ``recorded`` and the ledger's ``id``,
    or ``recorded: false`` and the ``error``.
    """
    from forecast.errors import ForecastError
    from forecast.ledger import record_at

    try:
        rid = record_at(ledger, forecast, q, analyst=analyst)
    except ForecastError as exc:
        report_error(exc)
        err().print(
            f"NOT RECORDED: {q.id} (the forecast below was computed but is not in {where})",
            markup=False,
            highlight=False,
            style="bold red",
            soft_wrap=True,
        )
        return {"recorded": False, "ledger": where, "id": None, "error": exc.message}
    err().print(f"recorded {q.id} as #{rid} in {where}", markup=False, highlight=False)
    return {"recorded": True, "ledger": where, "id": rid, "error": None}


def run(
    priors: list[Path] = typer.Argument(
        ..., metavar="PRIORS", help="Priors files or directories of them."
    ),
    format_: Format = typer.Option(Format.rich, "--format", "-f", help="Output format."),
    seed: int | None = typer.Option(
        None, "--seed", min=0, help="Random seed (default: derived from the file, so runs repeat)."
    ),
    draws: int = typer.Option(1000, "--draws", min=100, help="Draws per chain after tuning."),
    tune: int = typer.Option(1000, "--tune", min=100, help="Tuning steps per chain."),
    chains: int = typer.Option(4, "--chains", min=1, max=64, help="Number of chains."),
    strict: bool = typer.Option(
        False, "--strict", help="Exit 3 when sampling diagnostics are not all good."
    ),
    quiet: bool = typer.Option(
        False,
        "--quiet",
        "-q",
        help="Print just the probability (with several questions: id, a tab, the probability).",
    ),
    timings: bool = typer.Option(False, "--timings", help="Print where the time went (to stderr)."),
    pool: PoolChoice | None = typer.Option(
        None, "--pool", help="Pool the experts this way instead of as the file says."
    ),
    extremize: float | None = typer.Option(
        None,
        "--extremize",
        min=0.01,
        max=5.0,
        help="Extremize the pool in log-odds, p* = sigmoid(d · logit p) (1 = off).",
    ),
    weights: WeightsChoice | None = typer.Option(
        None,
        "--weights",
        help="Expert weights: as given in the file, or performance weights earned on the "
        "ledger's resolved questions (default: as the file's pool says).",
    ),
    scenario: str | None = typer.Option(
        None,
        "--scenario",
        metavar="NAME",
        help="Forecast under a scenario named in the file (its driver levels).",
    ),
    record: bool = typer.Option(
        False, "--record", help="Record each forecast in the ledger (see forecast history)."
    ),
    analyst: str | None = typer.Option(
        None,
        "--analyst",
        envvar="FORECAST_ANALYST",
        show_envvar=False,
        help="Who is recording, for --record (default: $FORECAST_ANALYST, else your user name).",
    ),
    jobs: int = typer.Option(
        1,
        "--jobs",
        "-j",
        min=1,
        max=64,
        help="Sample up to this many questions at once, in worker processes (same numbers).",
    ),
    ledger: str | None = typer.Option(
        None,
        "--ledger",
        envvar="FORECAST_LEDGER",
        help="The ledger (a file or a postgresql:// URL) for --record and performance weights.",
    ),
    stale_after: int | None = stale_option(),
) -> None:
    """Sample each question's model and print the forecast with its uncertainty.

    Data goes to stdout (with --format json, one object per question per line);
    progress and warnings go to stderr, among them dates the calendar has overtaken
    (a scheduled opportunity after as_of, a passed deadline, old facts).

    Example: forecast run priors/turkiye-joins-consultative-meeting.yaml --seed 1

    Example: forecast run priors/turkiye-joins-consultative-meeting.yaml --scenario guest-in-2026
    """
    from forecast.inference import SamplerSettings, Timer

    timer = Timer()
    loaded, bad = load_some(priors)
    loaded = with_weights(with_pool(loaded, pool, extremize), ledger, weights)
    timer.lap("load and validate")
    for exc in bad:
        report_error(exc)
    # -q over several files: one line a question, the id first, failures included
    lines = quiet and format_ is Format.rich and len(loaded) + len(bad) > 1
    if lines:
        for exc in bad:
            typer.echo(printable(f"{_stem(exc)}\tfailed: invalid priors file"))
    stale = stale_warnings(loaded, stale_after)
    from forecast import engine

    for q in loaded:  # an unknown scenario fails before any sampling
        engine.check_scenario(q, scenario)
    if record:
        from forecast.errors import UsageError
        from forecast.ledger import check_writable

        if scenario is not None:
            raise UsageError(
                "--record keeps the base forecast, which is what gets scored; "
                "run without --scenario to record"
            )
        where = check_writable(ledger)  # fail before sampling, not after
    base = SamplerSettings(draws=draws, tune=tune, chains=chains)
    outcome = SampleOutcome(failed=bool(bad))
    console, errc = out(), err()

    def failed(q: Any) -> None:
        if lines:
            typer.echo(printable(f"{q.id}\tfailed: sampling"))

    each = sample_each(
        loaded, base, seed, outcome, timer=timer, scenario=scenario, jobs=jobs, on_failure=failed
    )
    for q, forecast in each:
        if stale[q.id]:
            warned = tuple(w.to_dict() for w in stale[q.id])
            forecast = dataclasses.replace(forecast, warnings=warned)
        recorded: dict[str, Any] | None = None
        if record:
            recorded = _record(ledger, forecast, q, analyst, where)
            outcome.failed |= not recorded["recorded"]
        if format_ is Format.json:
            print_json(forecast.to_dict() | ({"record": recorded} if recorded else {}))
        elif format_ is Format.markdown:
            from forecast.render.markdown import render

            typer.echo(render(forecast))
        elif lines:
            from forecast.render import fmt

            under = fmt.scenario(forecast.extra)
            tail = f"\tscenario {under}" if under else ""
            typer.echo(printable(f"{q.id}\t{fmt.pct(forecast.probability)}{tail}"))  # a line each
        else:
            from forecast.render.report import Report

            console.print(Report(forecast, quiet=quiet))
        timer.lap("report")
    if timings:
        if jobs > 1 and len(loaded) > 1:
            errc.print(
                "(sampled in worker processes: the fitting, building, sampling and summarising "
                "phases happened there and are not in these timings)",
                highlight=False,
            )
        total = sum(timer.phases.values())
        for name, secs in timer.phases.items():
            errc.print(f"{name:>20}  {secs:6.2f} s  {100 * secs / total:5.1f}%", highlight=False)
    outcome.exit(strict)


def _stem(exc: Any) -> str:
    """The question id of a file that failed to load (its name without the suffix)."""
    problems = getattr(exc, "problems", None) or []
    return Path(problems[0].path).stem if problems else "?"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("run")(handle_errors(run))
