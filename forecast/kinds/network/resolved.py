"""Where a network's observed nodes come from: the network file, a linked question's
``status``, or the outcome recorded in the ledger (``forecast resolve``).

A question node is observed when its file says ``status: yes`` or ``no``, or when the
ledger records it resolved yes or no: the ledger ``--ledger`` names (a file or a URL),
else the configured one (``$FORECAST_LEDGER``, else the default file, when it exists).
The file wins when both say; an annulled question is not observed. Each source is
said in the report, so an observation is never silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from forecast.kinds.network.spec import NetworkQuestion

if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion


def ledger_outcomes(
    question_ids: list[str], location: str | None = None
) -> tuple[dict[str, tuple[str, str]], str | None]:
    """``id -> (outcome, resolved on)`` of the question nodes resolved yes or no in the
    ledger at ``location`` (None: the configured one), and the ledger's location (None
    when there is no ledger there).

    The ledger is only read; one that cannot be read raises the ledger's own error.
    """
    if not question_ids:
        return {}, None
    from forecast.ledger.store import exists

    if location is not None and not location.strip():
        location = None
    if not exists(location):
        return {}, None
    from forecast.ledger import open_ledger

    with open_ledger(location, write=False) as book:
        resolutions = book.resolutions()
        where = str(book.location)
    out = {
        q: (r.outcome, r.resolved_on.isoformat())
        for q in question_ids
        if (r := resolutions.get(q)) is not None and r.outcome in ("yes", "no")
    }
    return out, where


def observations(
    spec: NetworkQuestion,
    questions: Mapping[str, LoadedQuestion],
    ledger: dict[str, tuple[str, str]],
    where: str | None,
) -> dict[str, tuple[str, str]]:
    """``node -> (state, where it came from)`` of every observed node."""
    out: dict[str, tuple[str, str]] = {}
    for node in spec.nodes:
        if node.observed is not None:
            out[node.name] = (node.observed, "observed in the network file")
        q = questions.get(node.name)
        if q is None:
            continue
        if q.spec.status in ("yes", "no"):
            out[node.name] = (q.spec.status, f"status in {q.path.name}")
        elif node.name in ledger:
            outcome, day = ledger[node.name]
            out[node.name] = (outcome, f"resolved in the ledger ({where}) on {day}")
    return out
