"""``forecast run``: forecast each question and print its report."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import typer

from forecast.cli._common import (
    Format,
    err,
    handle_errors,
    load_some,
    out,
    print_json,
    report_error,
    stale_warnings,
)
from forecast.cli._sampling import SampleOutcome, sample_each, workers
from forecast.cli.options import (
    Chains,
    Draws,
    Executor,
    Extremize,
    InferenceMethod,
    Jobs,
    Ledger,
    OutputFormat,
    Pool,
    Priors,
    Scheduler,
    Seed,
    StaleAfter,
    Strict,
    Tune,
    Weights,
    WorkerWait,
)
from forecast.cli.options import PoolChoice as PoolChoice
from forecast.cli.options import WeightsChoice as WeightsChoice
from forecast.cli.options import with_pool as with_pool
from forecast.cli.options import with_weights as with_weights
from forecast.methods import Method
from forecast.queries import query_scenario
from forecast.sweep.places import WORKER_WAIT

if TYPE_CHECKING:
    from forecast.errors import InputError
    from forecast.inference import Timer
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast
    from forecast.staleness import StaleWarning


class AlsoRecorded(TypedDict):
    """One more forecast a question's forecast carried (a network's node), as recorded."""

    question: str
    id: int | None


class Recorded(TypedDict, total=False):
    """What ``--record`` did with a forecast: the ``record`` of ``--format json``."""

    recorded: bool
    ledger: str
    id: int | None
    error: str | None
    also: list[AlsoRecorded]


@dataclasses.dataclass
class _Recorder:
    """``--record``: the ledger checked before anything is sampled, then each forecast
    recorded as it comes."""

    ledger: str | None
    analyst: str | None
    where: str | None
    """The ledger's location; None without ``--record``."""

    @classmethod
    def at(
        cls, record: bool, scenario: str | None, ledger: str | None, analyst: str | None
    ) -> _Recorder:
        """The recorder ``--record`` asks for, its ledger checked (none without it)."""
        if not record:
            return cls(ledger, analyst, None)
        from forecast.errors import UsageError
        from forecast.ledger import check_writable

        if scenario is not None:
            raise UsageError(
                "--record keeps the base forecast, which is what gets scored; "
                "run without --scenario to record"
            )
        return cls(ledger, analyst, str(check_writable(ledger)))

    def record(self, q: LoadedQuestion, forecast: Forecast) -> Recorded | None:
        """Record one forecast; a failure is said on stderr and the forecast is still
        shown. Returns what ``--format json`` says about it: ``recorded`` and the
        ledger's ``id``, or ``recorded: false`` and the ``error`` (None without
        ``--record``)."""
        if self.where is None:
            return None
        from forecast.errors import ForecastError
        from forecast.ledger import record_at

        try:
            rid = record_at(self.ledger, forecast, q, analyst=self.analyst)
        except ForecastError as exc:
            report_error(exc)
            err().print(
                f"NOT RECORDED: {q.id} (the forecast below was computed but is not in "
                f"{self.where})",
                markup=False,
                highlight=False,
                style="bold red",
                soft_wrap=True,
            )
            return {"recorded": False, "ledger": self.where, "id": None, "error": exc.message}
        err().print(f"recorded {q.id} as #{rid} in {self.where}", markup=False, highlight=False)
        done: Recorded = {"recorded": True, "ledger": self.where, "id": rid, "error": None}
        from forecast import kinds

        more = getattr(kinds.of(q.spec), "also_records", None)  # a network's question nodes
        if more is not None:
            done["also"] = [self._also(q, extra) for extra in more(forecast)]
        return done

    def _also(self, q: LoadedQuestion, extra: Forecast) -> AlsoRecorded:
        """Record one more forecast a question's forecast carries (a network's node)."""
        from forecast.errors import ForecastError
        from forecast.ledger import record_at

        try:
            xid = record_at(self.ledger, extra, q, analyst=self.analyst)
        except ForecastError as exc:
            report_error(exc)
            return {"question": extra.question_id, "id": None}
        said = f"recorded {extra.question_id} as #{xid} (network)"
        err().print(said, markup=False, highlight=False)
        return {"question": extra.question_id, "id": xid}


