"""``forecast list``: the questions in a directory, with their latest recorded forecast."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import (
    err,
    handle_errors,
    load_some,
    out,
    print_json,
    report_error,
    stale_warnings,
)
from forecast.cli.options import Ledger, StaleAfter
from forecast.filestate import status_disagreements

if TYPE_CHECKING:
    from forecast.ledger import Latest
    from forecast.questions.loader import LoadedQuestion
    from forecast.staleness import StaleWarning


class ListFormat(StrEnum):
    """Output formats of ``list``."""

    text = "text"
    json = "json"


def _latest(ledger: str | None) -> tuple[dict[str, Latest], dict[str, str]] | None:
    """The latest recorded forecast and the recorded outcome of each question; None for
    a ledger that cannot be read, which is reported on stderr (the list goes on
    without it, and ends with exit 1)."""
    from forecast.ledger import LedgerError, open_ledger

    try:
        with open_ledger(ledger, write=False) as book:
            return book.latest(), {q: r.outcome for q, r in book.resolutions().items()}
    except LedgerError as exc:
        report_error(exc)
        err().print(
            "  the latest forecasts are not known: the list says so on every question",
            style="dim",
            highlight=False,
        )
        return None


def list_(
    directory: Path = typer.Argument(
        Path("priors"), metavar="DIR", help="Directory of priors files."
    ),
    format_: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
    json_: bool = typer.Option(False, "--json", hidden=True, help="Same as --format json."),
    ledger: Ledger = None,
    due: bool = typer.Option(
        False,
        "--due",
        help="Only the questions that need attention (a passed opportunity or deadline, "
        "old facts), each with what needs doing.",
    ),
    stale_after: StaleAfter = None,
) -> None:
    """List questions with their kind, deadline, status and latest recorded forecast.

    The latest forecast is the newest one `forecast run --record` kept in the ledger;
    "file changed since" says the priors file was edited after it was recorded.
    Dates the calendar has overtaken are warned about on stderr; --due lists only the
    questions they concern, with the warnings. Nothing is sampled.

    Example: forecast list priors/

    Example: forecast list priors/ --due
    """

    loaded, bad = load_some([directory])
    stale = stale_warnings(loaded, stale_after, show=not due)
    if due:
        loaded = [q for q in loaded if stale[q.id]]
    read = _latest(ledger) if loaded else ({}, {})
    latest, outcomes = read if read is not None else ({}, {})
    for said in status_disagreements(loaded, latest, outcomes):
        err().print(
            f"warning: {said}", markup=False, highlight=False, style="yellow", soft_wrap=True
        )
    rows = sorted(loaded, key=lambda q: (q.spec.deadline, q.id))
    from forecast.render.questions import QuestionList

    if json_ or format_ is ListFormat.json:
        for q in rows:
            print_json(_row_json(q, latest.get(q.id), stale[q.id], read is None))
    elif due:
        _print_due(rows, stale)
    else:
        out().print(QuestionList(rows, latest, unread=read is None))
    for exc in bad:
        report_error(exc)
    if bad or read is None:
        raise typer.Exit(1)


def _row_json(
    q: LoadedQuestion, latest: Latest | None, stale: list[StaleWarning], unread: bool = False
) -> dict[str, object]:
    """One question of ``--format json`` (``unread``: the ledger could not be read)."""
    from forecast.render import questions

    return {
        "id": q.id,
        "title": q.spec.title,
        "kind": q.spec.kind,
        "deadline": q.spec.deadline.isoformat(),
        "status": q.spec.status,
        "file": str(q.path),
        "latest": questions.latest_dict(q, latest),
        "ledger_read": not unread,
        "warnings": [w.to_dict() for w in stale],
    }


def _print_due(rows: list[LoadedQuestion], stale: dict[str, list[StaleWarning]]) -> None:
    """Each question that needs attention, with what needs doing."""
    from rich.text import Text

    console = out()
    if not rows:
        console.print("nothing due: no passed opportunity or deadline, no old facts")
        return
    for q in rows:
        console.print(Text(q.id, style="bold"), soft_wrap=True)
        for w in stale[q.id]:
            for i, line in enumerate(w.lines()):
                text = line.removeprefix("warning: ") if i == 0 else line.strip()
                console.print(
                    Text("  " + ("" if i == 0 else "  ") + text, style="" if i == 0 else "dim"),
                    soft_wrap=True,
                )


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("list")(handle_errors(list_))
