"""The forecast ledger: every recorded forecast and outcome, kept safe for scoring.

Commands use :func:`open_ledger` and the :class:`Ledger` interface; the SQLite file is
the embedded default (see :mod:`forecast.ledger.sqlite`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from forecast.ledger.records import (
    ANALYST_ENV,
    OUTCOMES,
    Contribution,
    ExpertEntry,
    ForecastRecord,
    Latest,
    Resolution,
    current_analyst,
    record_from,
    record_of,
)
from forecast.ledger.store import ENV, Ledger, LedgerError, default_path, open_ledger

if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast


def record_forecast(
    ledger: Ledger, forecast: Forecast, question: LoadedQuestion, *, analyst: str | None = None
) -> int:
    """Record a forecast made from ``question``'s priors file; return its ledger id.

    ``analyst`` is who made it (default: :func:`current_analyst`).
    """
    return ledger.record(
        record_from(
            forecast,
            priors_text=question.text,
            priors_path=str(question.path),
            tags=getattr(question.spec, "tags", ()),
            pool=getattr(getattr(question.spec, "pool", None), "method", None),
            analyst=current_analyst(analyst),
        )
    )


def check_writable(path: Path | str | None = None) -> str:
    """Open the ledger for writing and close it again; return where it lives.

    Commands call this before spending time on sampling, so a ledger that cannot be
    written fails at once.
    """
    with open_ledger(path) as ledger:
        return ledger.location


def record_at(
    path: Path | str | None,
    forecast: Forecast,
    question: LoadedQuestion,
    *,
    analyst: str | None = None,
) -> int:
    """Open the ledger at ``path``, record one forecast, close it; return the forecast's id."""
    with open_ledger(path) as ledger:
        return record_forecast(ledger, forecast, question, analyst=analyst)


__all__ = [
    "ANALYST_ENV",
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
    "current_analyst",
    "default_path",
    "open_ledger",
    "record_at",
    "record_forecast",
    "record_from",
    "record_of",
]