class _Output:
    """How ``run`` prints each forecast: JSON, markdown, a line each (``-q`` over several
    files), or the rich report; and, over several questions, the closing summary."""

    def __init__(self, format_: Format, quiet: bool, questions: int) -> None:
        from forecast.portfolio.summary import Summary

        self.format_, self.quiet = format_, quiet
        several = questions > 1
        # -q over several files: one line a question, the id first, failures included
        self.lines = quiet and format_ is Format.rich and several
        self.rows = Summary()
        self.summarised = several and not self.lines and format_ is not Format.markdown

    def invalid(self, bad: list[InputError]) -> None:
        """The files that did not load: each problem on stderr, and in the lines and
        summary."""
        for exc in bad:
            report_error(exc)
        for exc in bad:
            self._failed(_stem(exc), None, "invalid priors file")

    def sampling_failed(self, q: LoadedQuestion, why: str = "") -> None:
        """A question whose sampling failed (reported already, as ``why``)."""
        self._failed(q.id, q.spec.kind, "sampling")

    def _failed(self, qid: str, kind: str | None, why: str) -> None:
        from forecast.render.safe import printable

        if self.summarised:
            self.rows.failed(qid, kind, why)
        if self.lines:
            typer.echo(printable(f"{qid}\tfailed: {why}"))

    def forecast(self, q: LoadedQuestion, forecast: Forecast, recorded: Recorded | None) -> bool:
        """Print one forecast (with what ``--record`` did, in JSON); True when it was
        to be recorded and was not."""
        if self.summarised:
            self.rows.add(forecast)
        if self.format_ is Format.json:
            print_json(forecast.to_dict() | ({"record": recorded} if recorded else {}))
        elif self.format_ is Format.markdown:
            from forecast.render.markdown import render

            typer.echo(render(forecast))
        elif self.lines:
            from forecast.render import fmt
            from forecast.render.safe import printable

            under = fmt.scenario(forecast)
            tail = f"\tscenario {under}" if under else ""
            typer.echo(printable(f"{q.id}\t{fmt.pct(forecast.probability)}{tail}"))
        else:
            from forecast.render.report import Report

            out().print(Report(forecast, quiet=self.quiet))
        return recorded is not None and not recorded["recorded"]

    def summary(self) -> None:
        """The closing summary of several questions: a table, or a last JSON object (none
        in the one-line-each and markdown forms)."""
        if not self.summarised:
            return
        if self.format_ is Format.json:
            print_json(self.rows.to_dict())
            return
        from forecast.render.summary import summary_table

        console = out()
        console.print()
        console.print(summary_table(self.rows))


def _checked(
    loaded: list[LoadedQuestion],
    scenario: str | None,
    stale_after: int | None,
    timer: Timer,
    queries: tuple[list[str], list[str]] = ([], []),
) -> dict[str, list[StaleWarning]]:
    """Each question's stale-date warnings (said on stderr), after refusing ``--given``
    and ``--do`` (``queries``) for a question that is not a network and a scenario a
    question does not define: before anything is sampled. Importing the engine is its
    own phase in ``--timings``."""
    from forecast import engine

    _check_queries(loaded, *queries)
    timer.lap("import engine")

    stale = stale_warnings(loaded, stale_after)
    for q in loaded:
        engine.check_scenario(q, scenario)
    return stale


def _check_queries(loaded: list[LoadedQuestion], given: list[str], do: list[str]) -> None:
    """Refuse ``--given`` and ``--do`` for a question that has no nodes to condition on
    (any kind but a network), naming its kind, before anything is sampled."""
    if not given and not do:
        return
    from forecast import kinds, methods
    from forecast.errors import ForecastError

    used = " and ".join(o for o, asked in (("--given", given), ("--do", do)) if asked)
    for q in loaded:
        if getattr(kinds.of(q.spec), "accepts_scenario", None) is None:
            kind = q.spec.kind
            raise ForecastError(
                f"{q.path}: --given and --do apply to a network question; {q.id} is "
                f"{methods.article(kind)} {kind} question",
                hint=f"run it without {used}, or give a network's priors file (kind: network); "
                "--scenario NAME picks a scenario the file defines",
            )


