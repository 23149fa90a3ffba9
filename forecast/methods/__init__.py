"""Inference methods: how a question's posterior becomes its forecast.

* ``exact`` — deterministic quadrature where the posterior, after what no data touch
  is integrated out exactly, has one or two continuous dimensions: every event question
  under every pool (:mod:`forecast.methods.exact`, the evidence integrated out), every
  quantity question (:mod:`forecast.kinds.quantity.exact`), and time-to-event
  questions (:mod:`forecast.kinds.tte.quadrature`, the drivers' ratios integrated out)
  unless more than two uncertain ratios enter at once. Diagnostic: the
  quadrature error estimate (the same numbers on a grid half as fine).
* ``importance`` — independent prior draws weighted by the likelihood, Pareto-smoothed
  (:mod:`forecast.methods.importance`): drivers questions, whose coded cases are often
  few. Diagnostics: the Pareto k (trusted up to 0.7) and the weights' ESS.
* ``nuts`` — PyMC's NUTS sampler (:mod:`forecast.inference`). Diagnostics: R-hat, ESS,
  divergences.
* ``auto`` (the default) — the first method the question's kind admits whose own
  diagnostic holds, in the order exact, importance, nuts; NUTS is the last resort.

:func:`forecast` is what the engine calls once the judgements are fitted: it returns
the forecast made by a method other than NUTS, or None when NUTS is to sample.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.inference import Diagnostics, SamplerSettings, Timer
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast


class Method(StrEnum):
    """What ``--method`` accepts."""

    auto = "auto"
    exact = "exact"
    importance = "importance"
    nuts = "nuts"


METHODS: tuple[str, ...] = tuple(m.value for m in Method)
"""What ``--method`` accepts."""

METHOD_HELP = (
    "Inference: exact (quadrature), importance (PSIS from the prior) or nuts (PyMC's "
    "sampler); auto takes the first the question's kind admits whose diagnostic holds."
)


def admitted(kind: str) -> tuple[str, ...]:
    """The methods a question kind admits, in the order ``auto`` tries them (the kind's
    ``methods``; NUTS for a kind not registered)."""
    from forecast import kinds

    try:
        return tuple(kinds.get(kind).methods)
    except KeyError:
        return ("nuts",)


class Declined(Exception):
    """Raised by a kind's ``forecast_<method>`` under ``auto`` when the method cannot make
    this forecast (the grid cannot resolve it, too many dimensions): ``auto`` goes on to
    the next method and the forecast says why (:attr:`Diagnostics.passed_over`)."""


def forecast(
    q: LoadedQuestion,
    inputs: object,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    scenario: str | None = None,
) -> tuple[Forecast | None, tuple[str, ...]]:
    """The forecast of ``q`` by the method ``settings.method`` asks for, or None when
    NUTS is to make it (the method asked for, or the one ``auto`` falls back to); and
    why ``auto`` passed over each method before the one that made it.

    Raises
    ------
    UsageError
        When the method asked for is not one the question's kind admits.
    """
    from forecast import kinds
    from forecast.errors import UsageError

    method = settings.method
    kind = q.spec.kind
    allowed = admitted(kind)
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}", hint=f"use one of {', '.join(METHODS)}")
    if method != "auto" and method not in allowed:
        raise UsageError(
            f"{q.id}: {article(kind)} {kind} question cannot be forecast by the {method} method",
            hint=f"its model admits --method {', '.join(('auto', *allowed))}",
        )
    order = allowed if method == "auto" else (method,)
    passed: list[str] = []
    for candidate in order:
        if candidate == "nuts":
            break
        own = getattr(kinds.get(kind), f"forecast_{candidate}", None)  # the kind's own
        if own is None:
            raise UsageError(f"no {candidate} method for a {kind} question")
        try:
            made = own(q, inputs, settings, timer, scenario=scenario, auto=method == "auto")
        except Declined as why:
            passed.append(f"{candidate}: {why}")
            continue
        if made is None:  # the method's diagnostic failed and auto goes on
            passed.append(f"{candidate}: its diagnostic failed")
            continue
        if method != "auto" or made.diagnostics.ok:
            return _said(made, passed), ()
        passed.append(f"{candidate}: " + "; ".join(made.diagnostics.warnings))
    return None, tuple(passed)


def _said(made: Forecast, passed: list[str]) -> Forecast:
    """``made``, saying which methods ``auto`` passed over before it, and why."""
    if not passed:
        return made
    return replace(made, diagnostics=passed_over(made.diagnostics, tuple(passed)))


def passed_over[D: Diagnostics](diagnostics: D, why: tuple[str, ...]) -> D:
    """The diagnostics of a forecast ``auto`` made after passing over methods (``why``)."""
    return replace(diagnostics, passed_over=(*diagnostics.passed_over, *why))


def article(word: str) -> str:
    """ "an" before a vowel sound, else "a" (an event, a drivers, an importance)."""
    return "an" if word[:1].lower() in "aeio" else "a"


def nuts(settings: SamplerSettings) -> SamplerSettings:
    """The settings as NUTS records them in provenance."""
    return replace(settings, method="nuts")


__all__ = [
    "METHODS",
    "METHOD_HELP",
    "Declined",
    "Method",
    "admitted",
    "article",
    "forecast",
    "nuts",
    "passed_over",
]
