"""How a recorded forecast is laid out in a database row, for every backend.

Both backends store the same columns: times as UTC ISO 8601 text with microseconds
(so text order is time order, and a copy between backends is exact), structured
fields as JSON text. :func:`record_from_row` also accepts the values a driver has
already decoded (a ``datetime``, a parsed JSON list), so a backend may use its native
column types.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from typing import Any

from forecast.ledger.records import (
    Contribution,
    ExpertEntry,
    ForecastRecord,
    Resolution,
    as_utc,
    contributions_json,
    experts_json,
)

FORECAST_COLUMNS = (
    "question_id",
    "recorded_at",
    "probability",
    "intervals",
    "kind",
    "pool",
    "seed",
    "version",
    "priors_sha256",
    "priors_path",
    "title",
    "deadline",
    "tags",
    "prior_probability",
    "contributions",
    "experts",
    "document",
    "analyst",
)
"""The columns of a forecast row written by :func:`forecast_row`, in order."""


def iso(t: dt.datetime) -> str:
    """UTC ISO 8601 with microseconds, so the text sorts in time order."""
    return as_utc(t).isoformat(timespec="microseconds")


def forecast_row(r: ForecastRecord) -> dict[str, Any]:
    """The column values of a forecast (the priors text goes to the snapshots table)."""
    row = {
        "question_id": r.question_id,
        "recorded_at": iso(r.recorded_at),
        "probability": r.probability,
        "intervals": json.dumps({k: list(v) for k, v in r.intervals.items()}),
        "kind": r.kind,
        "pool": r.pool,
        "seed": r.seed,
        "version": r.version,
        "priors_sha256": r.priors_sha256,
        "priors_path": r.priors_path,
        "title": r.title,
        "deadline": r.deadline.isoformat() if r.deadline else None,
        "tags": json.dumps(list(r.tags), ensure_ascii=False),
        "prior_probability": r.prior_probability,
        "contributions": contributions_json(r),
        "experts": experts_json(r),
        "document": None
        if r.document is None
        else json.dumps(r.document, ensure_ascii=False, default=str),
        "analyst": r.analyst,
    }
    assert tuple(row) == FORECAST_COLUMNS
    return row


@functools.lru_cache(maxsize=4096)
def _tags_of(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


@functools.lru_cache(maxsize=4096)
def _experts_of(text: str) -> tuple[ExpertEntry, ...]:
    return tuple(
        ExpertEntry(e["name"], float(e["weight"]), float(e["probability"]))
        for e in json.loads(text)
    )


def _tags(value: Any) -> tuple[str, ...]:
    """The tags of a row; the same text is decoded once (forecasts of a question share it)."""
    return _tags_of(value) if isinstance(value, str) else tuple(value)


def _experts(value: Any) -> tuple[ExpertEntry, ...]:
    """The experts of a row, decoded once per distinct text (they are immutable)."""
    if isinstance(value, str):
        return _experts_of(value)
    return tuple(ExpertEntry(e["name"], float(e["weight"]), float(e["probability"])) for e in value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def to_time(value: Any) -> dt.datetime:
    """A stored time (ISO text or a datetime) as an aware UTC datetime."""
    return as_utc(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value))


def _day(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


LIGHT_COLUMNS = tuple(
    c for c in FORECAST_COLUMNS if c not in ("intervals", "contributions", "document")
)
"""The columns a light read (for scoring) needs: no report, no chain, no intervals."""


class Unreadable(ValueError):
    """A stored row holds a value that cannot be decoded (the ledger is damaged)."""


def record_from_row(row: Mapping[str, Any], *, light: bool = False) -> ForecastRecord:
    """A forecast from its row (with ``priors_text`` joined from the snapshots table).

    A row without an ``analyst`` column (a ledger of an older schema read without
    upgrading it) has no analyst. ``light`` leaves out what scoring does not need: the
    intervals, the contributions, the full report and the priors text.

    Raises
    ------
    Unreadable
        When a stored value is not what the schema says (not UTF-8, not JSON, a field
        missing), naming the forecast's id.
    """
    try:
        return _record(row, light)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unreadable(
            f"forecast #{row.get('id')} holds a value that cannot be read ({type(exc).__name__})"
        ) from None


def _record(row: Mapping[str, Any], light: bool) -> ForecastRecord:
    document = None if light else row["document"]
    return ForecastRecord(
        id=int(row["id"]),
        question_id=row["question_id"],
        recorded_at=to_time(row["recorded_at"]),
        probability=float(row["probability"]),
        intervals={}
        if light
        else {k: (float(v[0]), float(v[1])) for k, v in _json(row["intervals"]).items()},
        kind=row["kind"],
        pool=row["pool"],
        seed=row["seed"],
        version=row["version"],
        priors_sha256=row["priors_sha256"],
        priors_text="" if light else row["priors_text"],
        priors_path=row["priors_path"],
        title=row["title"],
        deadline=_day(row["deadline"]),
        tags=_tags(row["tags"]),
        prior_probability=row["prior_probability"],
        contributions=()
        if light
        else tuple(
            Contribution(c["label"], c["kind"], float(c["before"]), float(c["after"]))
            for c in _json(row["contributions"])
        ),
        experts=_experts(row["experts"]),
        analyst=row.get("analyst"),
        document=None if document is None else _json(document),
    )


def resolution_from_row(
    q: str, outcome: str, day: Any, recorded: Any, reason: str | None = None
) -> Resolution:
    """A resolution from its four columns (and its reason, where the ledger has one);
    :class:`Unreadable` when a stored value cannot be read."""
    try:
        resolved_on = _day(day)
        if resolved_on is None:
            raise ValueError("no date")
        return Resolution(q, outcome, resolved_on, to_time(recorded), reason)
    except (ValueError, TypeError, AttributeError) as exc:
        raise Unreadable(
            f"the outcome of {str(q)[:60]!r} holds a value that cannot be read "
            f"({type(exc).__name__})"
        ) from None


def forecast_key(r: ForecastRecord) -> tuple[str, str, str, str]:
    """What makes a forecast the same one in two ledgers (its ids differ between them).

    The recording time has microseconds, so with the question, the priors and the
    analyst it names one forecast; copying a ledger twice adds nothing the second time.
    """
    return (r.question_id, iso(r.recorded_at), r.priors_sha256, r.analyst or "")


def resolution_key(r: Resolution) -> tuple[str, str, str, str]:
    """What makes a logged outcome the same one in two ledgers."""
    return (r.question_id, r.outcome, r.resolved_on.isoformat(), iso(r.recorded_at))
