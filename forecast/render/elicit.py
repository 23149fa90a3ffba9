"""What an elicitation session shows the expert: the fitted curve, what it implies, notes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from forecast.elicit.answers import PROBABILITY, Scale, fit_warnings
from forecast.render import fmt
from forecast.render.chart import density_chart, display_range

if TYPE_CHECKING:
    from forecast.elicit.distributions import Fitted


def feedback(
    fitted: Fitted,
    extremes: tuple[float, float],
    marks: list[float],
    *,
    final: bool,
    scale: Scale = PROBABILITY,
) -> tuple[RenderableType, list[str]]:
    """The chart, what the fit implies, and warnings that state the rule and the values."""
    lo, hi = display_range(lambda q: float(fitted.ppf(q)), marks, scale.bounds)
    chart = density_chart(lambda x: fitted.frozen().pdf(x), lo, hi, marks=marks, label=scale.label)
    lines = [
        f"Fitted {fitted.describe()} ({fitted.method}); fit error "
        f"{fmt.fit_error(fitted.fit_error)}",
        scale.says(fitted),
    ]
    for c in fitted.checks:
        lines.append(f"  you said {c.statement} = {c.elicited:.3g}; the fit gives {c.fitted:.3f}")
    warnings = fit_warnings(fitted, extremes, final=final, scale=scale)
    body = Group(chart, Text("\n".join(lines)), *(Text(f"⚠ {w}", style="yellow") for w in warnings))
    return body, warnings


def no_fit_yet(reason: object) -> Text:
    """Said while the answers so far cannot be fitted."""
    return Text(f"(no fit yet: {reason})", style="dim")


def to_judge(scale: Scale, subject: str) -> Text:
    """What the expert is about to judge, before the first number."""
    return Text(f"The {scale.short} to judge: {subject}", style="bold")


def adding_expert(title: str, path: Path, taken: set[str]) -> Text:
    """The heading of a session that adds experts to an existing file."""
    return Text.assemble(
        ("Adding an expert to ", ""),
        (title, "bold"),
        (f"\n{path} · {len(taken)} expert(s) so far: {', '.join(sorted(taken))}", "dim"),
    )


def new_question(path: Path) -> Text:
    """The heading of a session that starts a new file."""
    return Text(f"A new question: {path}", style="bold")
