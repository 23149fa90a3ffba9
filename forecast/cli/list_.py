"""``forecast list``: the questions in a directory, with their latest recorded forecast."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from forecast.cli._common import (
    err,
    handle_errors,
    load_some,
    out,
    print_json,
    report_error,
    stale_option,
    stale_warnings,
)
from forecast.cli.ledger import ledger_option

if TYPE_CHECKING:
    from forecast.ledger import Latest
    from forecast.questions.loader import LoadedQuestion


WIDE = 100
"""Terminals at least this wide get a table; narrower ones get each question on three lines."""


class ListFormat(StrEnum):
    """Output formats of ``list``."""

    text = "text"
    json = "json"


def _latest(ledger: str | None) -> tuple[dict[str, Latest], dict[str, str]]:
    """The latest recorded forecast and the recorded outcome of each question; a ledger
    that cannot be read is reported on stderr and the list goes on without it."""
    from forecast.ledger import LedgerError, open_ledger

    try:
        with open_ledger(ledger, write=False) as book:
            return book.latest(), {q: r.outcome for q, r in book.resolutions().items()}
    except LedgerError as exc:
        err().print(f"warning: no latest forecasts: {exc.message}", markup=False, highlight=False)
        return {}, {}


def _disagreements(
    loaded: list[LoadedQuestion], latest: dict[str, Any], outcomes: dict[str, str]
) -> None:
    """Warn where a priors file is resolved and the ledger, which has its forecasts, is not
    (`resolve` was stopped between the two), and say how to make them agree."""
    for q in loaded:
        status = q.spec.status
        if status == "open" or q.id not in latest or outcomes.get(q.id) == status:
            continue
        said = outcomes.get(q.id)
        ledger_says = f"records {said}" if said else "has no outcome"
        err().print(
            f"warning: {q.id}: the priors file says status: {status} but the ledger "
            f"{ledger_says}; run `forecast resolve {q.id} {status} --date DAY` to record it",
            markup=False,
            highlight=False,
            style="yellow",
            soft_wrap=True,
        )


_STATUS = re.compile(r"^status:.*(?:\n|$)", re.MULTILINE)


def changed_since(q: LoadedQuestion, latest: Latest) -> bool:
    """Whether the priors file differs from the one the forecast was made from, other
    than in its ``status`` line (which `forecast resolve` sets)."""
    if latest.priors_sha256 == q.sha256:
        return False
    return _STATUS.sub("", q.text) != _STATUS.sub("", latest.priors_text)


def _latest_json(q: LoadedQuestion, latest: Latest | None) -> dict[str, Any] | None:
    if latest is None:
        return None
    return {
        "probability": latest.probability,
        "recorded_at": latest.recorded_at.isoformat(),
        "file_changed": changed_since(q, latest),
    }


def _latest_text(q: LoadedQuestion, latest: Latest | None) -> str:
    if latest is None:
        return "none recorded"
    from forecast.render import fmt

    text = f"{fmt.pct(latest.probability)} on {latest.recorded_at.date().isoformat()}"
    return text + (" · file changed since" if changed_since(q, latest) else "")


def list_(
    directory: Path = typer.Argument(
        Path("priors"), metavar="DIR", help="Directory of priors files."
    ),
    format_: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
    json_: bool = typer.Option(False, "--json", hidden=True, help="Same as --format json."),
    ledger: str | None = ledger_option(),
    due: bool = typer.Option(
        False,
        "--due",
        help="Only the questions that need attention (a passed opportunity or deadline, "
        "old facts), each with what needs doing.",
    ),
    stale_after: int | None = stale_option(),
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
    latest, outcomes = _latest(ledger) if loaded else ({}, {})
    _disagreements(loaded, latest, outcomes)
    rows = sorted(loaded, key=lambda q: (q.spec.deadline, q.id))
    if json_ or format_ is ListFormat.json:
        for q in rows:
            print_json(
                {
                    "id": q.id,
                    "title": q.spec.title,
                    "kind": q.spec.kind,
                    "deadline": q.spec.deadline.isoformat(),
                    "status": q.spec.status,
                    "file": str(q.path),
                    "latest": _latest_json(q, latest.get(q.id)),
                    "warnings": [w.to_dict() for w in stale[q.id]],
                }
            )
    elif due:
        _print_due(rows, stale)
    else:
        console = out()
        cells = [
            (
                q,
                q.spec.kind,
                q.spec.deadline.isoformat(),
                q.spec.status,
                _latest_text(q, latest.get(q.id)),
            )
            for q in rows
        ]
        if console.width >= WIDE:
            from rich.table import Table
            from rich.text import Text

            # The id and its title share a column, so the title wraps between words
            # within the id's width instead of being cut into pieces of a few letters.
            table = Table(show_edge=False, show_lines=True)
            table.add_column("question", min_width=max(len(q.id) for q in rows))
            for col in ("kind", "deadline", "status"):
                table.add_column(col, no_wrap=True)
            table.add_column("latest forecast", min_width=10)
            for q, *rest in cells:
                cell = Text(q.id, style="bold")
                cell.append("\n" + q.spec.title, style="")
                table.add_row(cell, *rest)
            console.print(table)
        else:
            from rich.padding import Padding
            from rich.text import Text

            for q, kind, deadline, status, last in cells:
                console.print(Text(q.id, style="bold"), soft_wrap=True)
                console.print(Padding(Text(q.spec.title), (0, 0, 0, 2), expand=False))
                line = Text(f"{kind} · deadline {deadline} · {status} · latest {last}", style="dim")
                console.print(Padding(line, (0, 0, 0, 2), expand=False))
    for exc in bad:
        report_error(exc)
    if bad:
        raise typer.Exit(1)


def _print_due(rows: list[LoadedQuestion], stale: dict[str, Any]) -> None:
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
