"""Where sampling jobs run: this process, local processes, or a Dask cluster.

All three take the same jobs and hand back results as they finish, so a sweep moves
from a laptop to a cluster by naming the scheduler, with no change to the sweep. A
worker keeps the models it has compiled (:mod:`forecast.sweep.strategies`), so jobs
that only swap data reuse them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from forecast.errors import ForecastError, UsageError
from forecast.sweep.places import WORKER_WAIT, ExecutorName

if TYPE_CHECKING:
    import concurrent.futures as cf


class Executor(Protocol):
    """Runs ``fn(arg)`` somewhere and yields results as they finish."""

    name: str

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Start ``fn(arg)``; return a handle."""

    def wait_any(self, pending: set[Any]) -> Iterator[tuple[Any, Any]]:
        """Block until at least one handle is done; yield (handle, result) for those done."""

    def close(self) -> None:
        """Release workers (a shared cluster is left running)."""


class _Deferred:
    """A job to run later (hashed by identity)."""

    def __init__(self, order: int, fn: Callable[[Any], Any], arg: Any) -> None:
        self.order, self.fn, self.arg = order, fn, arg


class InlineExecutor:
    """Runs each job in this process, one at a time, when its result is asked for."""

    name = "local"

    def __init__(self) -> None:
        self._next = 0

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """A handle that runs ``fn(arg)`` when waited for."""
        self._next += 1
        return _Deferred(self._next, fn, arg)

    def wait_any(self, pending: set[Any]) -> Iterator[tuple[Any, Any]]:
        """Run the oldest pending job."""
        handle = min(pending, key=lambda h: h.order)
        yield handle, handle.fn(handle.arg)

    def close(self) -> None:
        """Nothing to release."""


