"""The typer app: the global options and every command, registered from its module.

Nothing here imports PyMC, ArviZ or PreliZ: commands that sample import them when they
run, so ``--help`` and ``check`` start fast.
"""

from __future__ import annotations

import typer

from forecast import __version__
from forecast.cli import _common

app = typer.Typer(
    name="forecast",
    help=(
        "Turn what experts believe into Bayesian forecasts of events, with honest "
        "uncertainty.\n\nExample: forecast run priors/turkiye-joins-consultative-meeting.yaml"
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain help: rendering help through rich costs more start-up than the help is worth.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"forecast {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Forecast geopolitical events from elicited expert judgements."""
    _common.STATE.debug = debug


def _register() -> None:
    from forecast.cli import check, ledger, ledger_admin, list_, report, run, show, sweep

    for module in (run, check, show, list_, ledger, ledger_admin, sweep, report):
        module.register(app)
    from forecast.cli import cooke, elicit, watch

    elicit.register(app)
    watch.register(app)
    cooke.register(app)


_register()
