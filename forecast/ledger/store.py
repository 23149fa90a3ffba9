"""Where the ledger lives, and opening it: the backend a file or a URL names.

The interface every backend offers is :mod:`forecast.ledger.interface` (its names are
also importable from here); :func:`open_ledger` chooses between SQLite, the embedded
default, and a team's PostgreSQL server, named by a ``postgresql://`` URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from forecast.ledger.interface import ENV, URL_SCHEMES, Ledger, LedgerError, is_url

__all__ = [
    "ENV",
    "URL_SCHEMES",
    "Ledger",
    "LedgerError",
    "default_location",
    "default_path",
    "exists",
    "is_url",
    "open_ledger",
]


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
