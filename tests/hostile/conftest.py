"""Shared helpers for hostile-input tests: a timeout each, the CLI, FIFOs, a full disk.

* every test in this package gets ``pytest.mark.timeout(TIMEOUT)`` unless it sets its
  own, so a read that blocks (a FIFO) fails the test instead of hanging the run;
* :func:`cli` runs the command line in-process and :func:`assert_clean` checks that a
  refusal is one clean ``Error: ...`` (or located) line, with no traceback;
* :func:`fifo` makes a named pipe in the test's folder;
* the ``full_disk`` fixture makes :func:`os.write` and :func:`os.fsync` fail with
  ``ENOSPC`` (the boundary the tool's own file writes go through), and ``full_ledger``
  caps SQLite's page count so the ledger answers "database or disk is full".
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

TIMEOUT = 60
"""Seconds any one hostile test may take before it counts as a hang."""

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every test of this package a timeout (a hang is a failure, not a stall)."""
    for item in items:
        if _HERE in Path(str(item.fspath)).resolve().parents and not item.get_closest_marker(
            "timeout"
        ):
            item.add_marker(pytest.mark.timeout(TIMEOUT))


def cli(*args: str | os.PathLike[str], input: str | None = None) -> Result:
    """Run ``forecast ARGS`` in-process; stdout and stderr are kept apart."""
    from forecast.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def assert_clean(result: Result, code: int = 1, *, contains: str | None = None) -> str:
    """Check that a command failed cleanly with ``code``; return its stderr.

    Clean means: no traceback, no "internal error", and the first line of stderr is a
    message (``Error: ...`` or a located ``path:line:col ...`` problem).
    """
    stderr = result.stderr
    assert result.exit_code == code, (result.exit_code, result.stdout, stderr, result.exception)
    assert "Traceback" not in stderr and "Traceback" not in result.stdout, stderr
    assert "internal error" not in stderr, stderr
    assert stderr.strip(), "a refusal must say why"
    if contains is not None:
        assert contains in stderr, stderr
    return stderr


def fifo(path: Path) -> Path:
    """Make a named pipe at ``path`` (nobody ever writes to it: reading it would block)."""
    os.mkfifo(path)
    return path


def _enospc(*_: Any, **__: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every ``os.write`` and ``os.fsync`` fails as on a full disk (ENOSPC)."""
    monkeypatch.setattr(os, "write", _enospc)
    monkeypatch.setattr(os, "fsync", _enospc)
    yield


@pytest.fixture
def full_ledger(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """``full_ledger(pages)``: SQLite connections the ledger opens from now on cannot grow
    past ``pages`` pages, so a write that needs more fails with SQLITE_FULL."""

    def cap(pages: int) -> None:
        real = sqlite3.connect

        def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            conn = real(*args, **kwargs)
            conn.execute(f"PRAGMA max_page_count = {pages}")
            return conn

        import forecast.ledger.sqlite as backend

        monkeypatch.setattr(backend.sqlite3, "connect", connect)

    return cap
