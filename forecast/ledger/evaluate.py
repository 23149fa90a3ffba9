"""From the ledger to scores: which forecast counts for each resolved question, grouped.

For every question resolved yes or no (annulled ones are left out) the forecasts
that count are those recorded on or before its cutoff, the earlier of the deadline and
the resolution date. ``which="last"`` takes the last of them; ``which="mean"`` takes
their time average, each forecast holding from when it was recorded until the next
one (or the end of the cutoff day). Per expert, the same is done with each expert's
own implied probability, over the forecasts in which that expert took part; only
event questions count there, since the experts of a drivers or time-to-event question
judge another quantity (the chance with every driver off, or at one opportunity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from forecast import scoring
from forecast.ledger.pick import Which, cutoff, end_of, pick_before, probability_of
from forecast.ledger.records import ForecastRecord, Resolution

if TYPE_CHECKING:
    from forecast.corp import Corp
    from forecast.ledger.analysts import Team

By = Literal["tag", "horizon", "expert", "analyst"]

HORIZONS: tuple[tuple[str, int | None], ...] = (
    ("≤30 days", 30),
    ("31–90 days", 90),
    ("91–365 days", 365),
    (">365 days", None),
)
"""Horizon groups: days from the counted forecast to the cutoff."""


@dataclass(frozen=True)
class Counted:
    """One resolved question as it is scored."""

    question_id: str
    outcome: int
    probability: float
    cutoff: dt.date
    horizon_days: int
    tags: tuple[str, ...]
    experts: Mapping[str, float] = field(default_factory=dict)
    forecasts: int = 1


@dataclass(frozen=True)
class Group:
    """The scores of one group of questions (a tag, a horizon, an expert)."""

    name: str
    scores: scoring.Scores

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {"group": self.name, **self.scores.to_dict()}


@dataclass(frozen=True)
class ScoreReport:
    """Scores of every counted question, plus per-group scores when asked."""

    which: Which
    by: By | None
    since: dt.date | None
    overall: scoring.Scores
    groups: tuple[Group, ...]
    questions: tuple[Counted, ...]
    unscored: tuple[str, ...]
    annulled: int
    corp: Corp | None = None
    """The CORP decomposition and diagram; None below :data:`forecast.corp.MIN_QUESTIONS`."""
    team: Team | None = None
    """With ``by="analyst"``: the analysts side by side and the team forecast."""

    @property
    def judged(self) -> bool:
        """Whether there are enough resolved questions to judge calibration."""
        from forecast.corp import MIN_QUESTIONS

        return self.overall.n >= MIN_QUESTIONS

    def to_dict(self) -> dict[str, object]:
        """The ``forecast.score/1`` JSON object."""
        from forecast.corp import MIN_QUESTIONS

        return {
            "schema": "forecast.score/1",
            "which": self.which,
            "by": self.by,
            "since": self.since.isoformat() if self.since else None,
            **self.overall.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "questions": [
                {
                    "id": c.question_id,
                    "outcome": "yes" if c.outcome else "no",
                    "probability": c.probability,
                    "cutoff": c.cutoff.isoformat(),
                    "horizon_days": c.horizon_days,
                    "forecasts": c.forecasts,
                }
                for c in self.questions
            ],
            "unscored": list(self.unscored),
            "annulled": self.annulled,
            "calibration": {
                "judged": self.judged,
                "minimum": MIN_QUESTIONS,
                "corp": None if self.corp is None else self.corp.to_dict(),
            },
            **({} if self.team is None else self.team.to_dict()),
        }


def counted(
    records: Iterable[ForecastRecord],
    resolutions: Mapping[str, Resolution],
    *,
    which: Which = "last",
    since: dt.date | None = None,
    experts: bool = True,
) -> tuple[list[Counted], list[str], int]:
    """Every resolved question with the probability that counts for it (and, with
    ``experts``, each expert's).

    Returns the counted questions, the ids of resolved questions with no forecast
    before their cutoff, and the number of annulled questions left out.
    """

    by_q: dict[str, list[ForecastRecord]] = {}
    for r in records:
        by_q.setdefault(r.question_id, []).append(r)
    out: list[Counted] = []
    unscored: list[str] = []
    annulled = 0
    for qid in sorted(resolutions):
        res = resolutions[qid]
        if since is not None and res.resolved_on < since:
            continue
        if res.outcome == "annulled":
            annulled += 1
            continue
        rows = sorted(by_q.get(qid, []), key=lambda r: (r.recorded_at, r.id or 0))
        end = cutoff(rows, res)
        stop = end_of(end)
        before = [r for r in rows if r.recorded_at < stop]
        got = pick_before(before, stop, which, probability_of)
        if got is None:
            unscored.append(qid)
            continue
        p, first = got
        tags = before[-1].tags if before else ()
        out.append(
            Counted(
                question_id=qid,
                outcome=1 if res.outcome == "yes" else 0,
                probability=p,
                cutoff=end,
                horizon_days=(end - first.recorded_at.date()).days,
                tags=tuple(tags),
                experts=_experts(before, stop, which) if experts else {},
                forecasts=len(before),
            )
        )
    return out, unscored, annulled


def _experts(before: list[ForecastRecord], stop: dt.datetime, which: Which) -> dict[str, float]:
    """Each expert's probability that counts for a question, from its forecasts before
    ``stop`` of the kinds whose experts judge the event itself."""
    from forecast.kinds import scores_experts

    experts: dict[str, float] = {}
    said = {id(r): _first_of_each(r) for r in before if r.experts and scores_experts(r.kind)}
    for name in dict.fromkeys(e.name for r in before for e in r.experts) if said else ():
        e_got = pick_before(before, stop, which, _expert_value(said, name))
        if e_got is not None:
            experts[name] = e_got[0]
    return experts


def _expert_value(
    said: Mapping[int, Mapping[str, float]], name: str
) -> Callable[[ForecastRecord], float | None]:
    """Reads ``name``'s probability from a forecast of ``said`` (None where absent: only
    event forecasts count, since other kinds' experts judge another quantity)."""

    def value(r: ForecastRecord) -> float | None:
        got = said.get(id(r))
        return None if got is None else got.get(name)

    return value


def _first_of_each(r: ForecastRecord) -> dict[str, float]:
    """Each expert's probability in a forecast (the first entry, should a name repeat)."""
    said: dict[str, float] = {}
    for e in r.experts:
        said.setdefault(e.name, e.probability)
    return said


def horizon_group(days: int) -> str:
    """The horizon group a number of days falls in."""
    for label, upto in HORIZONS:
        if upto is None or days <= upto:
            return label
    raise AssertionError("unreachable")  # pragma: no cover


def report(
    records: Iterable[ForecastRecord],
    resolutions: Mapping[str, Resolution],
    *,
    which: Which = "last",
    by: By | None = None,
    since: dt.date | None = None,
    extremize: float = 1.0,
) -> ScoreReport:
    """Scores overall and, with ``by``, per tag, horizon group, expert or analyst.

    Per analyst, ``extremize`` sharpens the team forecast (the mean of the analysts'
    log-odds, times ``extremize``).
    """
    from forecast import corp

    records = list(records)
    qs, unscored, annulled = counted(
        records, resolutions, which=which, since=since, experts=by == "expert"
    )
    overall = scoring.score([c.probability for c in qs], [c.outcome for c in qs])
    pairs: dict[str, tuple[list[float], list[int]]] = {}

    def add(group: str, p: float, o: int) -> None:
        ps, os_ = pairs.setdefault(group, ([], []))
        ps.append(p)
        os_.append(o)

    for c in qs:
        if by == "tag":
            for t in c.tags or ("(no tag)",):
                add(t, c.probability, c.outcome)
        elif by == "horizon":
            add(horizon_group(c.horizon_days), c.probability, c.outcome)
        elif by == "expert":
            for name, p in c.experts.items():
                add(name, p, c.outcome)
    order = [h for h, _ in HORIZONS if h in pairs] if by == "horizon" else sorted(pairs)
    groups = tuple(Group(g, scoring.score(*pairs[g])) for g in order)
    team = None
    if by == "analyst":
        from forecast.ledger.analysts import TEAM, compare

        team = compare(records, resolutions, which=which, since=since, extremize=extremize)
        groups = (
            *(Group(a.name, a.scores) for a in team.analysts),
            Group(TEAM, team.team),
        )
    fit = None
    if overall.n >= corp.MIN_QUESTIONS:
        fit = corp.decompose([c.probability for c in qs], [c.outcome for c in qs])
    return ScoreReport(
        which, by, since, overall, groups, tuple(qs), tuple(unscored), annulled, fit, team
    )
