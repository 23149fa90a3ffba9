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
from collections.abc import Callable, Iterable, Mapping, Sequence

from forecast.ledger.records import (
    Contribution,
    ExpertEntry,
    ForecastRecord,
    Latest,
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


def forecast_row(r: ForecastRecord) -> dict[str, object]:
    """The column values of a forecast (the priors text goes to the snapshots table)."""
    row: dict[str, object] = {
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


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"a list was stored as {type(value).__name__}")
    return value


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"an object was stored as {type(value).__name__}")
    return value


def _number(value: object) -> float:
    """A stored number; text or anything else where a number belongs is damage."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a number was stored as {type(value).__name__}")
    return float(value)


def text_of(value: object) -> str:
    """Stored text; a BLOB (a value written as bytes) is read as the UTF-8 it holds."""
    if type(value) is str:
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")  # UnicodeDecodeError is a ValueError: damage
    if not isinstance(value, str):
        raise ValueError(f"text was stored as {type(value).__name__}")
    return value


@functools.lru_cache(maxsize=4096)
def _tags_of(text: str) -> tuple[str, ...]:
    return tuple(text_of(t) for t in _list(json.loads(text)))


def _expert(e: object) -> ExpertEntry:
    e = _mapping(e)
    return ExpertEntry(text_of(e["name"]), _number(e["weight"]), _number(e["probability"]))


@functools.lru_cache(maxsize=4096)
def _experts_of(text: str) -> tuple[ExpertEntry, ...]:
    return tuple(_expert(e) for e in _list(json.loads(text)))


def _tags(value: object) -> tuple[str, ...]:
    """The tags of a row; the same text is decoded once (forecasts of a question share it)."""
    if isinstance(value, str):
        return _tags_of(value)
    return tuple(text_of(t) for t in _list(_json(value)))


def _experts(value: object) -> tuple[ExpertEntry, ...]:
    """The experts of a row, decoded once per distinct text (they are immutable)."""
    if isinstance(value, str):
        return _experts_of(value)
    return tuple(_expert(e) for e in _list(_json(value)))


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str | bytes) else value


def to_time(value: object) -> dt.datetime:
    """A stored time (ISO text or a datetime) as an aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return as_utc(value)
    return as_utc(dt.datetime.fromisoformat(text_of(value)))


