"""Number formatting shared by every renderer."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.cooke.weights import CookeWeighting
    from forecast.ledger.weights import Weighting
    from forecast.results import Forecast


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


def scenario(f: Forecast) -> str | None:
    """``guest-in-2026 (guest-invitation on)``: the scenario a forecast is under, with the
    levels it sets, or None for the base forecast."""
    chosen = f.scenario
    if chosen is None or not chosen.name:
        return None
    levels = ", ".join(f"{k} {level(v)}" for k, v in chosen.sets.items())
    return f"{chosen.name} ({levels})" if levels else chosen.name


GLOSSARY = (
    "Words used here (percentage points, the experts' prior, propensity, power-scaling, "
    "Pareto k, fit error) are explained in the Glossary of forecast's README "
    "(README.md#glossary)."
)
"""The line every report ends with."""


def mc_error(mcse: float) -> str:
    """The Monte Carlo error of a forecast, in percentage points: ``±0.21 pp``."""
    return f"±{100.0 * mcse:.2g} pp"


def prior_row(f: Forecast) -> tuple[str, str | None]:
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


def weights_name(w: Weighting | CookeWeighting) -> str:
    """``performance weights`` or ``Cooke weights``: how the experts' weights were earned."""
    from forecast.ledger.weights import Weighting

    return "performance weights" if isinstance(w, Weighting) else "Cooke weights"


def weighting(w: Weighting | CookeWeighting | None) -> list[str]:
    """Plain lines saying how performance weights were earned (none when weights were given)."""
    if w is None:
        return []
    from forecast.ledger.weights import PSEUDO_QUESTIONS, Weighting

    if not isinstance(w, Weighting):
        from forecast.render.cooke_weights import cooke_weighting

        return cooke_weighting(w)
    lines = [
        f"Weights earned on {w.resolved} resolved event question(s) in "
        f"{w.ledger}: the geometric mean of the probability each expert gave to what "
        f"happened, shrunk towards 50% by {PSEUDO_QUESTIONS:g} imaginary questions."
    ]
    for e in w.experts:
        times = f", × given weight {e.given:g}" if e.given != 1.0 else ""
        if e.questions and e.log_score is not None and e.brier is not None:
            lines.append(
                f"  {e.name}: {e.questions} resolved, gave what happened "
                f"{pct(math.exp(e.log_score))} (geometric mean), Brier {e.brier:.3f}"
                f"{times} → weight {e.weight:.2f}"
            )
        else:
            lines.append(
                f"  {e.name}: none resolved, counted as 50%{times} → weight {e.weight:.2f}"
            )
    return lines


def facts(day: dt.date | None) -> str:
    """The "facts as of" words of a report header (a date, or that the file dates none)."""
    return f"facts as of {day.isoformat()}" if day is not None else "facts undated"
