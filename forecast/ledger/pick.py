"""Which forecast counts for a question: the last before its cutoff, or the time average.

For every question resolved yes or no the forecasts that count are those recorded on or
before its cutoff, the earlier of the deadline and the resolution date. ``which="last"``
takes the last of them; ``which="mean"`` takes their time average, each forecast
holding from when it was recorded until the next one (or the end of the cutoff day).
Scoring the whole ledger (:mod:`forecast.ledger.evaluate`) and each analyst
(:mod:`forecast.ledger.analysts`) choose alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import Literal, TypedDict

from forecast.ledger.records import ForecastRecord, Resolution

Which = Literal["last", "mean"]

NETWORK = "network"
"""The kind of a network-implied forecast: what a network of linked questions said of
one of its question nodes, recorded under that question's id (``run NET --record``)."""


class NetworkNodeDoc(TypedDict):
    """``network_node`` in the report of a network-implied forecast (docs/json.md): the
    network's id and the node's."""

    network: str
    node: str


def network_implied(r: ForecastRecord) -> bool:
    """Whether ``r`` is a network's forecast of one of its question nodes rather than the
    question's own: of kind ``network`` and recorded under another id than its priors
    file's (a network's record of its own headline, under the network's id, is its own
    forecast). A record without a priors path counts as implied."""
    if r.kind != NETWORK:
        return False
    return not r.priors_path or PurePath(r.priors_path).stem != r.question_id


def network_node(document: Mapping[str, object] | None) -> NetworkNodeDoc | None:
    """The ``network_node`` object of a recorded report (the network and the node it
    forecast), or None when the report has none or it is malformed."""
    node = (document or {}).get("network_node")
    if not isinstance(node, Mapping):
        return None
    network, name = node.get("network"), node.get("node")
    if not isinstance(network, str) or not isinstance(name, str):
        return None
    return {"network": network, "node": name}


def implied_by(r: ForecastRecord) -> str | None:
    """The network a network-implied forecast came from (its id when the record's report
    says it, else ``network``); None for a question's own forecast."""
    if not network_implied(r):
        return None
    node = network_node(r.document)
    return node["network"] if node is not None and node["network"] else NETWORK


def of_kind(records: Iterable[ForecastRecord], kind: str | None) -> list[ForecastRecord]:
    """The forecasts that are scored: with ``kind`` None a question's own forecasts
    (network-implied ones left out, so a network's number never stands in for the
    question's own in its track record), else only the forecasts of that kind
    (``network``: the network-implied ones)."""
    if kind is None:
        return [r for r in records if not network_implied(r)]
    if kind == NETWORK:
        return [r for r in records if network_implied(r)]
    return [r for r in records if r.kind == kind]


def probability_of(r: ForecastRecord) -> float:
    """The forecast's own probability (what :func:`pick` reads by default)."""
    return r.probability


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` (UTC): a forecast counts when recorded before it."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def pick(
    records: list[ForecastRecord],
    cutoff: dt.date,
    which: Which,
    value: Callable[[ForecastRecord], float | None] = lambda r: r.probability,
) -> tuple[float, ForecastRecord] | None:
    """The probability that counts, and the forecast the horizon is measured from.

    ``records`` are one question's forecasts, oldest first; ``value`` reads the
    probability from a record (None when the record has none, e.g. an absent expert).
    """
    end = end_of(cutoff)
    return pick_before([r for r in records if r.recorded_at < end], end, which, value)


def pick_before(
    rows: list[ForecastRecord],
    end: dt.datetime,
    which: Which,
    value: Callable[[ForecastRecord], float | None],
) -> tuple[float, ForecastRecord] | None:
    """:func:`pick` on ``rows``, the forecasts recorded before ``end`` (the end of the
    cutoff day, :func:`end_of`), oldest first."""
    held = [(r, v) for r in rows if (v := value(r)) is not None]
    if not held:
        return None
    if which == "last":
        return held[-1][1], held[-1][0]
    # each forecast holds until the next one of the question, whoever took part in it
    stops = [r.recorded_at for r in rows[1:]] + [end]
    until = {id(r): s for r, s in zip(rows, stops, strict=True)}
    weights = [(until[id(r)] - r.recorded_at).total_seconds() for r, _ in held]
    total = sum(weights)
    if total <= 0:
        mean = sum(v for _, v in held) / len(held)
    else:
        mean = sum(w * v for w, (_, v) in zip(weights, held, strict=True)) / total
    return mean, held[0][0]


def cutoff(rows: list[ForecastRecord], res: Resolution) -> dt.date:
    """The last day a forecast of the question counts: the earlier of its deadline (as
    the newest forecast records it) and the resolution date."""
    deadline = next((r.deadline for r in reversed(rows) if r.deadline), None)
    return min(res.resolved_on, deadline) if deadline else res.resolved_on