def _day(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(text_of(value))


def _integer(value: object) -> int:
    if type(value) is int:
        return value
    return int(_number(value))


def _optional[T](value: object, read: Callable[[object], T]) -> T | None:
    return None if value is None else read(value)


LIGHT_COLUMNS = tuple(
    c for c in FORECAST_COLUMNS if c not in ("intervals", "contributions", "document")
)
"""The columns a light read (for scoring) needs: no report, no chain, no intervals."""


class Unreadable(ValueError):
    """A stored row holds a value that cannot be decoded (the ledger is damaged)."""


def record_from_row(row: Mapping[str, object], *, light: bool = False) -> ForecastRecord:
    """A forecast from its row (with ``priors_text`` joined from the snapshots table).

    A row without an ``analyst`` column (a ledger of an older schema read without
    upgrading it) has no analyst. ``light`` leaves out what scoring does not need: the
    intervals, the contributions, the full report and the priors text. Text stored as a
    BLOB is read as the UTF-8 text it holds.

    Raises
    ------
    Unreadable
        When a stored value is not what the schema says (not UTF-8, not JSON, of another
        type, a field missing), naming the forecast's id. Every other error is a fault of
        this program, not of the ledger, and is not hidden as damage.
    """
    try:
        return _record(row, light)
    except (ValueError, KeyError) as exc:  # json and UTF-8 errors are ValueErrors
        raise Unreadable(
            f"forecast #{row.get('id')} holds a value that cannot be read ({type(exc).__name__})"
        ) from None


def _record(row: Mapping[str, object], light: bool) -> ForecastRecord:
    document = None if light else row["document"]
    return ForecastRecord(
        id=_integer(row["id"]),
        question_id=text_of(row["question_id"]),
        recorded_at=to_time(row["recorded_at"]),
        probability=_number(row["probability"]),
        intervals={}
        if light
        else {
            text_of(k): (_number(_list(v)[0]), _number(_list(v)[1]))
            for k, v in _mapping(_json(row["intervals"])).items()
        },
        kind=text_of(row["kind"]),
        pool=text_of(row["pool"]),
        seed=_optional(row["seed"], _integer),
        version=text_of(row["version"]),
        priors_sha256=text_of(row["priors_sha256"]),
        priors_text="" if light else text_of(row["priors_text"]),
        priors_path=_optional(row["priors_path"], text_of),
        title=text_of(row["title"]),
        deadline=_day(row["deadline"]),
        tags=_tags(row["tags"]),
        prior_probability=_optional(row["prior_probability"], _number),
        contributions=()
        if light
        else tuple(_contribution(c) for c in _list(_json(row["contributions"]))),
        experts=_experts(row["experts"]),
        analyst=_optional(row.get("analyst"), text_of),
        document=_optional(None if document is None else _json(document), _mapping),
    )


_LIGHT: dict[str, object] = {
    "intervals": {},
    "priors_text": "",
    "contributions": (),
    "document": None,
}
"""What a light record leaves out (see :data:`LIGHT_COLUMNS`)."""


def light_records(names: Sequence[str], rows: Iterable[Sequence[object]]) -> list[ForecastRecord]:
    """:func:`record_from_row` with ``light=True`` over many rows of the columns ``names``
    (``id`` and :data:`LIGHT_COLUMNS`, ``analyst`` where the schema has it): the same
    records, read by column position and built at once.

    Raises
    ------
    Unreadable
        As :func:`record_from_row`, naming the forecast's id.
    """
    at = {name: i for i, name in enumerate(names)}
    analyst = at.get("analyst")
    (rid, qid, when, p, kind, pool, seed, version, sha, path, title, day, tags, prior, experts) = (
        at[c] for c in (
            "id", "question_id", "recorded_at", "probability", "kind", "pool", "seed", "version",
            "priors_sha256", "priors_path", "title", "deadline", "tags", "prior_probability",
            "experts",
        )
    )  # fmt: skip
    out: list[ForecastRecord] = []
    for row in rows:
        try:
            fields: dict[str, object] = {
                "question_id": text_of(row[qid]),
                "recorded_at": to_time(row[when]),
                "probability": _number(row[p]),
                "kind": text_of(row[kind]),
                "pool": text_of(row[pool]),
                "seed": None if row[seed] is None else _integer(row[seed]),
                "version": text_of(row[version]),
                "priors_sha256": text_of(row[sha]),
                "priors_path": None if row[path] is None else text_of(row[path]),
                "title": text_of(row[title]),
                "deadline": _day(row[day]),
                "tags": _tags(row[tags]),
                "prior_probability": None if row[prior] is None else _number(row[prior]),
                "experts": _experts(row[experts]),
                "analyst": None
                if analyst is None or row[analyst] is None
                else text_of(row[analyst]),
                "id": _integer(row[rid]),
                **_LIGHT,
            }
        except (ValueError, KeyError) as exc:
            raise Unreadable(
                f"forecast #{row[rid]} holds a value that cannot be read ({type(exc).__name__})"
            ) from None
        out.append(_built(fields))
    return out


def _built(fields: dict[str, object]) -> ForecastRecord:
    """A record of fields already read and checked.

    A frozen dataclass's ``__init__`` sets each of its fields through
    ``object.__setattr__``: for the 10,000 forecasts ``score`` reads, that costs more than
    reading them. ForecastRecord has no ``__post_init__`` and no slots, so its fields go
    into the instance's dictionary at once (a test checks the records equal the
    constructor's).
    """
    record = object.__new__(ForecastRecord)
    record.__dict__.update(fields)
    return record


def _contribution(c: object) -> Contribution:
    c = _mapping(c)
    return Contribution(
        text_of(c["label"]), text_of(c["kind"]), _number(c["before"]), _number(c["after"])
    )


def latest_from_row(q: object, recorded: object, p: object, sha: object, text: object) -> Latest:
    """The newest forecast of a question from its columns (priors text a BLOB or text);
    :class:`Unreadable` when a stored value cannot be read."""
    try:
        return Latest(text_of(q), to_time(recorded), _number(p), text_of(sha), text_of(text))
    except ValueError as exc:
        raise Unreadable(
            f"the newest forecast of {str(q)[:60]!r} holds a value that cannot be read "
            f"({type(exc).__name__})"
        ) from None


def resolution_from_row(
    q: object,
    outcome: object,
    day: object,
    recorded: object,
    reason: object = None,
    value: object = None,
) -> Resolution:
    """A resolution from its four columns (and its reason and value, where the ledger has
    them);
    :class:`Unreadable` when a stored value cannot be read."""
    try:
        resolved_on = _day(day)
        if resolved_on is None:
            raise ValueError("no date")
        return Resolution(
            text_of(q), text_of(outcome), resolved_on, to_time(recorded),
            _optional(reason, text_of), _optional(value, _number),
        )  # fmt: skip
    except ValueError as exc:
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
