"""Forecasting each question of a portfolio: here, on local worker processes, or on a
Dask cluster, with the results in the questions' order.

Every process keeps the models it has compiled, one per model structure (see
:class:`forecast.engine.CompiledModels`): the questions of a portfolio that share a
structure (the same experts, pool and kinds of evidence, other numbers) are compiled
once and sampled with their own numbers swapped in.
"""

from __future__ import annotations

import traceback
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecast.errors import ForecastError, SamplingError

if TYPE_CHECKING:
    from forecast.engine import CompiledModels
    from forecast.inference import SamplerSettings, Timer
    from forecast.portfolio.pool import Workers
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast

_MODELS: CompiledModels | None = None


def compiled_models() -> CompiledModels:
    """This process's compiled models (one set per process, worker or not)."""
    global _MODELS
    if _MODELS is None:
        from forecast.engine import CompiledModels

        _MODELS = CompiledModels()
    return _MODELS


def forecast_question(
    q: LoadedQuestion,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
    reuse: bool = False,
) -> Forecast:
    """Forecast one question; with ``reuse``, on this process's compiled model of its
    structure (compiled now if it is the first). A question alone, or under a scenario,
    is forecast by :func:`forecast.engine.run`."""
    if scenario is not None or not reuse:
        from forecast import engine

        return engine.run(q, settings, timer, scenario=scenario)
    return compiled_models().run(q, settings, timer)


@dataclass(frozen=True)
class Job:
    """One question to forecast, with its own settings (and seed)."""

    question: LoadedQuestion
    settings: SamplerSettings
    scenario: str | None = None


@dataclass(frozen=True)
class Failure:
    """Why a question came to no forecast, as plain data that crosses processes.

    ``kind`` is ``sampling`` (the question is skipped and the others go on),
    ``forecast`` (a domain error: the work stops when its turn comes) or ``internal``
    (a defect, with its traceback in ``detail``).
    """

    kind: str
    message: str
    detail: str | None = None

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        """The failure an exception raised while forecasting stands for."""
        if isinstance(exc, SamplingError):
            return cls("sampling", exc.message, exc.hint)
        if isinstance(exc, ForecastError):
            return cls("forecast", exc.message, exc.hint)
        return cls(
            "internal", f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc))
        )

    def error(self) -> Exception:
        """The error to raise for it in the process that reports it."""
        if self.kind == "sampling":
            return SamplingError(self.message, hint=self.detail)
        if self.kind == "forecast":
            return ForecastError(self.message, hint=self.detail)
        return RuntimeError(self.message)


Outcome = tuple["Forecast | None", "Failure | None"]
"""A forecast, or why there is none."""


def run_job(job: Job) -> Outcome:
    """Forecast one question in a worker process; every error comes back as data, so
    that it is raised only when that question's turn comes, after those before it."""
    try:
        return forecast_question(
            job.question, job.settings, scenario=job.scenario, reuse=True
        ), None
    except Exception as exc:
        return None, Failure.of(exc)


def forecasts(
    jobs: Sequence[Job], workers: Workers | None = None, timer: Timer | None = None
) -> Generator[Outcome]:
    """Each job's forecast (or sampling failure), in order.

    With no ``pool`` the questions are forecast here one after another, ``timer``
    timing their phases, and any error other than a sampling failure is raised as it
    happens. With a pool they are forecast there, all at once as far as it has
    workers, and each is yielded as soon as it and those before it are done (the
    numbers are the same: each question has its own seed).
    """
    if workers is None:
        reuse = len(jobs) > 1
        for job in jobs:
            try:
                yield (
                    forecast_question(
                        job.question, job.settings, timer, scenario=job.scenario, reuse=reuse
                    ),
                    None,
                )
            except SamplingError as exc:
                yield None, Failure.of(exc)
        return
    from forecast.portfolio.pool import ordered

    yield from ordered(
        workers.pool, run_job, jobs, watch=workers.watch
    )  # closed with this: what has not started is cancelled
