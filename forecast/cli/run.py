"""``forecast run``: sample each question and print its report."""

from __future__ import annotations

import dataclasses
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
    stale_warnings,
)
from forecast.cli.options import (
    Chains,
    Draws,
    Extremize,
    InferenceMethod,
    Jobs,
    Ledger,
    OutputFormat,
    Pool,
    Priors,
    Seed,
    StaleAfter,
    Strict,
    Tune,
    Weights,
)
from forecast.cli.options import PoolChoice as PoolChoice
from forecast.cli.options import WeightsChoice as WeightsChoice
from forecast.cli.options import with_pool as with_pool
from forecast.cli.options import with_weights as with_weights
from forecast.methods import Method
from forecast.render.safe import printable


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
    out: dict[str, Any] = {"recorded": True, "ledger": where, "id": rid, "error": None}
    from forecast import kinds

    more = getattr(kinds.of(q.spec), "also_records", None)  # a network's question nodes
    if more is not None:
        out["also"] = []
        for extra in more(forecast):
            try:
                xid = record_at(ledger, extra, q, analyst=analyst)
            except ForecastError as exc:
                report_error(exc)
                out["also"].append({"question": extra.question_id, "id": None})
                continue
            err().print(
                f"recorded {extra.question_id} as #{xid} (network)", markup=False, highlight=False
            )
            out["also"].append({"question": extra.question_id, "id": xid})
    return out


def _where_to_record(record: bool, scenario: str | None, ledger: str | None) -> str | None:
    """The ledger ``--record`` writes to, checked before anything is sampled (None
    without ``--record``)."""
    if not record:
        return None
    from forecast.errors import UsageError
    from forecast.ledger import check_writable

    if scenario is not None:
        raise UsageError(
            "--record keeps the base forecast, which is what gets scored; "
            "run without --scenario to record"
        )
    return str(check_writable(ledger))


@dataclasses.dataclass
class _Output:
    """How ``run`` prints each forecast: JSON, markdown, a line each (``-q`` over several
    files), or the rich report."""

    format_: Format
    quiet: bool
    lines: bool

    def failed(self, what: str, why: str) -> None:
        """A question that did not come to a forecast, in the one-line-each form."""
        if self.lines:
            typer.echo(printable(f"{what}\tfailed: {why}"))

    def show(self, qid: str, forecast: Any, recorded: dict[str, Any] | None) -> None:
        """Print one forecast (with what ``--record`` did, in JSON)."""
        if self.format_ is Format.json:
            print_json(forecast.to_dict() | ({"record": recorded} if recorded else {}))
        elif self.format_ is Format.markdown:
            from forecast.render.markdown import render

            typer.echo(render(forecast))
        elif self.lines:
            from forecast.render import fmt

            under = fmt.scenario(forecast.extra)
            tail = f"\tscenario {under}" if under else ""
            line = f"{qid}\t{fmt.pct(forecast.probability)}{tail}"
            typer.echo(printable(line))
        else:
            from forecast.render.report import Report

            out().print(Report(forecast, quiet=self.quiet))


def _print_timings(timer: Any, in_workers: bool) -> None:
    """Where the time went, a line per phase, on stderr."""
    errc = err()
    if in_workers:
        errc.print(
            "(sampled in worker processes: the fitting, building, sampling and summarising "
            "phases happened there and are not in these timings)",
            highlight=False,
        )
    total = sum(timer.phases.values())
    for name, secs in timer.phases.items():
        errc.print(f"{name:>20}  {secs:6.2f} s  {100 * secs / total:5.1f}%", highlight=False)


def _with_warnings(forecast: Any, stale: list[Any]) -> Any:
    """The forecast carrying the stale-date warnings of its file."""
    if not stale:
        return forecast
    return dataclasses.replace(forecast, warnings=tuple(w.to_dict() for w in stale))


