"""``forecast history``, ``resolve`` and ``export`` (and ``score``, in its own module): the
forecast ledger.

The ledger is an SQLite file in the user data directory unless ``--ledger`` or
``FORECAST_LEDGER`` names another file or a ``postgresql://`` URL; ``forecast run
--record`` writes to it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import err, handle_errors, out, print_json
from forecast.cli.options import Ledger
from forecast.errors import ForecastError, UsageError

if TYPE_CHECKING:
    from forecast.ledger.history import Move
    from forecast.ledger.records import ForecastRecord, Resolution
    from forecast.outcomes import Resolved


def _missing(ledger: str | None) -> bool:
    """Warn (on stderr) when the ledger file named does not exist; True when it does not."""
    from forecast.ledger.store import exists

    if ledger is None or exists(ledger):
        return False
    err().print(
        f"warning: there is no ledger at {ledger}: nothing has been recorded there",
        style="yellow",
        highlight=False,
    )
    return True


class HistoryFormat(StrEnum):
    """Output formats of ``history`` and ``resolve``."""

    rich = "rich"
    json = "json"


class ExportFormat(StrEnum):
    """File formats of ``export``."""

    csv = "csv"
    parquet = "parquet"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} must be a date such as 2027-12-31 (got {value!r})") from None


def _record_json(r: ForecastRecord) -> dict[str, object]:
    from forecast.ledger.pick import implied_by

    return {
        "id": r.id,
        "recorded_at": r.recorded_at.isoformat(),
        "analyst": r.analyst,
        "probability": r.probability,
        "intervals": {k: list(v) for k, v in r.intervals.items()},
        "prior_probability": r.prior_probability,
        "kind": r.kind,
        "network_implied": implied_by(r) is not None,
        "network": implied_by(r),
        "pool": r.pool,
        "seed": r.seed,
        "version": r.version,
        "priors_sha256": r.priors_sha256,
        "contributions": [
            {
                "label": c.label,
                "kind": c.kind,
                "before": c.before,
                "after": c.after,
                "delta": c.delta,
            }
            for c in r.contributions
        ],
        "experts": [
            {"name": e.name, "weight": e.weight, "probability": e.probability} for e in r.experts
        ],
    }


def _history_json(
    qid: str, resolution: Resolution | None, records: list[ForecastRecord], steps: list[Move]
) -> dict[str, object]:
    """A question's history for ``--format json``."""
    return {
        "schema": "forecast.history/1",
        "question": qid,
        "resolution": None
        if resolution is None
        else {"outcome": resolution.outcome, "date": resolution.resolved_on.isoformat()},
        "forecasts": [_record_json(r) for r in records],
        "moves": [m.to_dict() for m in steps],
    }


def history(
    question: str = typer.Argument(
        ..., metavar="QUESTION", help="Question id or priors file path."
    ),
    format_: HistoryFormat = typer.Option(
        HistoryFormat.rich, "--format", "-f", help="Output format."
    ),
    ledger: Ledger = None,
) -> None:
    """Show a question's recorded forecasts over time and why each move happened.

    For each move between consecutive forecasts: what changed in the priors file
    (experts, evidence, base rate) and how much of the move each input explains; the
    rest is shown as other/sampling. A network's forecast of the question (``run NET
    --record``) is shown as network-implied, and moves are between forecasts of one source.

    Example: forecast history turkiye-joins-consultative-meeting
    """
    from forecast.ledger import open_ledger
    from forecast.ledger.history import moves_by_source
    from forecast.ledger.resolve import question_id

    qid = question_id(question)
    _missing(ledger)
    with open_ledger(ledger, write=False) as book:
        records = book.forecasts(qid)
        resolution = book.resolutions().get(qid)
    steps = moves_by_source(records)
    if format_ is HistoryFormat.json:
        print_json(_history_json(qid, resolution, records, steps))
    elif not records:
        err().print(f"No forecasts of {qid} are recorded in {book.location}.", highlight=False)
        err().print("  hint: record one with: forecast run PRIORS --record", style="dim")
    else:
        _show_history(qid, records, steps, resolution)


def _show_history(
    qid: str, records: list[ForecastRecord], steps: list[Move], resolution: Resolution | None
) -> None:
    """A question's recorded forecasts and their moves, on the terminal."""
    from forecast.ledger.render import history_view

    out().print(history_view(qid, records, steps))
    if resolution is not None:
        out().print(
            f"Resolved {resolution.outcome} on {resolution.resolved_on.isoformat()}.",
            highlight=False,
        )