def _print_timings(timer: Timer, in_workers: bool, *, asked: bool) -> None:
    """Where the time went, a line per phase, on stderr (when ``--timings`` asked)."""
    if not asked:
        return
    errc = err()
    if in_workers:
        errc.print(
            "(sampled in worker processes: the fitting, building, sampling and summarising "
            "phases happened there and are not in these timings)",
            highlight=False,
        )
    rows = timer.breakdown()
    total = rows[-1][1] or 1.0
    width = max(len(name) for name, _ in rows)
    for name, secs in rows:
        errc.print(f"{name:>{width}}  {secs:6.2f} s  {100 * secs / total:5.1f}%", highlight=False)


def _with_warnings(forecast: Forecast, stale: list[StaleWarning]) -> Forecast:
    """The forecast carrying the stale-date warnings of its file."""
    if not stale:
        return forecast
    return dataclasses.replace(forecast, warnings=tuple(w.to_dict() for w in stale))


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
    executor: Executor = "local",
    scheduler: Scheduler = None,
    worker_wait: WorkerWait = WORKER_WAIT,
    ledger: Ledger = None,
    stale_after: StaleAfter = None,
    method: InferenceMethod = Method.auto,
) -> None:
    """Forecast each question and print it with its uncertainty.

    Each is forecast exactly where its model allows, else by sampling (--method).

    Data goes to stdout (with --format json, one object per question per line);
    progress and warnings go to stderr, among them dates the calendar has overtaken
    (a scheduled opportunity after as_of, a passed deadline, old facts).

    With several questions (a directory of them: a portfolio), questions that share a
    model structure are compiled once; --jobs N samples N at a time in local
    processes, --executor dask --scheduler ADDRESS on a Dask cluster. A progress bar
    shows on a terminal for more than 3 questions, and a summary table ends the run
    (with --format json, a last object with "schema": "forecast.run-summary/2").

    Example: forecast run priors/turkiye-joins-consultative-meeting.yaml --seed 1

    Example: forecast run priors/turkiye-joins-consultative-meeting.yaml --scenario guest-in-2026

    Example: forecast run priors/turkiye-central-asia-network.yaml --do turkiye-guest-invitation=yes

    Example: forecast run priors/ --jobs 2
    """
    from forecast.inference import SamplerSettings, Timer

    timer = Timer()
    scenario = query_scenario(scenario, given, do)
    loaded, bad = load_some(priors)
    loaded = with_weights(with_pool(loaded, pool, extremize), ledger, weights)
    timer.lap("load and validate")
    show = _Output(format_, quiet, len(loaded) + len(bad))
    show.invalid(bad)
    stale = _checked(loaded, scenario, stale_after, timer, (given, do))
    recorder = _Recorder.at(record, scenario, ledger, analyst)
    outcome = SampleOutcome(failed=bool(bad))
    base = SamplerSettings(draws=draws, tune=tune, chains=chains, method=str(method))
    with workers(executor, jobs, scheduler, len(loaded), worker_wait) as where:
        each = sample_each(
            loaded, base, seed, outcome, timer=timer, scenario=scenario, pool=where,
            on_failure=show.sampling_failed,
        )  # fmt: skip
        for q, forecast in each:
            forecast = _with_warnings(forecast, stale[q.id])
            outcome.failed |= show.forecast(q, forecast, recorder.record(q, forecast))
            timer.lap("report")
    show.summary()
    _print_timings(timer, where is not None, asked=timings)
    outcome.exit(strict)


def _stem(exc: InputError) -> str:
    """The question id of a file that failed to load (its name without the suffix)."""
    problems = getattr(exc, "problems", None) or []
    return Path(problems[0].path).stem if problems else "?"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("run")(handle_errors(run))