def _network_query(scenario: str | None, given: list[str], do: list[str]) -> str:
    """--given and --do as the scenario a network reads (``given:a=yes;do:b=no``)."""
    from forecast.errors import UsageError
    from forecast.kinds.network.kind import scenario_of

    if scenario is not None:
        raise UsageError("--scenario names a file's scenario; --given and --do are for networks")
    pairs: dict[str, dict[str, str]] = {"given": {}, "do": {}}
    for how, items in (("given", given), ("do", do)):
        for item in items:
            node, eq, state = item.partition("=")
            if not eq or not node or not state:
                raise UsageError(f"--{how} {item!r}: write NODE=STATE, for example a=yes")
            pairs[how][node] = state
    out = scenario_of(pairs["given"], pairs["do"])
    assert out is not None
    return out


def run(
    priors: Priors,
    format_: OutputFormat = Format.rich,
    seed: Seed = None,
    draws: Draws = 1000,
    tune: Tune = 1000,
    chains: Chains = 4,
    strict: Strict = False,
    quiet: bool = typer.Option(
        False,
        "--quiet",
        "-q",
        help="Print just the probability (with several questions: id, a tab, the probability).",
    ),
    timings: bool = typer.Option(False, "--timings", help="Print where the time went (to stderr)."),
    pool: Pool = None,
    extremize: Extremize = None,
    weights: Weights = None,
    scenario: str | None = typer.Option(
        None,
        "--scenario",
        metavar="NAME",
        help="Forecast under a scenario named in the file (its driver levels).",
    ),
    given: list[str] = typer.Option(
        [],
        "--given",
        metavar="NODE=STATE",
        help="A network: forecast as if NODE were observed in STATE (conditioning; repeat).",
    ),
    do: list[str] = typer.Option(
        [],
        "--do",
        metavar="NODE=STATE",
        help="A network: set NODE to STATE, cutting its causes (an intervention; repeat).",
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
    jobs: Jobs = 1,
    ledger: Ledger = None,
    stale_after: StaleAfter = None,
    method: InferenceMethod = Method.auto,
) -> None:
    """Sample each question's model and print the forecast with its uncertainty.

    Data goes to stdout (with --format json, one object per question per line);
    progress and warnings go to stderr, among them dates the calendar has overtaken
    (a scheduled opportunity after as_of, a passed deadline, old facts).

    Example: forecast run priors/turkiye-joins-consultative-meeting.yaml --seed 1

    Example: forecast run priors/turkiye-joins-consultative-meeting.yaml --scenario guest-in-2026

    Example: forecast run priors/turkiye-central-asia-network.yaml --do turkiye-guest-invitation=yes
    """
    from forecast import engine
    from forecast.inference import SamplerSettings, Timer

    timer = Timer()
    if given or do:
        scenario = _network_query(scenario, given, do)
    loaded, bad = load_some(priors)
    loaded = with_weights(with_pool(loaded, pool, extremize), ledger, weights)
    timer.lap("load and validate")
    # -q over several files: one line a question, the id first, failures included
    show = _Output(format_, quiet, quiet and format_ is Format.rich and len(loaded) + len(bad) > 1)
    for exc in bad:
        report_error(exc)
    for exc in bad:
        show.failed(_stem(exc), "invalid priors file")
    stale = stale_warnings(loaded, stale_after)
    for q in loaded:  # an unknown scenario fails before any sampling
        engine.check_scenario(q, scenario)
    where = _where_to_record(record, scenario, ledger)
    outcome = SampleOutcome(failed=bool(bad))
    base = SamplerSettings(draws=draws, tune=tune, chains=chains, method=str(method))

    def failed(q: Any) -> None:
        show.failed(q.id, "sampling")

    each = sample_each(
        loaded, base, seed, outcome, timer=timer, scenario=scenario, jobs=jobs, on_failure=failed
    )
    for q, forecast in each:
        forecast = _with_warnings(forecast, stale[q.id])
        recorded = _record(ledger, forecast, q, analyst, where) if where is not None else None
        outcome.failed |= recorded is not None and not recorded["recorded"]
        show.show(q.id, forecast, recorded)
        timer.lap("report")
    if timings:
        _print_timings(timer, jobs > 1 and len(loaded) > 1)
    outcome.exit(strict)


def _stem(exc: Any) -> str:
    """The question id of a file that failed to load (its name without the suffix)."""
    problems = getattr(exc, "problems", None) or []
    return Path(problems[0].path).stem if problems else "?"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("run")(handle_errors(run))
