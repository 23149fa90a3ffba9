"""The names a sweep may set, what values they take and what they change.

Each question kind lists its sweepable names
(:meth:`~forecast.kinds.protocol.Kind.sweep_params`). Every parameter says which part
of the model it touches (:class:`Effect`), and that decides the strategy:

* ``draws``: the posterior does not change, the scenario is a function of its draws
  (driver levels, named scenarios, evidence on/off and likelihood ratios);
* ``data``: the likelihood's data change (base-rate counts and weight);
* ``prior``: only the prior changes (expert weights, prior strength, the pool).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from forecast.errors import ForecastError

if TYPE_CHECKING:
    from forecast.questions.base import QuestionMeta
    from forecast.questions.drivers import DriverSet

Value = float | str
"""A setting's value after parsing: a number, or a word such as ``on`` or ``linear``."""


class Effect(StrEnum):
    """Which part of the model a parameter changes."""

    draws = "draws"
    data = "data"
    prior = "prior"


@dataclass(frozen=True)
class Param:
    """One sweepable name: what it changes and how to read its values."""

    name: str
    effect: Effect
    parse: Callable[[object], Value]
    help: str


def number(
    lo: float, hi: float, *, lo_open: bool = False, whole: bool = False
) -> Callable[[object], Value]:
    def parse(raw: object) -> Value:
        if isinstance(raw, bool):
            raise ValueError(f"must be a number (got {str(raw).lower()})")
        if not isinstance(raw, int | float | str):
            raise ValueError(f"must be a number (got {raw!r})")
        try:
            x = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"must be a number (got {raw!r})") from None
        if not math.isfinite(x):
            raise ValueError(f"must be a finite number (got {raw!r})")
        if whole and x != int(x):
            raise ValueError(f"must be a whole number (got {raw!r})")
        low_ok = x > lo if lo_open else x >= lo
        if not low_ok or x > hi:
            left = "(" if lo_open else "["
            right = "inf)" if hi == math.inf else f"{hi:g}]"
            raise ValueError(f"must be in {left}{lo:g}, {right} (got {raw!r})")
        return float(x)

    return parse


def level(raw: object) -> Value:
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, str) and raw.strip().lower() in {"on", "off"}:
        return 1.0 if raw.strip().lower() == "on" else 0.0
    parse = number(0.0, 1.0)
    return parse(raw)


def choice(words: tuple[str, ...]) -> Callable[[object], Value]:
    def parse(raw: object) -> Value:
        word = str(raw).strip().lower()
        if word not in words:
            raise ValueError(f"must be one of {', '.join(words)} (got {raw!r})")
        return word

    return parse


def expert_params(names: list[str]) -> list[Param]:
    out = [
        Param(
            f"expert.{n}.weight",
            Effect.prior,
            number(0.0, math.inf),
            f"weight of expert {n!r} in the pool",
        )
        for n in names
    ]
    out.append(
        Param(
            "prior.strength",
            Effect.prior,
            number(0.0, math.inf, lo_open=True),
            "multiplier on every expert's pseudo-sample size (Beta(s·a, s·b), same mean)",
        )
    )
    return out


def driver_params(spec: DriverSet) -> list[Param]:
    out = [
        Param(
            f"driver.{d.id}",
            Effect.draws,
            level,
            f"level of driver {d.id!r}: 0..1, or on/off",
        )
        for d in spec.drivers
    ]
    if spec.scenarios:
        out.append(
            Param(
                "scenario",
                Effect.draws,
                choice(tuple(spec.scenarios)),
                "a named scenario of the file (driver.* settings override it)",
            )
        )
    return out


def params_for(spec: QuestionMeta) -> dict[str, Param]:
    """The sweepable parameters of a question, by name."""
    from forecast import kinds

    return {p.name: p for p in kinds.of(spec).sweep_params(spec)}


def lookup(params: dict[str, Param], name: str, where: str) -> Param:
    """The parameter ``name``, or a ForecastError listing the valid names."""
    if name in params:
        return params[name]
    close = difflib.get_close_matches(name, list(params), n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    valid = ", ".join(params) or "none for this kind of question"
    raise ForecastError(f"{where}: cannot sweep {name!r}{guess}", hint=f"valid names: {valid}")


__all__ = ["Effect", "Param", "Value", "lookup", "params_for"]
