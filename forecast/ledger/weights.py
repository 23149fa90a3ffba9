"""Performance weights: each expert's pool weight earned on resolved questions.

An expert's record is the probability their own judgement implied (the mean of their
fitted distribution, before the base rate and evidence) on every resolved ``event``
question of the ledger they took part in, as it stood at the question's cutoff (the
same forecast ``forecast score --by expert`` scores). Only event questions count: the
experts of a drivers or time-to-event question judge another quantity (the chance with
every driver off, or at one opportunity). Experts are matched by name.

The earned weight is the geometric mean of the probabilities the expert gave to what
happened, shrunk towards 50% (a forecaster without skill) by :data:`PSEUDO_QUESTIONS`
imaginary questions:

    e = exp((Σ log p_j(outcome_j) + n0 · log 0.5) / (n + n0))

so an expert with no resolved questions earns as much as one who always said 50%, one
who gave what happened 80% on many questions earns up to 1.6 times as much, and a
confidently wrong one earns less. The factor multiplies the expert's given weight (1
when the file gives none), and the products are normalised: with no record at all the
weights are as given. It is a tempered weighting built on the log score: a few lucky
calls move it only a little. It is not strictly proper: the weight is a power of the
probabilities given, so an expert could gain a little by overstating (with one
resolved question believed at 70%, stating 78% raises the expected factor by 0.4%).
The 50% reference also credits knowing base rates: always saying 5% on rare events
earns more than saying 50%, as it should for a forecaster who knows they are rare.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecast.ledger.records import ForecastRecord, Resolution

if TYPE_CHECKING:
    from pathlib import Path

    from forecast.questions.loader import LoadedQuestion

PSEUDO_QUESTIONS = 2.0
"""Imaginary questions at 50% every expert's record starts with (the shrinkage)."""

NO_SKILL = 0.5
"""The probability a forecaster without skill gives to what happened."""


@dataclass(frozen=True)
class ExpertRecord:
    """One expert's track record and the weight it earns."""

    name: str
    questions: int
    log_score: float | None
    """Mean log of the probability given to what happened (None: nothing resolved)."""
    brier: float | None
    earned: float
    """The earned factor, in (0, 1]."""
    given: float = 1.0
    """The weight the file gives (1 when none)."""
    weight: float = 0.0
    """The normalised pool weight among the question's experts: given × earned."""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "name": self.name,
            "questions": self.questions,
            "log_score": self.log_score,
            "brier": self.brier,
            "earned": self.earned,
            "given": self.given,
            "weight": self.weight,
        }


@dataclass(frozen=True)
class Weighting:
    """Performance weights for one question's experts, and where they came from."""

    ledger: str
    experts: tuple[ExpertRecord, ...]
    resolved: int
    """Resolved event questions in the ledger (yes or no)."""

    def weights(self) -> dict[str, float]:
        """Normalised weight by expert name."""
        return {e.name: e.weight for e in self.experts}

    def to_dict(self) -> dict[str, object]:
        """The ``weighting`` object of ``forecast.run/1``."""
        return {
            "method": "performance",
            "ledger": self.ledger,
            "resolved_questions": self.resolved,
            "pseudo_questions": PSEUDO_QUESTIONS,
            "experts": [e.to_dict() for e in self.experts],
        }


def record_of(name: str, pairs: Sequence[tuple[float, int]]) -> ExpertRecord:
    """The track record of ``name`` from (probability, outcome) pairs and its earned weight."""
    logs = [math.log(p if o else 1.0 - p) for p, o in pairs]
    n = len(pairs)
    shrunk = (sum(logs) + PSEUDO_QUESTIONS * math.log(NO_SKILL)) / (n + PSEUDO_QUESTIONS)
    return ExpertRecord(
        name=name,
        questions=n,
        log_score=sum(logs) / n if n else None,
        brier=sum((p - o) ** 2 for p, o in pairs) / n if n else None,
        earned=math.exp(shrunk),
    )


def earn(
    names: Sequence[str],
    records: Iterable[ForecastRecord],
    resolutions: Mapping[str, Resolution],
    *,
    ledger: str = "",
    exclude: str | None = None,
    given: Sequence[float] | None = None,
) -> Weighting:
    """Performance weights for the experts ``names`` from the ledger's resolved questions.

    ``exclude``: a question id left out of the record (the question being forecast);
    ``given``: the weights the file gives (default: 1 each), which the earned factors
    multiply.
    """
    from forecast.kinds import scores_experts
    from forecast.ledger.evaluate import counted

    events = [r for r in records if scores_experts(r.kind) and r.question_id != exclude]
    qs, _, _ = counted(events, resolutions, which="last")
    gw = [1.0] * len(names) if given is None else [float(g) for g in given]
    experts = [
        record_of(name, [(c.experts[name], c.outcome) for c in qs if name in c.experts])
        for name in names
    ]
    total = sum(g * e.earned for g, e in zip(gw, experts, strict=True))
    experts = [
        ExpertRecord(
            **{**e.__dict__, "given": g, "weight": g * e.earned / total if total > 0 else 0.0}
        )
        for g, e in zip(gw, experts, strict=True)
    ]
    return Weighting(ledger=ledger, experts=tuple(experts), resolved=len(qs))


def apply(
    loaded: Sequence[LoadedQuestion], ledger: Path | str | None = None, *, force: bool = False
) -> tuple[list[LoadedQuestion], list[str]]:
    """Questions with performance weights in place of their experts' given weights.

    Applies to the questions whose file asks for it, or to all with ``force`` (the
    command line's ``--weights performance``). The ledger is read once, read-only.
    Returns the questions and warnings for those whose experts judge something other
    than a probability (a continuous-hazard question keeps its given weights).
    """
    import dataclasses

    from forecast.ledger.store import open_ledger
    from forecast.questions.experts import asks_performance_weights, given_weights

    targets = [q for q in loaded if force or asks_performance_weights(q.spec)]
    if not targets:
        return list(loaded), []
    with open_ledger(ledger, write=False) as book:
        records, resolutions, where = book.forecasts(light=True), book.resolutions(), book.location
    out: list[LoadedQuestion] = []
    warnings: list[str] = []
    for q in loaded:
        experts = getattr(q.spec, "experts", None)
        if not (force or asks_performance_weights(q.spec)):
            out.append(q)
            continue
        if not experts:
            warnings.append(
                f"{q.id}: performance weights are for experts who judge a probability; "
                "this question's experts judge a time, so their given weights are kept"
            )
            out.append(q)
            continue
        given = given_weights([e.weight for e in experts])
        w = earn(
            [e.name for e in experts],
            records,
            resolutions,
            ledger=where,
            exclude=q.id,
            given=given,
        )
        if not any(e.questions for e in w.experts):
            warnings.append(
                f"{q.id}: none of its experts has a resolved event question in {where}, "
                "so their weights are as given"
            )
        by_name = w.weights()
        spec = q.spec.model_copy(
            update={"experts": [e.model_copy(update={"weight": by_name[e.name]}) for e in experts]}
        )
        out.append(dataclasses.replace(q, spec=spec, weighting=w))
    return out, warnings
