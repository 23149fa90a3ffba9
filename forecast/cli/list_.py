"""``forecast list``: the questions in a directory."""

from __future__ import annotations

from pathlib import Path

import typer

from forecast.cli._common import handle_errors, out, print_json, report_error


def list_(
    directory: Path = typer.Argument(Path("priors"), help="Directory of priors files."),
    json_: bool = typer.Option(False, "--json", help="One JSON object per question per line."),
) -> None:
    """List questions with their deadline and status.

    Example: forecast list priors/
    """
    from forecast.spec import load_many

    loaded, bad = load_many([directory])
    if json_:
        for q in loaded:
            print_json(
                {
                    "id": q.id,
                    "title": q.spec.title,
                    "kind": q.spec.kind,
                    "deadline": q.spec.deadline.isoformat(),
                    "status": q.spec.status,
                    "file": str(q.path),
                }
            )
    else:
        from rich.table import Table

        table = Table(show_edge=False)
        for col in ("id", "title", "kind", "deadline", "status"):
            table.add_column(col, overflow="fold")
        for q in sorted(loaded, key=lambda q: (q.spec.deadline, q.id)):
            table.add_row(
                q.id, q.spec.title, q.spec.kind, q.spec.deadline.isoformat(), q.spec.status
            )
        out().print(table)
    for exc in bad:
        report_error(exc)
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("list")(handle_errors(list_))
