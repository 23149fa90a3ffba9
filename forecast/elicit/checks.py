"""The fits ``forecast check`` can afford: every judgement a run would fit, without PreliZ.

``check`` validates files without sampling and without importing PreliZ (which imports
PyMC: seconds). The least-squares fits (quantiles, a median with an interval, roulette,
every positive quantity) are SciPy and cached, so check does them, and so finds a
judgement whose best Beta falls below the shape floor at the line ``run`` would name. An
interval fit by PreliZ's ``maxent`` is checked when it is in the cache (after a ``show``
or a ``run``), and otherwise left to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from forecast.elicit.fit import (
    default_cache,
    fit_at,
    fit_positive,
    fit_probability,
    located,
    needs_preliz,
)
from forecast.errors import InputError, Problem
from forecast.questions.judgement import ProbabilityJudgement

Loc = tuple[str | int, ...]


def fit_problems(q: Any) -> list[Problem]:
    """The problems fitting ``q``'s judgements (a LoadedQuestion) would meet, located."""
    cache = default_cache()
    problems: list[Problem] = []
    for where, fit, j in _judgements(q.spec):
        if isinstance(j, ProbabilityJudgement) and needs_preliz(j, cache):
            continue
        try:
            with located(q):
                fit_at(where, fit, j, cache)
        except InputError as exc:
            problems += exc.problems
    cache.flush()
    from forecast import kinds

    return problems + kinds.of(q.spec).fit_problems(q)


def _judgements(spec: Any) -> Iterator[tuple[Loc, Callable[[Any, Any], Any], Any]]:
    """(where, how to fit, judgement) for each judgement of an event, drivers or
    time-to-event question."""
    for i, e in enumerate(getattr(spec, "experts", ()) or ()):
        if isinstance(e.judgement, ProbabilityJudgement):  # other kinds check their own
            yield ("experts", i, "judgement"), fit_probability, e.judgement
    for i, ev in enumerate(getattr(spec, "evidence", ()) or ()):
        yield ("evidence", i, "likelihood_ratio"), fit_positive, ev.likelihood_ratio
    for i, d in enumerate(getattr(spec, "drivers", ()) or ()):
        yield ("drivers", i, "odds_ratio"), fit_positive, d.odds_ratio
    if getattr(spec, "trend", None) is not None:
        yield ("trend",), fit_positive, spec.trend
    hazard = getattr(spec, "hazard", None)
    if hazard is not None:
        for i, e in enumerate(hazard.experts):
            yield ("hazard", "experts", i, "median_years"), fit_positive, e.median_years
        yield ("hazard", "shape"), fit_positive, hazard.shape


__all__ = ["fit_problems"]
