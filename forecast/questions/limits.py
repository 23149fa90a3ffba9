"""Limits on the numbers a judgement may state, so that what is accepted can be computed.

Each limit is checked when a file is loaded (``forecast check``), with what to write
instead; docs/format.md ("Limits") explains them to users.
"""

from __future__ import annotations

import math

from forecast.questions.base import located_error

PROBABILITY_FLOOR = 1e-9
"""Least stated probability other than 0 (and, mirrored, the most other than 1).

Below one in a billion a probability cannot be told from 0 in the log-odds the tool
computes in, and the fits and the sampler lose their footing; write 0 (or 1) instead."""

SHAPE_FLOOR = 0.1
"""Least shape parameter of an expert's Beta. Below it the Beta puts nearly all its mass
at probabilities indistinguishable from 0 (or 1), far from its own mean: the log-odds
then spread over hundreds of units, which neither quadrature nor the sampler can cover."""

POSITIVE_RANGE = (1e-9, 1e9)
"""Least and greatest value of an uncertain positive quantity (a likelihood or odds
ratio, a median time): a ratio of a billion to one is already beyond any evidence."""


def within_floor(values: list[float]) -> float | None:
    """The first stated probability strictly between 0 and PROBABILITY_FLOOR (or mirrored)."""
    for v in values:
        if 0.0 < v < PROBABILITY_FLOOR or 1.0 - PROBABILITY_FLOOR < v < 1.0:
            return v
    return None


def floor_error(loc: tuple[str | int, ...], value: float) -> Exception:
    """A located error for a stated probability closer to 0 or 1 than PROBABILITY_FLOOR."""
    return located_error(
        "ProbabilityJudgement",
        loc,
        "below_floor",
        "{value} is too close to {edge} to compute with; write {edge} for "
        "'{never}', or a value at least {floor} from it",
        {
            "value": f"{value:g}",
            "edge": "0" if value < 0.5 else "1",
            "never": "never" if value < 0.5 else "certainly",
            "floor": f"{PROBABILITY_FLOOR:g}",
        },
        value,
    )


def _round_up(x: float) -> str:
    """``x`` rounded up to two significant figures, for a hint."""
    digits = math.floor(math.log10(x)) - 1
    return f"{math.ceil(x / 10**digits - 1e-9) * 10**digits:g}" if digits > 0 else f"{math.ceil(x)}"


def shape_floor_error(p: float, strength: float) -> tuple[str, dict[str, str]] | None:
    """Why a point and strength make a Beta with a shape below SHAPE_FLOOR (None if not)."""
    a, b = p * strength, (1.0 - p) * strength
    if min(a, b) >= SHAPE_FLOOR * (1 - 1e-9):  # the strength a hint asks for passes
        return None
    need = SHAPE_FLOOR / min(p, 1.0 - p)
    instead = (
        f"strength: {_round_up(need)} or more (as if that many cases), or an interval"
        if need <= 1e6
        else "an interval (probability + interval) instead"
    )
    return (
        "probability {p} with strength {n} is Beta({a}, {b}): a shape below {floor} puts "
        "nearly all its mass at a probability indistinguishable from {edge}, far from its "
        "mean, and cannot be computed reliably; write {instead}",
        {
            "p": f"{p:g}",
            "n": f"{strength:g}",
            "a": f"{a:.3g}",
            "b": f"{b:.3g}",
            "floor": f"{SHAPE_FLOOR:g}",
            "edge": "0" if a < b else "1",
            "instead": instead,
        },
    )
