"""``forecast watch``: re-run a question's forecast each time its file is saved.

One process stays warm: the fitted judgements are cached, and each question is
forecast by the method its kind admits (``--method``, as for ``forecast run``). An event
question is forecast exactly, by quadrature: the report leads with that one number, and
a save costs the fit and the quadrature. A question that is sampled (``--method nuts``,
or a kind without an exact method) has its model compiled once per structure (its
experts, pool, evidence items applied and base rate or not): a save that changes only
numbers swaps them into the compiled model and samples again. Sampling defaults to 2
chains of 500 draws after 500 tuning steps, enough for the convergence checks on these
small models; each sampled report says so, and ``forecast run`` gives the full run. The
file is polled (its modification time and size), so no watcher library is needed. An
invalid save shows its problems and the watch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

import typer

from forecast.cli._common import (
    err,
    handle_errors,
    out,
    print_json,
    report_error,
    stale_warnings,
)
from forecast.cli.options import StaleAfter
from forecast.cli.run import PoolChoice, with_pool, with_weights
from forecast.cli.watch_json import WatchFormat, silent, watch_json
from forecast.errors import ForecastError, InputError
from forecast.methods import METHOD_HELP, Method

if TYPE_CHECKING:
    from rich.console import Console, Group, RenderableType

    from forecast.inference import SamplerSettings
    from forecast.ledger.history import Move
    from forecast.ledger.records import ForecastRecord
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast

type Shown = Forecast | RenderableType | None
"""What a watch shows: a forecast's report, or a line or table about it."""


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _cases_name(path: Path) -> str | None:
    """The cases CSV a priors file names (``cases: file.csv``), read leniently: None when
    the file cannot be read or names none (loading it reports any problem)."""
    from forecast import yamlio

    try:
        data, _, _ = yamlio.load(path, str(path))
    except Exception:
        return None
    cases = data.get("cases") if isinstance(data, dict) else None
    return cases if isinstance(cases, str) else None


@dataclass
class Outcome:
    """What one pass of the watch did."""

    kind: str  # "forecast", "invalid", "failed"
    probability: float | None = None
    method: str | None = None
    """The inference method that made the forecast (``exact``, ``importance``, ``nuts``)."""
    seconds: float = 0.0


