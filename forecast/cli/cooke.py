"""``forecast cooke``: Cooke's classical model on a study of seed questions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from forecast.cli._common import Format, err, handle_errors, out, print_json
from forecast.cli.options import OutputFormat


class CookeWeights(StrEnum):
    """How the decision maker weights the experts."""

    global_ = "global"
    item = "item"
    equal = "equal"
    user = "user"


def parse_alpha(text: str) -> float | None:
    """``optimise`` (None) or a cut-off in [0, 1]."""
    from forecast.errors import UsageError

    if text.strip().lower() in ("optimise", "optimize", "opt"):
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise UsageError(
            f"--alpha must be a number from 0 to 1, or optimise (got {text!r})",
            hint="alpha is the calibration an expert needs to get any weight",
        )
    return value


def cooke(
    path: Path = typer.Argument(
        ..., metavar="PATH", help="A seeds file (.yaml), or an Excalibur NAME.dtt / NAME.rls."
    ),
    format_: OutputFormat = Format.rich,
    weights: CookeWeights = typer.Option(
        CookeWeights.global_, "--weights", help="global, item, equal or user weights."
    ),
    alpha: str = typer.Option(
        "0", "--alpha", help="The calibration cut-off, 0 to 1, or optimise.", metavar="A|optimise"
    ),
    overshoot: float = typer.Option(
        0.1, "--overshoot", min=0.0, help="Widening of each item's intrinsic range."
    ),
    calpower: float = typer.Option(
        1.0, "--calpower", min=0.0, help="Calibration power (multiplies N in the test)."
    ),
    write: Path | None = typer.Option(
        None, "--write", help="Write the study as a seeds file (.yaml) or Excalibur (.dtt)."
    ),
) -> None:
    """Score experts on seed questions with Cooke's classical model.

    Prints each expert's calibration, information and weight, the decision makers'
    scores, robustness tables and a range graph per seed item.

    Example: forecast cooke studies/tobacco.dtt --alpha optimise
    """
    from forecast.cooke import load, save
    from forecast.cooke.analysis import analyse
    from forecast.cooke.model import Settings

    study = load(path)
    if write is not None:
        for written in save(study, write):
            err().print(f"wrote {written}", markup=False, highlight=False)
        return
    settings = Settings(weights.value, parse_alpha(alpha), overshoot, calpower)
    analysis = analyse(study, settings, source=str(path))
    if format_ is Format.json:
        print_json(analysis.to_dict())
    elif format_ is Format.markdown:
        from forecast.render.cooke import markdown

        typer.echo(markdown(analysis), nl=False)
    else:
        from forecast.render.cooke import CookeView

        out().print(CookeView(analysis))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("cooke")(handle_errors(cooke))
