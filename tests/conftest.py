"""Shared fixtures: an isolated fit cache and helpers to write priors files."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
PRIORS = ROOT / "priors"


SLOW_TIMEOUT = 900
"""Seconds a sampling test (marked ``slow``) may take before pytest-timeout fails it."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give the sampling tests the longer timeout, unless a test sets its own."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test session fits into its own cache, never the user's."""
    cache = tmp_path_factory.getbasetemp() / "fit-cache"
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(cache))


@pytest.fixture(autouse=True)
def _isolated_ledger(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's ledger: the default ledger lives in the test session's
    own data folder, and a ledger named in the environment is ignored."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "data-home"))
    monkeypatch.delenv("FORECAST_LEDGER", raising=False)


TODAY = "2026-12-01"
"""The day the tests judge staleness by: the date of the shipped examples' facts."""


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staleness warnings do not change with the clock while the suite runs."""
    monkeypatch.setenv("FORECAST_TODAY", TODAY)
    monkeypatch.delenv("FORECAST_STALE_DAYS", raising=False)


@pytest.fixture
def write_priors(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to ``tmp_path/NAME.yaml`` and return the path."""

    def write(text: str, name: str = "q") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


EVENT_HEADER = """\
format: 1
kind: event
title: A test question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
"""


@pytest.fixture
def fake_sampling(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace NUTS with seeded made-up draws; return the settings each job asked for."""
    from forecast.sweep import strategies

    jobs: list[Any] = []

    def sample_job(job: Any) -> Any:
        s = job.settings
        jobs.append(s)
        rng = np.random.default_rng(s.seed)
        uncertain = [e for e in job.inputs.applied if not e.fitted.fixed]
        draws = {
            "p": rng.beta(2.0, 5.0, size=(s.chains, s.draws)),
            "llr": rng.normal(0.5, 0.2, size=(s.chains, s.draws, len(uncertain))),
        }
        diagnostics = {
            "rhat_max": 1.0,
            "ess_bulk_min": float(s.chains * s.draws),
            "divergences": 0,
            "draws": s.draws,
            "chains": s.chains,
            "ok": True,
            "warnings": [],
        }
        return strategies.Posterior(draws, diagnostics, 0.0, job.tag)

    monkeypatch.setattr(strategies, "sample_job", sample_job)
    return jobs


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, so messages name short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------ PostgreSQL server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One PostgreSQL server for the session (see tests/pgserver.py).

    Outside CI a machine without PostgreSQL skips these tests; in CI (``CI`` set) that
    is a failure, so the suite never passes without them unnoticed.
    """
    import os

    from tests import pgserver

    if pgserver.bindir() is None:
        message = "PostgreSQL is not installed (no pg_config --bindir, no initdb)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it (.ci/run does)", pytrace=False)
        pytest.skip(message)
    with pgserver.running() as server:
        yield server


_databases = itertools.count()


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    """The URL of a new, empty database on the session's server."""
    name = f"ledger_{next(_databases)}"
    pg_server.sql(f"CREATE DATABASE {name}")
    return str(pg_server.url(name))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new ledger goes, on each backend: an SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    return str(request.getfixturevalue("pg_url"))
