"""``forecast score`` over a ledger: what it reads and scores, before anything is shown.

:func:`score_ledger` checks the request, reads the light records and the outcomes
(only the questions forecast in a kind, with ``kind``), scores them
(:func:`forecast.ledger.evaluate.report`), scores each resolved amount at its value,
and counts the network-implied forecasts left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forecast.errors import UsageError
from forecast.ledger.evaluate import By, ScoreReport, report
from forecast.ledger.pick import Which, network_implied, of_kind


@dataclass(frozen=True)
class LedgerScores:
    """What ``score`` shows of a ledger."""

    report: ScoreReport
    amounts: list[dict[str, object]]
    """Each resolved amount scored at its value (CRPS, log score)."""
    implied: int
    """Network-implied forecasts left out (0 when a kind was asked for)."""
    kind: str | None
    """The kind whose forecasts alone were scored, if one was asked for."""


def check_request(by: By | None, extremize: float, kind: str | None) -> None:
    """Refuse an extremized team without ``by="analyst"`` and a kind that is not one.

    Raises
    ------
    UsageError
        Naming the option to change.
    """
    if extremize != 1.0 and by != "analyst":
        raise UsageError("--extremize sharpens the team forecast of --by analyst; add --by analyst")
    if kind is None:
        return
    from forecast import kinds

    if kind not in kinds.names():
        raise UsageError(f"--kind must be one of {', '.join(kinds.names())} (got {kind!r})")


def score_ledger(
    ledger: str | None,
    *,
    which: Which = "last",
    by: By | None = None,
    since: dt.date | None = None,
    extremize: float = 1.0,
    kind: str | None = None,
) -> LedgerScores:
    """Score the resolved forecasts of the ledger at ``ledger`` (the default one when None).

    ``kind`` scores only that kind's forecasts, of the questions forecast in it
    (``network``: the network-implied forecasts, left out otherwise).
    """
    from forecast.ledger.store import open_ledger
    from forecast.ledger.values import value_scores

    check_request(by, extremize, kind)
    with open_ledger(ledger, write=False) as book:
        every = book.forecasts(light=True)
        light = of_kind(every, kind)
        resolutions = book.resolutions()
        if kind is not None:  # only the questions forecast in that kind
            held = {r.question_id for r in light}
            resolutions = {q: r for q, r in resolutions.items() if q in held}
        amounts = value_scores(book, light, resolutions)
        rep = report(light, resolutions, which=which, by=by, since=since, extremize=extremize)
    implied = sum(1 for r in every if network_implied(r)) if kind is None else 0
    return LedgerScores(rep, amounts, implied, kind)


__all__ = ["LedgerScores", "check_request", "score_ledger"]
