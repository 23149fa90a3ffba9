"""The storage interface every ledger backend offers, and where the ledger lives.

Commands talk to a :class:`Ledger` only; SQLite (:mod:`forecast.ledger.sqlite`) is the
embedded default, and another engine (PostgreSQL, say) would be one more class with
these methods, chosen in :func:`open_ledger`.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from forecast.errors import ForecastError
from forecast.ledger.records import ForecastRecord, Latest, Resolution

ENV = "FORECAST_LEDGER"
"""Environment variable naming the ledger file (``--ledger`` wins over it)."""


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

    def forecasts(self, question_id: str | None = None) -> list[ForecastRecord]:
        """Recorded forecasts (of one question or all), oldest first."""
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


def default_path() -> Path:
    """``$FORECAST_LEDGER``, else ``ledger.sqlite`` in the user data directory."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("forecast", appauthor=False) / "ledger.sqlite"


def open_ledger(path: Path | str | None = None, *, write: bool = True) -> Ledger:
    """Open the ledger at ``path`` (default: :func:`default_path`).

    With ``write=False`` a ledger that does not exist yet reads as empty and no file is
    created. A damaged file, a ledger from a newer version of forecast or a place that
    cannot be written raises :class:`LedgerError` and the file is left untouched.
    """
    from forecast.ledger.sqlite import SQLiteLedger

    explicit = path is not None
    target = Path(path).expanduser() if path is not None else default_path()
    if not explicit and write and os.environ.get(ENV) is None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(
                f"cannot create the ledger directory {target.parent}: {exc.strerror}",
                hint=f"choose another place with --ledger PATH or {ENV}",
            ) from None
    return SQLiteLedger.open(target, write=write)
