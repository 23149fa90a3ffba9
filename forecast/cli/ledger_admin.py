"""``forecast ledger check`` (is the ledger file sound, and a copy of what can be read) and
``forecast ledger copy`` (a personal ledger into the team's, and back)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import typer

from forecast.cli._common import handle_errors, out, print_json
from forecast.cli.options import Ledger

if TYPE_CHECKING:
    from forecast.ledger.repair import Report


class _Counts(TypedDict):
    copied: int
    there_already: int


CopySummary = TypedDict(
    "CopySummary",
    {"schema": str, "from": str, "to": str, "forecasts": _Counts, "outcomes": _Counts},
)
"""What ``ledger copy --format json`` prints (``forecast.ledger-copy/1``)."""

ledger_app = typer.Typer(
    name="ledger",
    help="Look after the ledger: check a file, copy between ledgers.\n\n"
    "Example: forecast ledger check",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


class CheckFormat(StrEnum):
    """Output formats of ``ledger check``."""

    text = "text"
    json = "json"


def check(
    ledger: Ledger = None,
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
        _print_check(path, report, recover)
    if not report.ok:
        raise typer.Exit(1)


def _print_check(path: Path, report: Report, recover: Path | None) -> None:
    """The check's findings in words."""
    console = out()

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"{path}: " + ("ok" if report.ok else "DAMAGED"))
    for problem in report.problems:
        say(f"  {problem}")
    for table, n in report.readable.items():
        bad = report.unreadable.get(table, 0)
        said = f", {bad} {'row' if bad == 1 else 'rows'} cannot be read" if bad else ""
        say(f"  {table}: {n} rows readable{said}")
    if recover is not None:
        copied = ", ".join(f"{n} {t}" for t, n in report.copied.items())
        lost = ", ".join(f"{n} {t}" for t, n in report.lost.items() if n)
        say(f"copied into {recover}: {copied}" + (f"; lost: {lost}" if lost else ""))
        kept = report.kept_without_snapshot
        if kept:
            which = f"{kept} forecasts" if kept != 1 else "1 forecast"
            say(
                f"  {which} kept without the priors snapshot (the numbers are all there; "
                "history cannot say what changed in the file)"
            )


def copy(
    source: str = typer.Argument(
        ..., metavar="FROM", help="The ledger to copy from (a file or URL)."
    ),
    target: str = typer.Argument(
        ..., metavar="TO", help="The ledger to copy into (a file or URL)."
    ),
    format_: CheckFormat = typer.Option(CheckFormat.text, "--format", help="Output format."),
) -> None:
    """Copy every forecast and outcome of one ledger into another that lacks them.

    Moves a personal SQLite ledger into the team's PostgreSQL database, or back: what
    TO already holds is left as it is and copied once only, so copying again adds
    nothing. Each forecast keeps its analyst, time, priors snapshot and report; a
    question's current outcome becomes the newest one either ledger recorded. The copy
    is one transaction: all of it lands, or nothing. FROM is only read.

    Example: forecast ledger copy ~/.local/share/forecast/ledger.sqlite postgresql://ana@db/team
    """
    from forecast.errors import ForecastError
    from forecast.ledger import open_ledger
    from forecast.ledger.store import exists

    if not exists(source):
        raise ForecastError(
            f"there is no ledger at {source}: nothing to copy",
            hint="check FROM; nothing was written",
        )
    with open_ledger(source, write=False) as src:
        forecasts, log, shown_from = src.forecasts(), src.resolution_log(), src.location
    with open_ledger(target) as dst:
        added, logged = dst.merge(forecasts, log)
        shown_to = dst.location
    summary: CopySummary = {
        "schema": "forecast.ledger-copy/1",
        "from": shown_from,
        "to": shown_to,
        "forecasts": {"copied": added, "there_already": len(forecasts) - added},
        "outcomes": {"copied": logged, "there_already": len(log) - logged},
    }
    if format_ is CheckFormat.json:
        print_json(summary)
        return
    out().print(_copied_text(summary), markup=False, highlight=False, soft_wrap=True)


def _copied_text(summary: CopySummary) -> str:
    """What ``ledger copy`` copied, in words."""
    added, logged = summary["forecasts"]["copied"], summary["outcomes"]["copied"]
    return (
        f"copied {added} forecast{'' if added == 1 else 's'} and {logged} outcome"
        f"{'' if logged == 1 else 's'} from {summary['from']} to {summary['to']} "
        f"({summary['forecasts']['there_already']} and {summary['outcomes']['there_already']} "
        "were there already)"
    )


def register(app: typer.Typer) -> None:
    """Add the ``ledger`` command group to the app."""
    ledger_app.command("check")(handle_errors(check))
    ledger_app.command("copy")(handle_errors(copy))
    app.add_typer(ledger_app)
