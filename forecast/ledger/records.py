"""What the ledger holds: recorded forecasts and resolutions, as plain data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forecast.results import Forecast

OUTCOMES = ("yes", "no", "annulled")
"""How a question can resolve."""


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC, on the pinned day when ``FORECAST_TODAY``
    pins one (so a forecast recorded "today" is never after a resolution made today)."""
    from forecast import staleness

    now = dt.datetime.now(dt.UTC)
    if os.environ.get(staleness.TODAY_ENV, "").strip():
        return dt.datetime.combine(staleness.today(), now.timetz())
    return now


def as_utc(t: dt.datetime) -> dt.datetime:
    """``t`` in UTC (a naive time is taken to be UTC already)."""
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


@dataclass(frozen=True)
class Contribution:
    """One step of a forecast's 'what moved it' chain, as recorded."""

    label: str
    kind: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        """How many probability units the step moved the forecast."""
        return self.after - self.before


@dataclass(frozen=True)
class ExpertEntry:
    """One expert at the time of a forecast: pool weight and own implied probability."""

    name: str
    weight: float
    probability: float


@dataclass(frozen=True)
class ForecastRecord:
    """One recorded forecast of one question.

    ``priors_text`` is the priors file exactly as it was sampled, so a later reader can
    see which judgements produced the number; ``document`` is the full JSON report.
    """

    question_id: str
    recorded_at: dt.datetime
    probability: float
    intervals: Mapping[str, tuple[float, float]]
    kind: str
    pool: str
    seed: int | None
    version: str
    priors_sha256: str
    priors_text: str
    title: str = ""
    deadline: dt.date | None = None
    tags: tuple[str, ...] = ()
    prior_probability: float | None = None
    contributions: tuple[Contribution, ...] = ()
    experts: tuple[ExpertEntry, ...] = ()
    priors_path: str | None = None
    analyst: str | None = None
    """Who made the forecast (None for forecasts recorded before analysts were kept)."""
    document: Mapping[str, object] | None = field(default=None, compare=False)
    id: int | None = None


@dataclass(frozen=True)
class Latest:
    """The newest recorded forecast of a question, without its documents."""

    question_id: str
    recorded_at: dt.datetime
    probability: float
    priors_sha256: str
    priors_text: str = ""


@dataclass(frozen=True)
class Resolution:
    """The outcome of a question and the date it resolved."""

    question_id: str
    outcome: str
    resolved_on: dt.date
    recorded_at: dt.datetime
    reason: str | None = None
    """Why it was recorded so, when the analyst said (``forecast resolve --reason``)."""
    value: float | None = None
    """The amount a question of an amount resolved at (``forecast resolve --value``)."""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)} (got {self.outcome!r})")


def record_of(
    forecast: Mapping[str, Any],
    *,
    priors_text: str,
    priors_path: str | None = None,
    tags: Sequence[str] = (),
    recorded_at: dt.datetime | None = None,
    pool: str | None = None,
    analyst: str | None = None,
) -> ForecastRecord:
    """A ledger record from a forecast's JSON object (``Forecast.to_dict()``).

    Each expert's own implied probability is the mean of their fitted judgement
    (``implies.mean``). The pool is the forecast's ``pool`` key, else ``pool``, else
    linear (the pool of forecasts that do not say).
    """
    if forecast.get("scenario"):
        raise ValueError(_SCENARIO)
    question = forecast["question"]
    prov = forecast.get("provenance", {})
    deadline = question.get("deadline")
    intervals = {
        str(k): (float(v[0]), float(v[1])) for k, v in (forecast.get("intervals") or {}).items()
    }
    prior = forecast.get("prior") or {}
    return ForecastRecord(
        question_id=str(question["id"]),
        recorded_at=as_utc(recorded_at) if recorded_at else utc_now(),
        probability=float(forecast["probability"]),
        intervals=intervals,
        kind=str(question.get("kind", "event")),
        pool=_pool_name(forecast.get("pool")) or pool or "linear",
        seed=None if prov.get("seed") is None else int(prov["seed"]),
        version=str(prov.get("version", "")),
        priors_sha256=str(prov.get("sha256") or hashlib.sha256(priors_text.encode()).hexdigest()),
        priors_text=priors_text,
        title=str(question.get("title", "")),
        deadline=dt.date.fromisoformat(deadline) if deadline else None,
        tags=tuple(tags),
        prior_probability=None if prior.get("probability") is None else float(prior["probability"]),
        contributions=tuple(
            Contribution(str(c["label"]), str(c["kind"]), float(c["before"]), float(c["after"]))
            for c in forecast.get("contributions") or ()
            if all(c.get(k) is not None for k in ("label", "kind", "before", "after"))
        ),
        experts=tuple(
            ExpertEntry(str(e["name"]), float(e.get("weight", 1.0)), float(e["implies"]["mean"]))
            for e in forecast.get("experts") or ()
            if "name" in e and (e.get("implies") or {}).get("mean") is not None
        ),
        priors_path=priors_path,
        analyst=analyst,
        document=forecast,
    )


