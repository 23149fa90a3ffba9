"""The fits ``forecast check`` can afford: every judgement a run would fit, without PreliZ.

``check`` validates files without sampling and without importing PreliZ (which imports
PyMC: seconds). The least-squares fits (quantiles, a median with an interval, roulette,
every positive quantity) are SciPy and cached, so check does them, and so finds a
judgement whose best Beta falls below the shape floor at the line ``run`` would name. An
interval fit by PreliZ's ``maxent`` is checked when it is in the cache (after a ``show``
or a ``run``), and otherwise left to them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from forecast.elicit.distributions import Fitted
from forecast.elicit.fit import (
    FitCache,
    default_cache,
    fit_at,
    fit_positive,
    fit_probability,
    located,
    needs_preliz,
)
from forecast.errors import InputError, Problem
from forecast.questions.judgement import MedianInterval, ProbabilityJudgement

Task = tuple[ProbabilityJudgement | None, Callable[[FitCache], Fitted]]
"""A probability judgement (to tell whether it needs PreliZ) or None, and its located fit."""

if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion


def fit_problems(q: LoadedQuestion) -> list[Problem]:
    """The problems fitting ``q``'s judgements would meet, located."""
    cache = default_cache()
    problems: list[Problem] = []
    for j, fit in _judgements(q.spec):
        if j is not None and needs_preliz(j, cache):
            continue
        try:
            with located(q):
                fit(cache)
        except InputError as exc:
            problems += exc.problems
    cache.flush()
    from forecast import kinds

    return problems + kinds.of(q.spec).fit_problems(q)


def _positive(where: tuple[str | int, ...], j: float | MedianInterval) -> Task:
    return None, functools.partial(fit_at, where, fit_positive, j)


def _judgements(spec: object) -> Iterator[Task]:
    """(judgement, its located fit) for each judgement of an event, drivers or
    time-to-event question."""
    for i, e in enumerate(getattr(spec, "experts", ()) or ()):
        if isinstance(e.judgement, ProbabilityJudgement):  # other kinds check their own
            where = ("experts", i, "judgement")
            yield e.judgement, functools.partial(fit_at, where, fit_probability, e.judgement)
    for i, ev in enumerate(getattr(spec, "evidence", ()) or ()):
        yield _positive(("evidence", i, "likelihood_ratio"), ev.likelihood_ratio)
    for i, d in enumerate(getattr(spec, "drivers", ()) or ()):
        yield _positive(("drivers", i, "odds_ratio"), d.odds_ratio)
    trend = getattr(spec, "trend", None)
    if trend is not None:
        yield _positive(("trend",), trend)
    hazard = getattr(spec, "hazard", None)
    if hazard is not None:
        for i, e in enumerate(hazard.experts):
            yield _positive(("hazard", "experts", i, "median_years"), e.median_years)
        yield _positive(("hazard", "shape"), hazard.shape)


__all__ = ["fit_problems"]
