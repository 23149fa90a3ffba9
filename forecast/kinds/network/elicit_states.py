"""Eliciting a categorical node's cell: each state's probability, then a strength.

The session runs as a yes/no cell's does (the expert's name, what is judged, the
numbers, what they imply, accept or revise, Enter keeping each earlier answer), but the
judgement is a distribution over the node's states: P(state) for each state in the
file's order, each strictly between 0 and 1, which together must sum to 1 (within
:data:`~forecast.kinds.network.rows.SUM_TOLERANCE`, as ``forecast check`` requires);
otherwise they are refused at the ``probability`` question, with every value and the
sum, and asked again (from a mapping of answers, the refusal is an error naming the
file and the key). Then a strength "as if n comparable cases": the file gets
``distribution: {probabilities: {STATE: p, ...}, strength: n}``, Dirichlet(n · p).
The feedback is each state's mean and 80% interval, the Dirichlet's marginal
Beta(n p, n (1 - p)).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from forecast.elicit.answers import (
    Answers,
    Channel,
    Invalid,
    ask,
    parse_name,
    parse_positive,
    parse_probability,
)
from forecast.kinds.network.rows import SUM_TOLERANCE

if TYPE_CHECKING:
    from rich.table import Table

MIN_STRENGTH, MAX_STRENGTH = 1.0, 1e6
"""The strengths a distribution may have (as the file's ``strength``)."""


def _inside(raw: str, state: str) -> float:
    value = parse_probability(raw, what=f"probability of {state}")
    if not 0.0 < value < 1.0:
        raise Invalid(
            f"the probability of {state} must be above 0 and below 1 (got {value:g}): every "
            "state of the node stays possible"
        )
    return value


def _probabilities(
    channel: Channel, states: Sequence[str], asked: str, prev: dict[str, str]
) -> dict[str, float]:
    """Each state's probability, asked until they sum to 1."""
    while True:
        got: dict[str, float] = {}
        for s in states:
            got[s] = ask(
                channel,
                "probability",
                asked.format(state=s),
                functools.partial(_inside, state=s),
                prev.get(s),
            )
            prev[s] = f"{got[s]:g}"
        total = math.fsum(got.values())
        if abs(total - 1.0) <= SUM_TOLERANCE:
            return got
        listed = ", ".join(f"{s} {v:g}" for s, v in got.items())
        channel.reject(
            "probability",
            f"the probabilities sum to {total:.6g}, not 1 ({listed}): give each state's "
            "probability again so that they sum to 1",
        )


def implied(node: str, probabilities: dict[str, float], strength: float) -> Table:
    """Each state's mean and 80% interval under Dirichlet(strength · p)."""
    from rich.table import Table

    from forecast.special import betaincinv

    table = Table(title=f"You are saying (Dirichlet({strength:g} · p) over {node}'s states)")
    for column in ("state", "P", "80% interval"):
        table.add_column(column, justify="left" if column == "state" else "right")
    for s, p in probabilities.items():
        a, b = strength * p, strength * (1.0 - p)
        lo, hi = (float(x) for x in betaincinv(a, b, [0.1, 0.9]))
        table.add_row(s, f"{p:.1%}", f"{lo:.1%} – {hi:.1%}")
    return table


def elicit_states(
    channel: Channel,
    taken: set[str],
    node: str,
    states: Sequence[str],
    condition: str,
    subject: str,
) -> Answers:
    """One expert's distribution over ``node``'s ``states`` in one row (``condition``:
    `` | a=yes`` or empty; ``subject``: the row in words), with feedback, until they
    accept it."""
    from rich.text import Text

    from forecast.elicit.dialogue import accepted

    name = ask(channel, "expert", "Who is the expert (name or role)?", parse_name(taken))
    channel.show(Text(f"The probabilities to judge: {subject} (summing to 1)", style="bold"))
    asked = f"P({node} = {{state}}{condition})"
    prev: dict[str, str] = {}
    while True:
        probabilities = _probabilities(channel, states, asked, prev)
        strength = ask(
            channel,
            "strength",
            "How sure are you: as if you had seen how many comparable cases? (the strength, "
            f"{MIN_STRENGTH:g} or more)",
            lambda r: parse_positive(r, lo=MIN_STRENGTH, hi=MAX_STRENGTH, what="strength"),
            prev.get("strength"),
        )
        prev["strength"] = f"{strength:g}"
        channel.show(implied(node, probabilities, strength))
        if accepted(channel):
            judgement: dict[str, object] = {
                "probabilities": dict(probabilities),
                "strength": int(strength) if strength.is_integer() else strength,
            }
            return Answers(name, judgement)


__all__ = ["elicit_states", "implied"]