def record_from(
    forecast: Forecast,
    *,
    priors_text: str,
    priors_path: str | None = None,
    tags: Sequence[str] = (),
    recorded_at: dt.datetime | None = None,
    pool: str | None = None,
    analyst: str | None = None,
) -> ForecastRecord:
    """A ledger record from a :class:`~forecast.results.Forecast` itself.

    The same record :func:`record_of` reads from the forecast's JSON object; the JSON
    is made once, as the report the record keeps (``document``). Each expert's own
    implied probability is the mean of their fitted judgement; ``pool`` is the pool's
    method (default linear).
    """
    if forecast.scenario is not None:
        raise ValueError(_SCENARIO)
    prov = forecast.provenance
    return ForecastRecord(
        question_id=forecast.question_id,
        recorded_at=as_utc(recorded_at) if recorded_at else utc_now(),
        probability=float(forecast.probability),
        intervals={
            f"{round(i.mass * 100)}": (float(i.lo), float(i.hi)) for i in forecast.intervals
        },
        kind=forecast.kind,
        pool=pool or "linear",
        seed=int(prov.seed),
        version=str(prov.version),
        priors_sha256=prov.sha256 or hashlib.sha256(priors_text.encode()).hexdigest(),
        priors_text=priors_text,
        title=forecast.title,
        deadline=forecast.deadline,
        tags=tuple(tags),
        prior_probability=float(forecast.prior_probability),
        contributions=tuple(
            Contribution(s.label, s.kind, float(s.before), float(s.after)) for s in forecast.steps
        ),
        experts=tuple(
            ExpertEntry(e.name, float(e.weight), float(e.implies["mean"]))
            for e in forecast.experts
            if e.implies.get("mean") is not None
        ),
        priors_path=priors_path,
        analyst=analyst,
        document=forecast.to_dict(),
    )


_SCENARIO = (
    "a forecast under a scenario is not recorded: the ledger keeps the forecasts that are scored"
)


ANALYST_ENV = "FORECAST_ANALYST"
"""Environment variable naming the analyst who records forecasts (``--analyst`` wins)."""


def current_analyst(given: str | None = None) -> str:
    """Who is recording: ``given``, else ``$FORECAST_ANALYST``, else the operating-system user."""
    import getpass
    import os

    for name in (given, os.environ.get(ANALYST_ENV)):
        if name is not None and name.strip():
            return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (some containers)
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _pool_name(pool: object) -> str | None:
    """The pool's method from a ``pool`` value that is a name or a mapping with a method."""
    if isinstance(pool, str):
        return pool
    if isinstance(pool, Mapping) and pool.get("method"):
        return str(pool["method"])
    return None


def contributions_json(r: ForecastRecord) -> str:
    """A record's contributions as the JSON text stored and exported."""
    return json.dumps(
        [
            {"label": c.label, "kind": c.kind, "before": c.before, "after": c.after}
            for c in r.contributions
        ],
        ensure_ascii=False,
    )


def experts_json(r: ForecastRecord) -> str:
    """A record's experts as the JSON text stored and exported."""
    return json.dumps(
        [{"name": e.name, "weight": e.weight, "probability": e.probability} for e in r.experts],
        ensure_ascii=False,
    )