def resolve(
    question: str = typer.Argument(
        ..., metavar="QUESTION", help="Question id or priors file path."
    ),
    word: str | None = typer.Argument(
        None,
        metavar="yes|no|annulled",
        help="yes, no or annulled (a quantity question: --value instead).",
    ),
    date: str | None = typer.Option(
        None, "--date", help="When it resolved, YYYY-MM-DD (default: today)."
    ),
    priors_dir: Path = typer.Option(
        Path("priors"), "--priors-dir", help="Where to look up a question given by id."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Record it even though no priors file or forecast names it, or, with --reason, "
        "a no before the deadline.",
    ),
    reason: str | None = typer.Option(
        None,
        "--reason",
        metavar="TEXT",
        help="Why, kept in the ledger with the outcome (required for a no before the deadline).",
    ),
    ledger: Ledger = None,
    value: float | None = typer.Option(
        None,
        "--value",
        metavar="X",
        help="The amount a quantity question resolved at (in its unit): it is written into "
        "the priors file, and the outcome is yes when it is above the first threshold.",
    ),
    format_: HistoryFormat = typer.Option(
        HistoryFormat.rich,
        "--format",
        "-f",
        help="json: what was recorded, as one object on stdout (forecast.resolve/1).",
    ),
) -> None:
    """Record a question's outcome and set its status in the priors file.

    The outcome goes into the ledger and `status` in the priors file is set, keeping
    its comments and layout. Resolving again corrects the outcome: the new one counts,
    and the ledger keeps the earlier one in its resolution log (see export). A question
    with neither a priors file nor a recorded forecast (a typo, most often) is refused
    unless --force is given. A no before the deadline is refused unless --force and
    --reason say why the event has become impossible. A quantity question resolves at
    its value (--value X), on any day: an amount is known once it is published, and the
    value decides yes or no; a bare yes or no is refused for it. Forecasts recorded after the
    resolution date do not count in `forecast score`, and resolve says so.

    Example: forecast resolve turkmenistan-joins-ots yes --date 2026-11-20

    Example: forecast resolve turkmenistan-joins-ots no --force --reason "the OTS was dissolved"

    Example: forecast resolve us-finance-kazakhstan-tungsten --value 850

    With --format json, stdout gets one object saying what was recorded (the messages
    stay on stderr).
    """
    from forecast import outcomes

    outcome = outcomes.requested(question, word, value)
    day = outcomes.resolution_day(_date(date, "--date"))
    done = outcomes.resolve(
        question,
        outcome,
        day,
        priors_dir=priors_dir,
        ledger=ledger,
        force=force,
        reason=reason,
        value=value,
    )
    _said_resolved(done, priors_dir)
    if format_ is HistoryFormat.json:
        print_json(_resolved_json(done))


def _resolved_json(done: Resolved) -> dict[str, object]:
    """What ``resolve`` recorded, for ``--format json`` (``forecast.resolve/1``)."""
    r, earlier = done.resolution, done.earlier
    replaced = earlier is not None and (earlier.outcome, earlier.resolved_on) != (
        r.outcome,
        r.resolved_on,
    )
    return {
        "schema": "forecast.resolve/1",
        "question": r.question_id,
        "outcome": r.outcome,
        "date": r.resolved_on.isoformat(),
        "value": r.value,
        "reason": r.reason,
        "recorded_at": r.recorded_at.isoformat(),
        "ledger": done.location,
        "priors": None if done.path is None else str(done.path),
        "status_set": done.changed,
        "replaces": {
            "outcome": earlier.outcome,
            "date": earlier.resolved_on.isoformat(),
            "recorded_at": earlier.recorded_at.isoformat(),
        }
        if replaced and earlier is not None
        else None,
        "late": done.late,
    }


def _said_resolved(done: Resolved, priors_dir: Path) -> None:
    """What ``resolve`` recorded and changed, on stderr."""
    r, earlier, console = done.resolution, done.earlier, err()
    if done.late is not None:
        console.print(f"warning: {done.late}", style="yellow", highlight=False, soft_wrap=True)
    day = r.resolved_on.isoformat()
    console.print(f"Recorded: {r.question_id} resolved {r.outcome} on {day}.", highlight=False)
    if earlier is not None and (earlier.outcome, earlier.resolved_on) != (r.outcome, r.resolved_on):
        console.print(
            f"It replaces the outcome recorded on {earlier.recorded_at.date().isoformat()}: "
            f"{earlier.outcome} on {earlier.resolved_on.isoformat()} (kept in the ledger's "
            "resolution log).",
            highlight=False,
        )
    if done.path is None:
        console.print(
            f"warning: no priors file for {r.question_id} in {priors_dir}/; its status was "
            "not changed",
            style="yellow",
            highlight=False,
        )
    elif done.changed:
        console.print(f"Set status: {r.outcome} in {done.path}.", highlight=False)


def export(
    format_: ExportFormat = typer.Option(..., "--format", "-f", help="csv or parquet."),
    out_path: Path = typer.Option(..., "--out", "-o", help="The file to write (- for stdout)."),
    ledger: Ledger = None,
) -> None:
    """Write the whole ledger (every forecast and resolution) to a CSV or Parquet file.

    One row per recorded forecast and per resolution; Parquet needs pyarrow.

    Example: forecast export --format csv --out ledger.csv
    """
    from forecast.ledger import open_ledger
    from forecast.ledger.export import write

    if _missing(ledger):
        raise ForecastError(
            f"nothing to export from {ledger}",
            hint="check --ledger or FORECAST_LEDGER; nothing was written",
        )
    with open_ledger(ledger, write=False) as book:
        n = write(book, out_path, format_.value)
    where = "stdout" if str(out_path) == "-" else str(out_path)
    err().print(f"Wrote {n} rows to {where}.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ledger commands to the app."""
    app.command("history")(handle_errors(history))
    app.command("resolve")(handle_errors(resolve))
    from forecast.cli import score

    score.register(app)
    app.command("export")(handle_errors(export))
