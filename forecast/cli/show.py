"""``forecast show``: judgements, their fits and what they imply, without sampling."""

from __future__ import annotations

from pathlib import Path

import typer

from forecast.cli._common import Format, handle_errors, out, print_json
from forecast.cli.options import Ledger, OutputFormat, Weights, with_weights


def show(
    priors: Path = typer.Argument(..., metavar="PRIORS", help="A priors file."),
    format_: OutputFormat = Format.rich,
    weights: Weights = None,
    ledger: Ledger = None,
) -> None:
    """Show each judgement, the distribution fitted to it and what it implies.

    No sampling: this is the quick look while editing judgements.

    Example: forecast show priors/turkiye-joins-consultative-meeting.yaml
    """
    from forecast.questions.loader import load_question
    from forecast.render.judgements import JudgementsView, judgements_dict

    (q,) = with_weights([load_question(priors)], ledger, weights)
    view = JudgementsView.of(q)
    if format_ is Format.json:
        print_json(judgements_dict(view))
    elif format_ is Format.markdown:
        typer.echo(view.markdown())
    else:
        out().print(view)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("show")(handle_errors(show))
