"""The storage interface every ledger backend offers, and how a ledger is named.

Commands talk to a :class:`Ledger` only; SQLite (:mod:`forecast.ledger.sqlite`) is the
embedded default, and a team shares a ledger on a PostgreSQL server
(:mod:`forecast.ledger.postgres`), named by a ``postgresql://`` URL. The backends
depend on this module and :mod:`forecast.ledger.store`, which opens them, depends on
the backends: nothing here imports a backend.
"""

from __future__ import annotations

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


class _Closes(Protocol):
    def close(self) -> None: ...


class Connected:
    """A backend holding one connection: ``close`` (idempotent) and ``with`` closing it."""

    _conn: _Closes

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


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