class ProcessExecutor:
    """Local worker processes (``--jobs N``); each keeps its compiled models."""

    name = "processes"

    def __init__(self, jobs: int) -> None:
        import concurrent.futures as cf
        import multiprocessing

        # A fresh interpreter per worker: forking a process that has compiled
        # models or started threads is not safe.
        self._pool = cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn")
        )

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Queue ``fn(arg)`` on the pool."""
        return self._pool.submit(fn, arg)

    def wait_any(self, pending: set[Any]) -> Iterator[tuple[Any, Any]]:
        """Results of the jobs done so far (at least one)."""
        import concurrent.futures as cf

        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            yield fut, fut.result()

    def close(self) -> None:
        """Stop the workers, dropping queued jobs."""
        self._pool.shutdown(wait=True, cancel_futures=True)


_POLL = 1.0


class DaskExecutor:
    """An existing dask.distributed cluster, reached through its scheduler's address.

    Whatever the cluster does, the sweep ends with one clean message: an address that is
    not one, a scheduler that cannot be reached or goes away, a job that kills the
    workers it runs on, or a cluster left with no worker for ``worker_wait`` seconds
    (its only worker died) while jobs wait. Rows written before are kept for --resume.
    """

    name = "dask"

    def __init__(
        self,
        address: str,
        worker_wait: float = WORKER_WAIT,
        *,
        quiet: bool = True,
        again: str = "run the same command with --resume",
        kept: str = "rows written so far are kept",
    ) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ForecastError(
                "--executor dask needs dask.distributed",
                hint="install the extra: uv tool install 'forecast[dask]'",
            ) from None
        _check_address(address)
        if quiet:
            _quiet_logs()
        self.address = address
        self.worker_wait = worker_wait
        self.again, self.kept = again, kept
        try:
            self._client = Client(address, timeout="10s", set_as_default=False)
        except Exception as exc:  # any failure to connect is the same to the user
            raise ForecastError(
                f"cannot reach the Dask scheduler at {address}: {_said(exc)}",
                hint="start one with `dask scheduler` and `dask worker ADDRESS`",
            ) from None

    def futures(self) -> cf.Executor:
        """The cluster as a ``concurrent.futures`` executor (each job runs: none is pure)."""
        return self._client.get_executor(pure=False)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Send ``fn(arg)`` to the cluster."""
        try:
            return self._client.submit(fn, arg, pure=False)
        except Exception as exc:
            raise self._lost(exc) from None

    def wait_any(self, pending: set[Any]) -> Iterator[tuple[Any, Any]]:
        """Results of the jobs done so far (at least one).

        Raises
        ------
        ForecastError
            When the scheduler is lost, a job killed its workers, or no worker has been
            in the cluster for ``worker_wait`` seconds.
        """
        done = self._wait(pending)
        for fut in done:
            try:
                result = fut.result()
            except ForecastError:
                raise
            except Exception as exc:
                raise self._failed(exc) from None
            yield fut, result

    def _wait(self, pending: set[Any]) -> set[Any]:
        from distributed import wait

        alone = 0.0
        while True:
            try:
                with self._client.as_current():
                    done, _ = wait(list(pending), timeout=_POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            except Exception as exc:
                raise self._lost(exc) from None
            if done:
                return set(done)
            alone = self.stalled(alone, len(pending))

    def stalled(self, alone: float, waiting: int) -> float:
        """After a poll of about a second that found no job done: the seconds the
        cluster has now been without a worker.

        Raises
        ------
        ForecastError
            When the scheduler is gone, or there has been no worker for ``worker_wait``
            seconds while ``waiting`` jobs wait.
        """
        if self._client.status not in ("running", "connecting", "newly-created"):
            raise self._lost(None)
        alone = 0.0 if self._workers() else alone + _POLL
        if alone >= self.worker_wait:
            raise ForecastError(
                f"the Dask cluster at {self.address} has had no worker for "
                f"{alone:.0f} s with {waiting} job(s) waiting",
                hint=f"start a worker with `dask worker ADDRESS`, then {self.again}; "
                "--worker-wait sets how long to wait",
            )
        return alone

    def _workers(self) -> int:
        """Workers the scheduler knows now (0 when it cannot say)."""
        try:
            return len(self._client.nthreads())
        except Exception as exc:
            raise self._lost(exc) from None

    def _lost(self, exc: BaseException | None) -> ForecastError:
        if exc is not None and type(exc).__name__.endswith("CancelledError"):
            exc = None  # its message lists every job
        why = f": {_said(exc)}" if exc is not None else " (the connection to it closed)"
        return ForecastError(
            f"lost the Dask scheduler at {self.address}{why}",
            hint=f"{self.kept}; restart the cluster and {self.again}",
        )

    def _failed(self, exc: BaseException) -> ForecastError:
        if type(exc).__name__ in {"CancelledError", "FutureCancelledError"}:
            return self._lost(exc)
        if type(exc).__name__ == "KilledWorker":
            return ForecastError(
                f"a sweep job killed every Dask worker it ran on ({_said(exc)})",
                hint="the workers may be short of memory; rows written so far are kept "
                "for --resume",
            )
        return ForecastError(
            f"a sweep job failed on the Dask cluster: {type(exc).__name__}: {_said(exc)}",
            hint="run with --debug for the traceback; rows written so far are kept for --resume",
        )

    def close(self) -> None:
        """Disconnect; the cluster keeps running (a lost one is not waited for)."""
        with contextlib.suppress(Exception):  # nothing left to release
            self._client.close(timeout=5)


def _check_address(address: str) -> None:
    """Refuse a scheduler address Dask cannot parse, before a client is made of it (a
    half-made client complains at exit)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, where = parse_address(address, strict=False)
        if scheme in {"tcp", "tls"}:
            parse_host_port(where)
    except ValueError as exc:
        raise UsageError(
            f"--scheduler {address!r} is not a scheduler address: {exc}",
            hint="write it as tcp://HOST:PORT, for example tcp://127.0.0.1:8786",
        ) from None


def _said(exc: BaseException | None) -> str:
    """An exception's message on one line (its type when it has none)."""
    if exc is None:
        return ""
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


def _quiet_logs() -> None:
    """Dask's own log lines (reconnecting, a lost worker, tracebacks) are not the user's:
    the executor reports what they mean once. --debug keeps them."""
    import logging

    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
    # distributed gives its own loggers levels when imported: each is set, not the parent.
    for name in ["distributed", "tornado", "asyncio", *names]:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def make_executor(
    kind: ExecutorName | str,
    jobs: int,
    scheduler: str | None,
    *,
    worker_wait: float = WORKER_WAIT,
    quiet: bool = True,
) -> Executor:
    """The executor the command line asked for."""
    if kind == "dask":
        if not scheduler:
            raise UsageError(
                "--executor dask needs --scheduler ADDRESS", hint="e.g. tcp://10.0.0.5:8786"
            )
        return DaskExecutor(scheduler, worker_wait, quiet=quiet)
    if scheduler:
        raise UsageError("--scheduler is for --executor dask")
    return InlineExecutor() if jobs <= 1 else ProcessExecutor(jobs)


__all__ = [
    "WORKER_WAIT",
    "DaskExecutor",
    "Executor",
    "InlineExecutor",
    "ProcessExecutor",
    "make_executor",
]
