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
from typing import TYPE_CHECKING, Any

import typer

from forecast.cli._common import err, handle_errors, out, print_json
from forecast.errors import ForecastError, UsageError

if TYPE_CHECKING:
    from forecast.ledger.records import ForecastRecord, Resolution

LEDGER_HELP = (
    "The ledger: a file, or a postgresql://user@host:port/db URL (default: $FORECAST_LEDGER, "
    "else ledger.sqlite in the user data directory)."
)


def ledger_option() -> Any:
    """The ``--ledger PATH`` option, shared by every command that uses the ledger."""
    return typer.Option(
        None, "--ledger", envvar="FORECAST_LEDGER", help=LEDGER_HELP, show_envvar=False
    )


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


class Outcome(StrEnum):
    """How a question resolved."""

    yes = "yes"
    no = "no"
    annulled = "annulled"


class HistoryFormat(StrEnum):
    """Output formats of ``history``."""

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


def _record_json(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "recorded_at": r.recorded_at.isoformat(),
        "analyst": r.analyst,
        "probability": r.probability,
        "intervals": {k: list(v) for k, v in r.intervals.items()},
        "prior_probability": r.prior_probability,
        "kind": r.kind,
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


def history(
    question: str = typer.Argument(
        ..., metavar="QUESTION", help="Question id or priors file path."
    ),
    format_: HistoryFormat = typer.Option(
        HistoryFormat.rich, "--format", "-f", help="Output format."
    ),
    ledger: str | None = ledger_option(),
) -> None:
    """Show a question's recorded forecasts over time and why each move happened.

    For each move between consecutive forecasts: what changed in the priors file
    (experts, evidence, base rate) and how much of the move each input explains; the
    rest is shown as other/sampling.

    Example: forecast history turkiye-joins-consultative-meeting
    """
    from forecast.ledger import open_ledger
    from forecast.ledger.history import moves
    from forecast.ledger.resolve import question_id

    qid = question_id(question)
    _missing(ledger)
    with open_ledger(ledger, write=False) as book:
        records = book.forecasts(qid)
        resolution = book.resolutions().get(qid)
    steps = moves(records)
    if format_ is HistoryFormat.json:
        print_json(
            {
                "schema": "forecast.history/1",
                "question": qid,
                "resolution": None
                if resolution is None
                else {"outcome": resolution.outcome, "date": resolution.resolved_on.isoformat()},
                "forecasts": [_record_json(r) for r in records],
                "moves": [m.to_dict() for m in steps],
            }
        )
        return
    if not records:
        err().print(f"No forecasts of {qid} are recorded in {book.location}.", highlight=False)
        err().print("  hint: record one with: forecast run PRIORS --record", style="dim")
        return
    from forecast.ledger.render import history_view

    out().print(history_view(qid, records, steps))
    if resolution is not None:
        out().print(
            f"Resolved {resolution.outcome} on {resolution.resolved_on.isoformat()}.",
            highlight=False,
        )


def _outcome(word: str) -> Outcome:
    """The outcome a word names (any case); a clean usage error for any other word."""
    try:
        return Outcome(word.strip().lower())
    except ValueError:
        raise UsageError(
            f"unknown outcome {word!r}: give yes, no or annulled",
            hint="yes: it happened by the deadline; no: it did not; annulled: the question "
            "cannot be settled (it is then not scored)",
        ) from None


def _check_early_no(
    qid: str,
    outcome: Outcome,
    day: dt.date,
    deadline: dt.date | None,
    force: bool,
    reason: str | None,
) -> None:
    """Refuse a no before the deadline, unless --force and --reason say why it is known."""
    if outcome is not Outcome.no or deadline is None or day >= deadline:
        return
    if force and reason and reason.strip():
        return
    raise UsageError(
        f"{qid} cannot resolve no on {day.isoformat()}, before its deadline "
        f"{deadline.isoformat()}: until then the event can still happen",
        hint="a no is known early only when the event has become impossible; if it has, "
        "say why: --force --reason TEXT (kept in the ledger)"
        if not force
        else "--force needs --reason TEXT: why the event can no longer happen",
    )


def _warn_late_forecasts(recorded: list[ForecastRecord], resolution: Resolution) -> None:
    """Say which recorded forecasts come after the cutoff ``forecast score`` applies (the
    resolution date, or the earlier deadline they were made for): score drops them."""
    from forecast.ledger.evaluate import cutoff

    if resolution.outcome == "annulled":  # not scored at all
        return
    end = cutoff(recorded, resolution)
    late = [r for r in recorded if r.recorded_at.astimezone(dt.UTC).date() > end]
    if not late:
        return
    qid, n = resolution.question_id, len(recorded)
    first = min(r.recorded_at for r in late).astimezone(dt.UTC).date().isoformat()
    which = (
        f"the only recorded forecast of {qid} was"
        if n == 1
        else f"{len(late)} of the {n} recorded forecasts of {qid} were"
    )
    why = (
        "the day the outcome was known"
        if end == resolution.resolved_on
        else "the deadline they were made for"
    )
    err().print(
        f"warning: {which} made after {end.isoformat()} (the first on {first}); forecast "
        f"score leaves {'it' if n == 1 else 'them'} out, as it counts only forecasts made "
        f"by {why}",
        style="yellow",
        highlight=False,
        soft_wrap=True,
    )


def resolve(
    question: str = typer.Argument(
        ..., metavar="QUESTION", help="Question id or priors file path."
    ),
    word: str = typer.Argument(..., metavar="yes|no|annulled", help="yes, no or annulled."),
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
    ledger: str | None = ledger_option(),
) -> None:
    """Record a question's outcome and set its status in the priors file.

    The outcome goes into the ledger and `status` in the priors file is set, keeping
    its comments and layout. Resolving again corrects the outcome: the new one counts,
    and the ledger keeps the earlier one in its resolution log (see export). A question
    with neither a priors file nor a recorded forecast (a typo, most often) is refused
    unless --force is given. A no before the deadline is refused unless --force and
    --reason say why the event has become impossible. Forecasts recorded after the
    resolution date do not count in `forecast score`, and resolve says so.

    Example: forecast resolve turkmenistan-joins-ots yes --date 2026-11-20

    Example: forecast resolve turkmenistan-joins-ots no --force --reason "the OTS was dissolved"
    """
    from forecast.ledger import Resolution, check_writable, open_ledger
    from forecast.ledger.records import utc_now
    from forecast.ledger.resolve import find_priors, put_back, question_id, read_raw, set_status
    from forecast.questions.loader import load_question

    try:
        folder = Path(question).is_dir()
    except OSError:  # a name too long to be a path is not a folder
        folder = False
    if folder:
        raise UsageError(
            f"{question} is a directory; resolve one question at a time",
            hint="give its id or its priors file",
        )
    from forecast import staleness

    outcome = _outcome(word)
    qid = question_id(question)
    today = staleness.today()
    day = _date(date, "--date") or today
    if day > today:
        raise UsageError(
            f"--date {day.isoformat()} is in the future; an outcome is known when it happens"
        )
    # Read first: a refusal must not leave an empty ledger behind.
    with open_ledger(ledger, write=False) as book:
        recorded = book.forecasts(qid)
        earlier = book.resolutions().get(qid)
        location = book.location
    known = next((r.priors_path for r in reversed(recorded) if r.priors_path), None)
    path = find_priors(question, directory=priors_dir, known=known)
    if path is None and not recorded and not force:
        raise ForecastError(
            f"no priors file for {qid!r} in {priors_dir}/ and no forecast of it in "
            f"{location}; nothing was recorded",
            hint="check the id (forecast list), pass --priors-dir, or --force to record it anyway",
        )
    deadline = next((r.deadline for r in reversed(recorded) if r.deadline), None)
    if path is not None:
        # a broken file is reported before anything is recorded
        deadline = load_question(path).spec.deadline
    _check_early_no(qid, outcome, day, deadline, force, reason)
    check_writable(ledger)  # a damaged or unwritable ledger, before the file changes
    # The priors file first, then the ledger; a failed ledger write puts the file back.
    # Killed in between, the file is ahead of the ledger: resolving again records the
    # outcome (the status it already has changes nothing), and `forecast list` says so.
    raw = read_raw(path) if path is not None else None
    changed = path is not None and set_status(path, outcome.value)
    resolution = Resolution(qid, outcome.value, day, utc_now(), reason)
    try:
        with open_ledger(ledger) as book:
            book.resolve(resolution)
    except BaseException:
        if changed and path is not None and raw is not None:
            put_back(path, raw)
        raise
    _warn_late_forecasts(recorded, resolution)
    err().print(f"Recorded: {qid} resolved {outcome.value} on {day.isoformat()}.", highlight=False)
    if earlier is not None and (earlier.outcome, earlier.resolved_on) != (outcome.value, day):
        err().print(
            f"It replaces the outcome recorded on {earlier.recorded_at.date().isoformat()}: "
            f"{earlier.outcome} on {earlier.resolved_on.isoformat()} (kept in the ledger's "
            "resolution log).",
            highlight=False,
        )
    if path is None:
        err().print(
            f"warning: no priors file for {qid} in {priors_dir}/; its status was not changed",
            style="yellow",
            highlight=False,
        )
        return
    if changed:
        err().print(f"Set status: {outcome.value} in {path}.", highlight=False)


def export(
    format_: ExportFormat = typer.Option(..., "--format", "-f", help="csv or parquet."),
    out_path: Path = typer.Option(..., "--out", "-o", help="The file to write (- for stdout)."),
    ledger: str | None = ledger_option(),
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
