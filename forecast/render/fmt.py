"""Number formatting shared by every renderer."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def pct(p: float) -> str:
    """A probability as a percentage with sensible precision (tails keep two figures)."""
    if p != p:  # NaN
        return "n/a"
    x = 100.0 * p
    if x == 0:
        return "0%"
    if x < 0.001:
        return "<0.001%"
    if x > 99.999:
        return ">99.999%"
    if x < 1 or x > 99:
        return f"{x:.2g}%" if x < 1 else f"{100 - float(f'{100 - x:.2g}'):g}%"
    return f"{x:.1f}%"


def pp(delta: float) -> str:
    """A change in probability in percentage points, signed."""
    x = 100.0 * delta
    if abs(x) < 0.005:
        return "±0.00 pp"  # below anything a forecast can resolve
    return f"{x:+.1f} pp" if abs(x) >= 0.05 else f"{x:+.2f} pp"


def level(x: float) -> str:
    """A driver level: on, off, or the probability that it holds."""
    return "on" if x >= 1 else "off" if x <= 0 else pct(x)


def scenario(extra: dict[str, Any]) -> str | None:
    """``guest-in-2026 (guest-invitation on)``: the scenario a forecast is under, with the
    levels it sets, or None for the base forecast."""
    name = extra.get("scenario")
    if not name:
        return None
    sets = extra.get("scenario_sets")
    if sets is None:  # a forecast read back from before the levels were kept
        sets = next((s["levels"] for s in extra.get("scenarios", ()) if s["name"] == name), {})
    levels = ", ".join(f"{k} {level(v)}" for k, v in sets.items())
    return f"{name} ({levels})" if levels else str(name)


GLOSSARY = (
    "Words used here (percentage points, the experts' prior, propensity, power-scaling, "
    "Pareto k, fit error) are explained in the Glossary of forecast's README "
    "(README.md#glossary)."
)
"""The line every report ends with."""


def mc_error(mcse: float) -> str:
    """The Monte Carlo error of a forecast, in percentage points: ``±0.21 pp``."""
    return f"±{100.0 * mcse:.2g} pp"


def prior_row(f: Any) -> tuple[str, str | None]:
    """How a report names the forecast before the data, and a note saying what it is.

    "The experts' prior" is one thing everywhere: the pooled judgements (the first row of
    what moved the forecast). With drivers the forecast before the data is that prior
    with the drivers at their levels, so it gets its own name rather than "prior".
    """
    if any(s.kind == "driver" for s in f.steps):
        experts = next((s.after for s in f.steps if s.kind == "experts"), None)
        before = f"the experts' prior ({pct(experts)})" if experts is not None else "the prior"
        return "Before the data → forecast", f"{before} with the drivers at their levels"
    return "Experts' prior → forecast", None


def odds(p: float) -> str:
    """Odds in the 1:n or n:1 form analysts read."""
    if p <= 0:
        return "0"
    if p >= 1:
        return "certain"
    if p < 0.5:
        return f"1:{(1 - p) / p:.3g}"
    return f"{p / (1 - p):.3g}:1"


def interval(lo: float, hi: float) -> str:
    """``2.6% – 21.4%``."""
    return f"{pct(lo)} – {pct(hi)}"


def fit_error(err: float) -> str:
    """A fit error (sum of squared probability differences); below 1e-6 it is 0."""
    return "0" if err < 1e-6 else f"{err:.2g}"


def weighting(w: dict[str, Any] | None) -> list[str]:
    """Plain lines saying how performance weights were earned (none when weights were given)."""
    if not w:
        return []
    if w.get("method") == "cooke":
        from forecast.render.cooke_weights import cooke_weighting

        return cooke_weighting(w)
    lines = [
        f"Weights earned on {w['resolved_questions']} resolved event question(s) in "
        f"{w['ledger']}: the geometric mean of the probability each expert gave to what "
        f"happened, shrunk towards 50% by {w['pseudo_questions']:g} imaginary questions."
    ]
    for e in w["experts"]:
        given = e.get("given", 1.0)
        times = f", × given weight {given:g}" if given != 1.0 else ""
        if e["questions"]:
            lines.append(
                f"  {e['name']}: {e['questions']} resolved, gave what happened "
                f"{pct(math.exp(e['log_score']))} (geometric mean), Brier {e['brier']:.3f}"
                f"{times} → weight {e['weight']:.2f}"
            )
        else:
            lines.append(
                f"  {e['name']}: none resolved, counted as 50%{times} → weight {e['weight']:.2f}"
            )
    return lines


def facts(day: dt.date | None) -> str:
    """The "facts as of" words of a report header (a date, or that the file dates none)."""
    return f"facts as of {day.isoformat()}" if day is not None else "facts undated"
