"""Analysts side by side: each one's scores, head to head on shared questions, and the team.

For every resolved question, each analyst's counted forecast is chosen as for the
whole ledger (:func:`forecast.ledger.pick.pick`: the last, or the time-averaged,
forecast of theirs before the cutoff). Then:

* each analyst's Brier, log and baseline scores over the questions they forecast;
* their **peer score** (Metaculus) on the questions someone else forecast too:
  ``100 · (ln g_i − mean over the others j of ln g_j)``, with ``g`` the probability
  given to what happened, i.e. 100 times the log of the ratio of the analyst's
  probability to the others' geometric mean; peer scores of a question add to zero;
* every pair of analysts on the questions both forecast;
* the **team forecast** of each question two or more analysts forecast: the mean of
  their log-odds, optionally extremized (``p* = sigmoid(d · mean logit)``), scored the
  same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from forecast import scoring
from forecast.ledger.pick import Which, cutoff, end_of, pick_before, probability_of
from forecast.ledger.records import ForecastRecord, Resolution

UNKNOWN = "(unknown)"
"""The analyst of forecasts recorded before analysts were kept."""

TEAM = "(team)"
"""The team forecast's name among the analysts' forecasts of a question."""


def _given(p: float, outcome: int) -> float:
    return max(p if outcome else 1.0 - p, scoring.PROB_FLOOR)


def team_forecast(probabilities: Iterable[float], extremize: float = 1.0) -> float:
    """The mean of the log-odds, times ``extremize``, back to a probability."""
    ps = np.clip(np.asarray(list(probabilities), dtype=float), 1e-12, 1 - 1e-12)
    z = extremize * float(np.mean(np.log(ps) - np.log1p(-ps)))
    return float(1.0 / (1.0 + math.exp(-z)))


@dataclass(frozen=True)
class Analyst:
    """One analyst's record."""

    name: str
    scores: scoring.Scores
    peer: float | None
    shared: int

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "analyst": self.name,
            **self.scores.to_dict(),
            "peer": self.peer,
            "shared": self.shared,
        }


@dataclass(frozen=True)
class Pair:
    """Two analysts on the questions both forecast."""

    a: str
    b: str
    questions: tuple[str, ...]
    brier: tuple[float, float]
    log: tuple[float, float]
    baseline: tuple[float, float]

    @property
    def peer(self) -> float:
        """``a``'s mean peer score against ``b`` (``b``'s is minus this)."""
        return 100.0 * (self.log[0] - self.log[1])

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "a": self.a,
            "b": self.b,
            "n": len(self.questions),
            "questions": list(self.questions),
            "brier": list(self.brier),
            "log": list(self.log),
            "baseline": list(self.baseline),
            "peer_a": self.peer,
        }


@dataclass(frozen=True)
class Team:
    """Analysts side by side and their pooled team forecast."""

    analysts: tuple[Analyst, ...]
    pairs: tuple[Pair, ...]
    team: scoring.Scores
    extremize: float
    forecasts: Mapping[str, Mapping[str, float]]
    """Question id -> analyst -> counted probability (and ``(team)``, where pooled)."""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "analysts": [a.to_dict() for a in self.analysts],
            "pairs": [p.to_dict() for p in self.pairs],
            "team": {"extremize": self.extremize, **self.team.to_dict()},
            "forecasts": {q: dict(v) for q, v in self.forecasts.items()},
        }


def compare(
    records: Iterable[ForecastRecord],
    resolutions: Mapping[str, Resolution],
    *,
    which: Which = "last",
    since: dt.date | None = None,
    extremize: float = 1.0,
) -> Team:
    """Score every analyst, every pair, and the team, on the resolved questions."""
    by_q: dict[str, list[ForecastRecord]] = {}
    for r in records:
        by_q.setdefault(r.question_id, []).append(r)
    counted: dict[str, dict[str, float]] = {}
    outcome: dict[str, int] = {}
    for qid in sorted(resolutions):
        res = resolutions[qid]
        if res.outcome == "annulled" or (since is not None and res.resolved_on < since):
            continue
        rows = sorted(by_q.get(qid, []), key=lambda r: (r.recorded_at, r.id or 0))
        stop = end_of(cutoff(rows, res))
        before = [r for r in rows if r.recorded_at < stop]
        names = sorted({r.analyst or UNKNOWN for r in rows})
        got: dict[str, float] = {}
        for name in names:
            theirs_rows = [r for r in before if (r.analyst or UNKNOWN) == name]
            chosen = pick_before(theirs_rows, stop, which, probability_of)
            if chosen is not None:
                got[name] = chosen[0]
        if got:
            counted[qid] = got
            outcome[qid] = 1 if res.outcome == "yes" else 0
    analysts = []
    for name in sorted({a for got in counted.values() for a in got}):
        mine_qs = [q for q in counted if name in counted[q]]
        peers = []
        for q in mine_qs:
            others = [p for a, p in counted[q].items() if a != name]
            if others:
                mine = math.log(_given(counted[q][name], outcome[q]))
                theirs = float(np.mean([math.log(_given(p, outcome[q])) for p in others]))
                peers.append(100.0 * (mine - theirs))
        scores = scoring.score([counted[q][name] for q in mine_qs], [outcome[q] for q in mine_qs])
        analysts.append(Analyst(name, scores, float(np.mean(peers)) if peers else None, len(peers)))
    pairs = []
    for a, b in combinations([x.name for x in analysts], 2):
        qs = tuple(q for q in counted if a in counted[q] and b in counted[q])
        if not qs:
            continue
        o = [outcome[q] for q in qs]
        sa = scoring.score([counted[q][a] for q in qs], o)
        sb = scoring.score([counted[q][b] for q in qs], o)
        pairs.append(
            Pair(a, b, qs, (sa.brier, sb.brier), (sa.log, sb.log), (sa.baseline, sb.baseline))
        )
    pooled = {q: team_forecast(v.values(), extremize) for q, v in counted.items() if len(v) > 1}
    team = scoring.score([pooled[q] for q in pooled], [outcome[q] for q in pooled])
    shown = {q: {**v, **({TEAM: pooled[q]} if q in pooled else {})} for q, v in counted.items()}
    return Team(tuple(analysts), tuple(pairs), team, extremize, shown)
