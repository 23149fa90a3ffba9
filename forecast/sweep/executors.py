"""Where sampling jobs run: this process, local processes, or a Dask cluster.

All three take the same jobs and hand back results as they finish, so a sweep moves
from a laptop to a cluster by naming the scheduler, with no change to the sweep. A
worker keeps the models it has compiled (:mod:`forecast.sweep.strategies`), so jobs
that only swap data reuse them.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from forecast.errors import ForecastError


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
        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            yield fut, fut.result()

    def close(self) -> None:
        """Stop the workers, dropping queued jobs."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """An existing dask.distributed cluster, reached through its scheduler's address."""

    name = "dask"

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ForecastError(
                "--executor dask needs dask.distributed",
                hint="install the extra: uv tool install 'forecast[dask]'",
            ) from None
        try:
            self._client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ForecastError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                hint="start one with `dask scheduler` and `dask worker ADDRESS`",
            ) from None

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Send ``fn(arg)`` to the cluster."""
        return self._client.submit(fn, arg, pure=False)

    def wait_any(self, pending: set[Any]) -> Iterator[tuple[Any, Any]]:
        """Results of the jobs done so far (at least one)."""
        from distributed import wait

        with self._client.as_current():
            done, _ = wait(list(pending), return_when="FIRST_COMPLETED")
        for fut in done:
            yield fut, fut.result()

    def close(self) -> None:
        """Disconnect; the cluster keeps running."""
        self._client.close()


def make_executor(kind: str, jobs: int, scheduler: str | None) -> Executor:
    """The executor the command line asked for."""
    if kind == "dask":
        if not scheduler:
            raise ForecastError(
                "--executor dask needs --scheduler ADDRESS", hint="e.g. tcp://10.0.0.5:8786"
            )
        return DaskExecutor(scheduler)
    if scheduler:
        raise ForecastError("--scheduler is for --executor dask")
    return InlineExecutor() if jobs <= 1 else ProcessExecutor(jobs)


__all__ = ["DaskExecutor", "Executor", "InlineExecutor", "ProcessExecutor", "make_executor"]
