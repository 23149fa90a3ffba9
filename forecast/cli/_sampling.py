"""Sampling the questions of a command, as the terminal shows it: a spinner per question,
or a progress bar over many; warnings for diagnostics that fall short; failures reported
in their turn."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import STATE, err, plain, report_error

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from rich.console import Console

    from forecast.inference import SamplerSettings, Timer
    from forecast.portfolio.pool import Workers
    from forecast.portfolio.runner import Failure, Job
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast

FEW = 3
"""Up to this many questions get a spinner each; more get one progress bar."""


@dataclass
class SampleOutcome:
    """What sampling a batch of questions came to, for the exit code."""

    failed: bool = False
    unconverged: bool = False

    def exit(self, strict: bool) -> None:
        """Exit 1 when a question failed, 3 under ``--strict`` when one did not converge."""
        from forecast.errors import SamplingError

        if self.failed:
            raise typer.Exit(1)
        if strict and self.unconverged:
            raise typer.Exit(SamplingError.exit_code)


@contextlib.contextmanager
def workers(
    executor: str, jobs: int, scheduler: str | None, size: int, worker_wait: float | None = None
) -> Iterator[Workers | None]:
    """Where the questions are sampled (see :func:`forecast.portfolio.pool.executor`)."""
    from forecast.portfolio.pool import executor as open_executor
    from forecast.sweep.places import WORKER_WAIT

    wait = WORKER_WAIT if worker_wait is None else worker_wait
    quiet = not STATE.debug
    with open_executor(executor, jobs, scheduler, size=size, worker_wait=wait, quiet=quiet) as pool:
        yield pool


def sample_each(
    loaded: list[LoadedQuestion],
    settings: SamplerSettings,
    seed: int | None,
    outcome: SampleOutcome,
    *,
    timer: Timer | None = None,
    scenario: str | None = None,
    pool: Workers | None = None,
    on_failure: Callable[[LoadedQuestion, str], None] | None = None,
) -> Iterator[tuple[LoadedQuestion, Forecast]]:
    """Forecast each question in turn (:func:`forecast.portfolio.runner.forecasts`), with a
    spinner for each of a few or a progress bar over many, on a terminal.

    With a ``pool`` the questions are sampled there, and each is yielded, in order, as
    soon as it and those before it are done. A question whose sampling fails is
    reported and skipped (``on_failure(question, message)`` is called); diagnostics that fall
    short are warned about on stderr. Yields ``(question, forecast)``.
    """
    from forecast import engine
    from forecast.portfolio.runner import Job, forecasts
    from forecast.render.progress import progress_bar

    jobs = [Job(q, engine.settings_for(q, settings, seed), scenario) for q in loaded]
    results = forecasts(jobs, pool, timer)
    errc = err()
    try:
        with progress_bar(errc, "run", len(jobs), "questions", at_least=FEW + 1) as tick:
            for job in jobs:
                with _status(errc, job, pool, bar=tick is not None):
                    forecast, failure = next(results)
                if tick is not None:
                    tick(1)
                if failure is not None or forecast is None:
                    said = _failed(failure, outcome)
                    if on_failure is not None:
                        on_failure(job.question, said)
                    continue
                _warn_unconverged(job.question, forecast, outcome)
                yield job.question, forecast
    finally:
        results.close()  # stops the workers when a question ends the command


def _status(
    errc: Console, job: Job, pool: Workers | None, *, bar: bool
) -> AbstractContextManager[object]:
    """A spinner saying what is being sampled (on a terminal, without a bar)."""
    if bar or not errc.is_terminal:
        return contextlib.nullcontext()
    s = job.settings
    where = "; in worker processes" if pool is not None else ""
    return errc.status(
        plain(f"Sampling {job.question.id} ({s.chains} chains × {s.draws} draws{where})…")
    )


def _failed(failure: Failure | None, outcome: SampleOutcome) -> str:
    """Report a sampling failure and go on (its message is returned); raise any other
    error in its turn."""
    from forecast.errors import ForecastError

    assert failure is not None, "a question came to neither a forecast nor a failure"
    if failure.kind != "sampling":
        if failure.kind == "internal" and STATE.debug and failure.detail:
            sys.stderr.write(failure.detail)
        raise failure.error()
    if STATE.debug:
        traceback.print_exc()
    error = failure.error()
    assert isinstance(error, ForecastError)  # a sampling failure is a SamplingError
    report_error(error)
    outcome.failed = True
    return error.message


def _warn_unconverged(q: LoadedQuestion, forecast: Forecast, outcome: SampleOutcome) -> None:
    if forecast.diagnostics.ok:
        return
    outcome.unconverged = True
    for w in forecast.diagnostics.warnings:
        err().print(f"warning: {q.id}: {w}", markup=False, highlight=False, style="yellow")
