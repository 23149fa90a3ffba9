"""``forecast check``: validate priors files without sampling."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import (
    echo_lines,
    handle_errors,
    load_some,
    out,
    print_json,
    stale_warnings,
)
from forecast.cli.options import Priors, StaleAfter

if TYPE_CHECKING:
    from forecast.errors import InputError
    from forecast.questions.loader import LoadedQuestion
    from forecast.staleness import StaleWarning


class CheckFormat(StrEnum):
    """Output formats of ``check``."""

    text = "text"
    json = "json"


def check(
    priors: Priors,
    format_: CheckFormat = typer.Option(CheckFormat.text, "--format", help="Output format."),
    stale_after: StaleAfter = None,
) -> None:
    """Validate priors files; print every problem as path:line:col field: message.

    Exit 0 when every file is valid, 1 otherwise. Nothing is sampled. Dates the
    calendar has overtaken (a scheduled opportunity after as_of, a passed deadline of an
    open question, old facts) are warned about on stderr; they do not make a file invalid.

    Example: forecast check priors/
    """

    ok, bad = load_some(priors)
    ok, bad = _fitted(ok, bad)
    stale = stale_warnings(ok, stale_after)
    notes = {q.id: _notes(q) for q in ok}
    if format_ is CheckFormat.json:
        for q in ok:
            print_json(
                _ok_json(q, stale[q.id]) | ({"coherence": notes[q.id][1]} if notes[q.id][0] else {})
            )
        for exc in bad:
            print_json(_bad_json(exc))
    else:
        console = out()
        for q in ok:
            console.print(f"ok  {q.path}", markup=False, highlight=False)
            for line in notes[q.id][0]:
                console.print(f"    {line}", markup=False, highlight=False, soft_wrap=True)
        for exc in bad:
            echo_lines(exc.lines())
    if bad:
        raise typer.Exit(1)


def _ok_json(q: LoadedQuestion, stale: list[StaleWarning]) -> dict[str, object]:
    """A valid file, for ``--format json``."""
    return {
        "file": str(q.path),
        "id": q.id,
        "ok": True,
        "problems": [],
        "warnings": [w.to_dict() for w in stale],
    }


def _bad_json(exc: InputError) -> dict[str, object]:
    """A file with problems, for ``--format json``."""
    path = next((p.path for p in exc.problems if p.path.endswith((".yaml", ".yml"))), None)
    path = path or exc.problems[0].path
    return {
        "file": exc.problems[0].path,
        "id": Path(path).stem,  # the question id is the file's name, valid or not
        "ok": False,
        "warnings": [],
        # A problem may be in a file the priors file names (its cases file).
        "problems": [
            {
                "file": p.path,
                "line": p.line,
                "column": p.column,
                "field": p.field,
                "message": p.message,
                "hint": p.hint,
            }
            for p in exc.problems
        ],
    }


def _notes(q: LoadedQuestion) -> tuple[list[str], object]:
    """What a kind checks beyond validity (a network's coherence), as lines and data."""
    from forecast import kinds

    notes = getattr(kinds.of(q.spec), "check_notes", None)
    return notes(q) if notes is not None else ([], None)


def _fitted(
    ok: list[LoadedQuestion], bad: list[InputError]
) -> tuple[list[LoadedQuestion], list[InputError]]:
    """The loaded questions whose judgements fit, and the rest with what failed, so that
    check refuses what run would (see :mod:`forecast.elicit.checks`)."""
    from forecast.elicit.checks import fit_problems
    from forecast.errors import InputError

    kept = []
    for q in ok:
        problems = fit_problems(q)
        if problems:
            bad = [*bad, InputError(problems)]
        else:
            kept.append(q)
    return kept, bad


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("check")(handle_errors(check))
