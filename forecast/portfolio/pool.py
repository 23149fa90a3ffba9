"""Jobs run elsewhere and handed back in order: on local worker processes, or on a Dask
cluster, both through the ``concurrent.futures`` interface.

:func:`ordered` yields each result as soon as it and every one before it are done, so a
report can be printed while later questions are still sampling; stopping early cancels
what has not started.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass

from forecast.errors import ForecastError, UsageError
from forecast.sweep.places import WORKER_WAIT

Watch = Callable[[float, int], float]
"""Called after each ``poll`` seconds a result has not come, with the seconds the pool has
been without a worker and how many jobs wait; returns the new seconds, or raises when
the pool cannot go on (:meth:`forecast.sweep.executors.DaskExecutor.stalled`)."""


@dataclass(frozen=True)
class Workers:
    """Where the jobs run: an executor, and for a cluster the check made while waiting."""

    pool: cf.Executor
    watch: Watch | None = None


def ordered[T, R](
    pool: cf.Executor,
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    watch: Watch | None = None,
    poll: float = 1.0,
) -> Generator[R]:
    """``fn(item)`` for each item, computed on ``pool``, yielded in the items' order.

    Every job is submitted at once; closing the iterator cancels those not yet started
    (those running finish on their own). A job that could not run (its worker died, the
    cluster went away) ends the work with one clean error.
    """
    futures = [pool.submit(fn, item) for item in items]
    try:
        for i, future in enumerate(futures):
            yield _result(future, watch, poll, len(futures) - i)
    finally:
        for future in futures:
            future.cancel()


def _result[R](future: cf.Future[R], watch: Watch | None, poll: float, waiting: int) -> R:
    """The job's result, waited for in polls of ``poll`` seconds when there is a ``watch``."""
    alone = 0.0
    while True:
        try:
            return future.result(timeout=None if watch is None else poll)
        except TimeoutError:
            if watch is None:  # pragma: no cover - no timeout was set
                raise
            alone = watch(alone, waiting)
        except ForecastError:
            raise
        except Exception as exc:  # the pool's failure, not the job's: jobs return theirs
            raise ForecastError(
                f"a worker failed: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                hint="the workers may be short of memory; run with --jobs 1 or fewer jobs",
            ) from exc


def processes(jobs: int) -> cf.Executor:
    """``jobs`` local worker processes, each a fresh interpreter: forking a process that
    has compiled models or started threads is not safe."""
    import multiprocessing

    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


@contextlib.contextmanager
def executor(
    name: str,
    jobs: int,
    scheduler: str | None,
    *,
    size: int,
    worker_wait: float = WORKER_WAIT,
    quiet: bool = True,
) -> Iterator[Workers | None]:
    """The executor ``--executor``, ``--jobs`` and ``--scheduler`` ask for, for ``size``
    jobs: None to run them in this process (one job at a time, or one job only), local
    processes for ``--jobs N``, or the Dask cluster at ``scheduler``. Closed on exit;
    a cluster is left running."""
    if name == "dask":
        if not scheduler:
            raise UsageError(
                "--executor dask needs --scheduler ADDRESS", hint="e.g. tcp://10.0.0.5:8786"
            )
        from forecast.sweep.executors import DaskExecutor

        cluster = DaskExecutor(
            scheduler,
            worker_wait,
            quiet=quiet,
            again="run the same command again",
            kept="the reports printed so far stand",
        )
        try:
            yield Workers(cluster.futures(), cluster.stalled)
        finally:
            cluster.close()
        return
    if scheduler:
        raise UsageError("--scheduler is for --executor dask")
    if jobs <= 1 or size <= 1:
        yield None
        return
    pool = processes(min(jobs, size))
    try:
        yield Workers(pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