class Watcher:
    """Polls one priors file and re-runs its forecast after each save.

    ``run_forecast`` turns a loaded question into a forecast (the engine by default; tests
    pass a cheap one). :meth:`tick` checks the file once, so tests can drive it step by
    step; :meth:`run` loops until stopped.
    """

    def __init__(
        self,
        path: Path,
        run_forecast: Callable[[LoadedQuestion], Forecast],
        *,
        show: Callable[[Shown], None],
        pool: PoolChoice | None = None,
        extremize: float | None = None,
        stale_after: int | None = None,
        emit: Callable[[dict[str, object]], None] | None = None,
    ) -> None:
        self.path = path
        self.emit = emit
        """``--format json``: takes one ``forecast.watch/1`` object per pass."""
        self.stale_after = stale_after
        self.run_forecast = run_forecast
        self.show = show
        self.pool = pool
        self.extremize = extremize
        self.last: float | None = None
        self.previous: ForecastRecord | None = None
        """The last forecast as a ledger record, to explain the next move from."""
        self.stamp: tuple[tuple[int, int] | None, ...] | None = None
        self.companions: list[Path] = []
        """Files the question reads besides its priors file (a drivers cases CSV)."""
        self.runs = 0

    def _stamps(self) -> tuple[tuple[int, int] | None, ...]:
        return tuple(_stamp(p) for p in (self.path, *self.companions))

    def changed(self) -> bool:
        """True when the modification time or size of the file, or of a file it reads
        (a cases CSV), differs from the last pass."""
        return self._stamps() != self.stamp

    def tick(self) -> Outcome | None:
        """Handle a save if there was one (None when the file did not change)."""
        if not self.changed():
            return None
        # Wait until the save is complete: the stamp must hold still for a moment.
        stamp = self._stamps()
        while True:
            time.sleep(0.05)
            again = self._stamps()
            if again == stamp:
                break
            stamp = again
        self.stamp = stamp
        outcome = self._handle()
        self.stamp = self._stamps()  # the files it reads may have changed with the save
        return outcome

    def _handle(self) -> Outcome:
        from rich.text import Text

        from forecast.ledger.store import LedgerError
        from forecast.questions.loader import load_question
        from forecast.render import fmt

        start = time.perf_counter()
        self.runs += 1
        try:
            cases = _cases_name(self.path)
            self.companions = [self.path.parent / cases] if cases else []
            (q,) = with_weights(
                with_pool([load_question(self.path)], self.pool, self.extremize), None
            )
        except (InputError, LedgerError) as exc:
            report_error(exc)
            self.show(Text("⚠ not re-run: fix the file and save again", style="yellow"))
            said = exc.lines() if isinstance(exc, InputError) else [exc.message]
            return self._emitted(Outcome("invalid", seconds=time.perf_counter() - start), said)
        stale_warnings([q], self.stale_after)
        try:
            forecast = self.run_forecast(q)
        except ForecastError as exc:
            report_error(exc)
            failed = Outcome("failed", seconds=time.perf_counter() - start)
            return self._emitted(failed, [exc.message])
        p = float(forecast.probability)
        diagnostics = getattr(forecast, "diagnostics", None)
        method = getattr(diagnostics, "method", None)
        self.show(forecast)
        line = Text(f"Forecast {fmt.pct(p)}" + (" (exact)" if method == "exact" else ""))
        line.stylize("bold")
        if self.last is not None:
            delta = p - self.last
            line.append(
                f"   {fmt.pp(delta)} since the last run ({fmt.pct(self.last)} → {fmt.pct(p)})",
                style="green" if delta > 0 else "red" if delta < 0 else "",
            )
        self.show(line)
        record = _as_record(q, forecast)
        move = None
        if self.previous is not None and record is not None:
            from forecast.ledger.history import explain

            move = explain(self.previous, record)
            self.show(_since_last(move))
        last, self.last, self.previous = self.last, p, record
        done = Outcome("forecast", p, method, time.perf_counter() - start)
        if self.emit is not None:
            self.emit(watch_json(self.runs, done, forecast, last, move))
        return done

    def _emitted(self, outcome: Outcome, problems: list[str]) -> Outcome:
        """``outcome``, after giving ``--format json`` its object (a pass with no forecast)."""
        if self.emit is not None:
            self.emit(watch_json(self.runs, outcome, None, self.last, None, problems))
        return outcome

    def run(
        self,
        *,
        interval: float = 0.5,
        max_runs: int | None = None,
        timeout: float | None = None,
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        """Poll until interrupted, ``max_runs`` passes, or ``timeout`` seconds without a save."""
        idle_since = time.monotonic()
        while True:
            outcome = self.tick()
            if outcome is not None:
                idle_since = time.monotonic()
                if on_idle is not None:
                    on_idle()
                if max_runs is not None and self.runs >= max_runs:
                    return
            elif timeout is not None and time.monotonic() - idle_since > timeout:
                return
            time.sleep(interval)


def _as_record(q: LoadedQuestion, forecast: Forecast) -> ForecastRecord | None:
    """The forecast as ``forecast history`` compares them (None when it cannot be)."""
    from forecast.ledger.records import record_of

    to_dict = getattr(forecast, "to_dict", None)
    if to_dict is None:
        return None
    return record_of(to_dict(), priors_text=q.text, priors_path=str(q.path))


def _since_last(move: Move) -> Group:
    """What changed since the last run: each change in the file, and the percentage points
    each expert, evidence item, driver or base rate explains (as ``forecast history``)."""
    from rich.console import Group
    from rich.text import Text

    from forecast.ledger.render import what_changed

    head = Text("What changed since the last run", style="bold")
    if not move.changes and move.before.priors_sha256 == move.after.priors_sha256:
        same = move.delta == 0.0  # an exact forecast, or a sampler given the same seed
        why = "the same forecast" if same else "the move is sampling"
        head.append(f"  (the same file: {why})", style="dim")
    return Group(head, *what_changed(move))


def _sampled_kind(kind: str | None) -> bool:
    """Whether forecasts of ``kind`` can come from NUTS (True when it is not known)."""
    from forecast import kinds

    return kind not in kinds.names() or "nuts" in kinds.get(kind).methods


def sampled_note(settings: SamplerSettings, forecast: Shown = None) -> str | None:
    """What the watch sampled, shown under each sampled report (None for a forecast by
    another method: an exact one has nothing to say about sampling, nor a kind NUTS
    never samples, such as a network, whose discrete nodes are enumerated)."""
    method = getattr(getattr(forecast, "diagnostics", None), "method", "nuts")
    if method != "nuts" or not _sampled_kind(getattr(forecast, "kind", None)):
        return None
    return (
        f"watch sampling: {settings.chains} chains × {settings.draws} draws after "
        f"{settings.tune} tuning steps; `forecast run` for the full run"
    )


def _forecaster(base: SamplerSettings, seed: int | None) -> Callable[[LoadedQuestion], Forecast]:
    """Forecast a question on this process's compiled models, with ``base`` settings."""
    from forecast import engine

    models = engine.CompiledModels()

    def run_forecast(q: LoadedQuestion) -> Forecast:
        return models.run(q, engine.settings_for(q, base, seed))

    return run_forecast


def _is_forecast(shown: Shown) -> TypeGuard[Forecast]:
    """Whether what is shown is a forecast (anything with diagnostics reports as one)."""
    return hasattr(shown, "diagnostics")


def _shower(console: Console, base: SamplerSettings) -> Callable[[Shown], None]:
    """Print a forecast's report (with what the watch sampled) or any other renderable."""
    from forecast.render.report import Report

    def show(renderable: Shown) -> None:
        if not _is_forecast(renderable):
            console.print(renderable)
            return
        console.print(Report(renderable))
        note = sampled_note(base, renderable)
        if note is not None:
            console.print(note, style="dim", markup=False, highlight=False)

    return show


def watch(
    priors: Path = typer.Argument(..., metavar="PRIORS", help="The priors file to watch."),
    seed: int | None = typer.Option(
        None, "--seed", min=0, help="Random seed (default: from the file)."
    ),
    draws: int = typer.Option(500, "--draws", min=100, help="Draws per chain after tuning."),
    tune: int = typer.Option(500, "--tune", min=100, help="Tuning steps per chain."),
    chains: int = typer.Option(2, "--chains", min=1, max=64, help="Number of chains."),
    pool: PoolChoice | None = typer.Option(None, "--pool", help="Pool the experts this way."),
    extremize: float | None = typer.Option(
        None, "--extremize", min=0.01, max=5.0, help="Extremize the pool in log-odds."
    ),
    interval: float = typer.Option(0.5, "--interval", min=0.05, help="Seconds between polls."),
    max_runs: int | None = typer.Option(
        None, "--max-runs", min=1, help="Stop after this many passes (for scripts and tests)."
    ),
    timeout: float | None = typer.Option(
        None, "--timeout", min=0.0, help="Stop after this many seconds without a save."
    ),
    stale_after: StaleAfter = None,
    method: Method = typer.Option(Method.auto, "--method", help=METHOD_HELP),
    format_: WatchFormat = typer.Option(
        WatchFormat.rich,
        "--format",
        "-f",
        help="json: one forecast.watch/1 object per pass on stdout (JSON Lines).",
    ),
) -> None:
    """Re-run the forecast each time PRIORS is saved, showing what changed.

    After each save the report ends with what changed in the file since the last run
    (each expert, evidence item, driver or base rate) and how many percentage points
    each explains, as forecast history does for recorded forecasts.

    The process stays warm between saves (PyMC imported, fits cached, an event model
    compiled once and its numbers swapped on each save). An invalid save shows its
    problems and the watch goes on. Ctrl-C stops. An event question is forecast exactly
    (by quadrature, no sampling); questions that are sampled default to 2 chains of 500
    draws after 500 tuning steps.

    With --format json, each pass prints one object on stdout (JSON Lines): the
    forecast, its move since the last pass and what explains it, or the problems of an
    invalid save.

    Example: forecast watch priors/turkiye-joins-consultative-meeting.yaml
    """
    from forecast.inference import SamplerSettings

    if not priors.is_file():
        raise ForecastError(f"{priors}: no such file", hint="watch one priors file")
    base = SamplerSettings(draws=draws, tune=tune, chains=chains, method=str(method))
    as_json = format_ is WatchFormat.json
    run_forecast = _forecaster(base, seed)
    show = silent if as_json else _shower(out(), base)
    watcher = Watcher(
        priors,
        run_forecast,
        show=show,
        pool=pool,
        extremize=extremize,
        stale_after=stale_after,
        emit=print_json if as_json else None,
    )
    errc = err()
    errc.print(f"watching {priors} (Ctrl-C to stop)", style="dim", markup=False)
    watcher.run(
        interval=interval,
        max_runs=max_runs,
        timeout=timeout,
        on_idle=lambda: errc.print(f"watching {priors}…", style="dim", markup=False),
    )


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("watch")(handle_errors(watch))
