"""The storage interface every ledger backend offers, and where the ledger lives.

Commands talk to a :class:`Ledger` only; SQLite (:mod:`forecast.ledger.sqlite`) is the
embedded default, and a team shares a ledger on a PostgreSQL server
(:mod:`forecast.ledger.postgres`), named by a ``postgresql://`` URL. :func:`open_ledger`
chooses between them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from forecast.errors import ForecastError
from forecast.ledger.records import ForecastRecord, Latest, Resolution

ENV = "FORECAST_LEDGER"
"""Environment variable naming the ledger file or URL (``--ledger`` wins over it)."""

URL_SCHEMES = ("postgresql://", "postgres://")
"""How a ledger on a PostgreSQL server is named."""


class LedgerError(ForecastError):
    """The ledger cannot be opened, read or written; it is left as it was."""


class Ledger(Protocol):
    """Where forecasts and outcomes are recorded. Nothing recorded is ever lost."""

    location: str
    """A human-readable name of where the ledger lives (a path or a URL)."""

    def record(self, record: ForecastRecord) -> int:
        """Store one forecast, durably, and return its id."""
        ...

    def resolve(self, resolution: Resolution) -> None:
        """Store the outcome of a question; it replaces the current one, and the
        resolution log keeps both."""
        ...

    def forecasts(
        self, question_id: str | None = None, *, light: bool = False
    ) -> list[ForecastRecord]:
        """Recorded forecasts (of one question or all), oldest first; ``light`` leaves out
        the reports, chains, intervals and priors texts, which scoring does not need."""
        ...

    def resolutions(self) -> dict[str, Resolution]:
        """Every recorded outcome, by question id."""
        ...

    def resolution_log(self, question_id: str | None = None) -> list[Resolution]:
        """Every outcome recorded (of one question or all), corrections included, in order."""
        ...

    def latest(self) -> dict[str, Latest]:
        """The newest recorded forecast of every question, by question id."""
        ...

    def merge(
        self, forecasts: Sequence[ForecastRecord], log: Sequence[Resolution]
    ) -> tuple[int, int]:
        """Add, in one transaction, the forecasts and logged outcomes this ledger lacks;
        return how many of each were added (see :func:`forecast.ledger.rows.forecast_key`)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def is_url(target: Path | str | None) -> bool:
    """Whether ``target`` names a ledger on a database server rather than a file."""
    return isinstance(target, str) and target.lower().startswith(URL_SCHEMES)


def default_path() -> Path:
    """The default ledger file: ``ledger.sqlite`` in the user data directory, unless
    ``$FORECAST_LEDGER`` names a file."""
    env = os.environ.get(ENV)
    if env and not is_url(env):
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("forecast", appauthor=False) / "ledger.sqlite"


def default_location() -> Path | str:
    """``$FORECAST_LEDGER`` (a file or a URL), else :func:`default_path`."""
    env = os.environ.get(ENV)
    if env and is_url(env):
        return env
    return default_path()


def exists(target: Path | str | None) -> bool:
    """Whether a ledger is there: a file that exists, or any URL (a server is asked only
    when the ledger is opened)."""
    where = default_location() if target is None else target
    if is_url(where):
        return True
    return Path(where).expanduser().exists()


def open_ledger(path: Path | str | None = None, *, write: bool = True) -> Ledger:
    """Open the ledger at ``path``: a file, or a ``postgresql://`` URL (default:
    :func:`default_location`).

    With ``write=False`` a ledger that does not exist yet reads as empty and nothing is
    created. A damaged file, a ledger from a newer version of forecast, someone else's
    database or a place that cannot be written raises :class:`LedgerError` and the
    ledger is left untouched.
    """
    where = default_location() if path is None else path
    if is_url(where):
        assert isinstance(where, str)
        from forecast.ledger.postgres import PostgresLedger

        return PostgresLedger.open(where, write=write)
    from forecast.ledger.sqlite import SQLiteLedger

    explicit = path is not None
    target = Path(where).expanduser()
    if not explicit and write and os.environ.get(ENV) is None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(
                f"cannot create the ledger directory {target.parent}: {exc.strerror}",
                hint=f"choose another place with --ledger PATH or {ENV}",
            ) from None
    return SQLiteLedger.open(target, write=write)
