"""``forecast ledger check``: is the ledger file sound, and a copy of what can be read."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from forecast.cli._common import handle_errors, out, print_json
from forecast.cli.ledger import ledger_option

ledger_app = typer.Typer(
    name="ledger",
    help="Look after the ledger file.\n\nExample: forecast ledger check",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


class CheckFormat(StrEnum):
    """Output formats of ``ledger check``."""

    text = "text"
    json = "json"


def check(
    ledger: str | None = ledger_option(),
    recover: Path | None = typer.Option(
        None,
        "--recover",
        metavar="COPY",
        help="Copy every forecast and outcome that can still be read into a new ledger "
        "at COPY (the checked file is only read).",
    ),
    format_: CheckFormat = typer.Option(CheckFormat.text, "--format", help="Output format."),
) -> None:
    """Check the ledger file with SQLite's integrity check; exit 1 when it is damaged.

    Says how many rows of each table can still be read. With --recover COPY, what can
    be read is copied into a new ledger, and how much was lost is said; point --ledger
    (or FORECAST_LEDGER) at the copy to go on. Nothing is written into the checked file.

    Example: forecast ledger check --ledger ledger.sqlite --recover rescued.sqlite
    """
    from forecast.errors import UsageError
    from forecast.ledger import repair
    from forecast.ledger.store import default_location, is_url

    where = ledger or default_location()
    if is_url(where):
        raise UsageError(
            "ledger check reads SQLite ledger files; a ledger on a PostgreSQL server is "
            "checked by the server's own tools (pg_amcheck)",
            hint="give --ledger PATH of a file",
        )
    path = Path(where).expanduser()
    report = repair.recover(path, recover) if recover else repair.check(path)
    if format_ is CheckFormat.json:
        print_json(report.to_dict())
    else:
        console = out()

        def say(text: str) -> None:
            console.print(text, markup=False, highlight=False, soft_wrap=True)

        say(f"{path}: " + ("ok" if report.ok else "DAMAGED"))
        for problem in report.problems:
            say(f"  {problem}")
        for table, n in report.readable.items():
            bad = report.unreadable.get(table, 0)
            say(f"  {table}: {n} rows readable" + (f", {bad} reads failed" if bad else ""))
        if recover is not None:
            copied = ", ".join(f"{n} {t}" for t, n in report.copied.items())
            lost = ", ".join(f"{n} {t}" for t, n in report.lost.items() if n)
            say(f"copied into {recover}: {copied}" + (f"; lost: {lost}" if lost else ""))
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``ledger`` command group to the app."""
    ledger_app.command("check")(handle_errors(check))
    app.add_typer(ledger_app)
