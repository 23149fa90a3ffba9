"""The forecast ledger: every recorded forecast and outcome, kept safe for scoring.

Commands use :func:`open_ledger` and the :class:`Ledger` interface; the SQLite file is
the embedded default (see :mod:`forecast.ledger.sqlite`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from forecast.ledger.records import (
    OUTCOMES,
    Contribution,
    ExpertEntry,
    ForecastRecord,
    Latest,
    Resolution,
    record_of,
)
from forecast.ledger.store import ENV, Ledger, LedgerError, default_path, open_ledger

if TYPE_CHECKING:
    from forecast.results import Forecast
    from forecast.spec import LoadedQuestion


def record_forecast(ledger: Ledger, forecast: Forecast, question: LoadedQuestion) -> int:
    """Record a forecast made from ``question``'s priors file; return its ledger id."""
    return ledger.record(
        record_of(
            forecast.to_dict(),
            priors_text=question.text,
            priors_path=str(question.path),
            tags=getattr(question.spec, "tags", ()),
            pool=getattr(getattr(question.spec, "pool", None), "method", None),
        )
    )


def check_writable(path: Path | str | None = None) -> str:
    """Open the ledger for writing and close it again; return where it lives.

    Commands call this before spending time on sampling, so a ledger that cannot be
    written fails at once.
    """
    with open_ledger(path) as ledger:
        return ledger.location


def record_at(path: Path | str | None, forecast: Forecast, question: LoadedQuestion) -> int:
    """Open the ledger at ``path``, record one forecast, close it; return the forecast's id."""
    with open_ledger(path) as ledger:
        return record_forecast(ledger, forecast, question)


__all__ = [
    "ENV",
    "OUTCOMES",
    "Contribution",
    "ExpertEntry",
    "ForecastRecord",
    "Latest",
    "Ledger",
    "LedgerError",
    "Resolution",
    "check_writable",
    "default_path",
    "open_ledger",
    "record_at",
    "record_forecast",
    "record_of",
]
