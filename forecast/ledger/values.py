"""Scores of questions that resolve at a value (an amount), beside the probability scores.

A question of an amount resolves at a value the ledger keeps with its outcome (and the
priors file too: ``forecast resolve --value``); its kind scores the last forecast
recorded on or before the resolution from that forecast's JSON (for a quantity, CRPS
and the log score). Event kinds have no value and are not read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from forecast.errors import ForecastError
from forecast.ledger.records import ForecastRecord, Resolution

if TYPE_CHECKING:
    from forecast.ledger.interface import Ledger


def _valued_kinds() -> set[str]:
    """The kinds that score a resolved value (those overriding ``value_scores``)."""
    from forecast import kinds
    from forecast.kinds.base import KindBase

    return {
        name
        for name, k in kinds.REGISTRY.items()
        if getattr(type(k), "value_scores", None) is not KindBase.value_scores
    }


def _file_value(rec: ForecastRecord) -> float | None:
    """The value a question's priors file says it resolved at: what a ledger from before
    values were recorded with their outcomes has to go on (None: no file, or no value)."""
    from forecast import kinds
    from forecast.questions.loader import load_question

    if not rec.priors_path:
        return None
    try:
        spec = load_question(rec.priors_path).spec
    except (ForecastError, OSError):
        return None
    return kinds.of(spec).resolved_value(spec)


def value_scores(
    book: Ledger, light: list[ForecastRecord], resolutions: Mapping[str, Resolution]
) -> list[dict[str, object]]:
    """One row per resolved question of an amount: its id, value and the kind's scores
    of its last forecast recorded on or before both the deadline and the resolution.

    ``light`` are the ledger's light records (to find those questions without reading
    every report); the counted forecast's report is read from ``book``. The value is the
    one the ledger recorded with the outcome; an outcome recorded without one (by an
    older forecast) takes it from the priors file, and is left out when the file is gone
    or gives none.
    """
    from forecast import kinds

    valued = _valued_kinds()
    ids = sorted({r.question_id for r in light if r.kind in valued})
    out: list[dict[str, object]] = []
    for qid in ids:
        res = resolutions.get(qid)
        if res is None or res.outcome == "annulled":
            continue
        counted = [
            r
            for r in book.forecasts(qid)
            if r.recorded_at.date() <= min(res.resolved_on, r.deadline or res.resolved_on)
        ]
        if not counted:
            continue
        rec = counted[-1]
        value = res.value if res.value is not None else _file_value(rec)
        kind = kinds.REGISTRY.get(rec.kind)
        if value is None or kind is None or rec.document is None:
            continue
        scores = kind.value_scores(rec.document, value)
        if scores is not None:
            out.append({"question": qid, "kind": rec.kind, "value": value, **scores})
    return out


__all__ = ["value_scores"]
