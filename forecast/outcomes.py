"""Recording how a question resolved: the rules an outcome must meet, then the priors
file's ``status`` and the ledger, in that order, so that one never runs ahead of the
other unnoticed.

:func:`resolve` does the work and returns what happened as a :class:`Resolved`; what
the command line says about it is the command's business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import ForecastError, UsageError

if TYPE_CHECKING:
    from forecast.ledger.records import ForecastRecord, Resolution


def outcome_of(word: str) -> str:
    """The outcome a word names (any case); a clean usage error for any other word."""
    from forecast.ledger.records import OUTCOMES

    said = word.strip().lower()
    if said in OUTCOMES:
        return said
    raise UsageError(
        f"unknown outcome {word!r}: give yes, no or annulled",
        hint="yes: it happened by the deadline; no: it did not; annulled: the question "
        "cannot be settled (it is then not scored)",
    )


def requested(question: str, word: str | None, value: float | None) -> str:
    """The outcome asked for: ``word`` as an outcome, or "" when a ``value`` decides it
    (a quantity question); one or the other, for one question (not a folder)."""
    try:
        folder = Path(question).is_dir()
    except OSError:  # a name too long to be a path is not a folder
        folder = False
    if folder:
        raise UsageError(
            f"{question} is a directory; resolve one question at a time",
            hint="give its id or its priors file",
        )
    if (word is None) == (value is None):
        raise UsageError(
            "give the outcome (yes, no or annulled) or, for a quantity, --value X; not both",
            hint="forecast resolve QUESTION yes, or forecast resolve QUESTION --value 850",
        )
    return outcome_of(word) if word is not None else ""


def resolution_day(day: dt.date | None) -> dt.date:
    """The day it resolved: ``day``, or today; never a day still to come."""
    from forecast import staleness

    today = staleness.today()
    if day is None:
        return today
    if day > today:
        raise UsageError(
            f"--date {day.isoformat()} is in the future; an outcome is known when it happens"
        )
    return day


def check_early_no(
    qid: str, outcome: str, day: dt.date, deadline: dt.date | None, force: bool, reason: str | None
) -> None:
    """Refuse a no before the deadline, unless ``force`` and ``reason`` say why it is known."""
    if outcome != "no" or deadline is None or day >= deadline:
        return
    if force and reason and reason.strip():
        return
    raise ForecastError(
        f"{qid} cannot resolve no on {day.isoformat()}, before its deadline "
        f"{deadline.isoformat()}: until then the event can still happen",
        hint="a no is known early only when the event has become impossible; if it has, "
        "say why: --force --reason TEXT (kept in the ledger)"
        if not force
        else "--force needs --reason TEXT: why the event can no longer happen",
    )


AMOUNT_KINDS = frozenset({"quantity"})
"""Kinds whose questions resolve at a value (``--value X``), not at a word."""


def check_amount_word(
    qid: str, path: Path | None, kind: str | None, outcome: str, unit: str | None = None
) -> None:
    """Refuse a bare yes or no for a question of an amount: it is scored at its value
    (CRPS and the log score need it), and the value decides yes or no. ``annulled``
    needs no value."""
    if kind not in AMOUNT_KINDS or outcome == "annulled":
        return
    where = str(path) if path is not None else qid
    raise ForecastError(
        f"{where}: {qid} is a {kind} question: it resolves at the amount it came to, "
        f"not at {outcome!r}",
        hint=f"give the amount: forecast resolve {qid} --value X (in {unit or 'its unit'}); "
        "the value decides yes or no, at any time, and annulled needs none",
    )


def late_forecasts(recorded: list[ForecastRecord], resolution: Resolution) -> str | None:
    """Which recorded forecasts come after the cutoff ``forecast score`` applies (the
    resolution date, or the earlier deadline they were made for), in words; None when
    none do or the question is annulled (not scored at all)."""
    from forecast.ledger.evaluate import cutoff

    if resolution.outcome == "annulled":
        return None
    end = cutoff(recorded, resolution)
    late = [r for r in recorded if r.recorded_at.astimezone(dt.UTC).date() > end]
    if not late:
        return None
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
    return (
        f"{which} made after {end.isoformat()} (the first on {first}); forecast "
        f"score leaves {'it' if n == 1 else 'them'} out, as it counts only forecasts made "
        f"by {why}"
    )


@dataclass(frozen=True)
class Resolved:
    """What :func:`resolve` recorded."""

    resolution: Resolution
    path: Path | None
    """The priors file found (None: none was, and only the ledger has the outcome)."""
    changed: bool
    """Whether the file's ``status`` was set (False when it already said so)."""
    earlier: Resolution | None
    """The outcome the ledger had before, if any."""
    late: str | None
    """Which recorded forecasts ``score`` leaves out, in words (see :func:`late_forecasts`)."""
    location: str = ""
    """Where the ledger that holds the outcome lives."""


def resolve(
    question: str,
    outcome: str,
    day: dt.date,
    *,
    priors_dir: Path,
    ledger: str | None,
    force: bool = False,
    reason: str | None = None,
    value: float | None = None,
) -> Resolved:
    """Record that ``question`` (an id or a priors file) resolved ``outcome`` on ``day``.

    Everything is checked before anything is written: a question neither a priors file
    nor the ledger knows (unless ``force``), a no before the deadline, a broken priors
    file, a ledger that cannot be written. Then the priors file's ``status`` is set,
    and the ledger records the outcome; a failed ledger write puts the file back.
    Killed in between, the file is ahead of the ledger: resolving again records the
    outcome, and `forecast list` says so.

    With ``value`` (an amount the question resolved at) the outcome is the one the
    question's kind gives for it (``outcome`` is not read), and the value is written into the
    priors file, which is then required. An amount is known when it is published, so a
    value resolves the question on any day, before its deadline too; a bare yes or no for
    a question of an amount is refused (:func:`check_amount_word`).
    """
    from forecast.ledger import Resolution, check_writable, open_ledger
    from forecast.ledger.records import utc_now
    from forecast.ledger.resolve import find_priors, put_back, question_id, read_raw, set_status
    from forecast.questions.loader import load_question

    qid = question_id(question)
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
    if value is not None and path is None:
        raise ForecastError(
            f"no priors file for {qid!r} in {priors_dir}/: --value is written into it",
            hint="pass --priors-dir, or the priors file itself",
        )
    kind = next((r.kind for r in reversed(recorded) if r.kind), None)
    unit: str | None = None
    if path is not None:  # a broken file is reported before anything is recorded
        spec = load_question(path).spec
        deadline, kind = spec.deadline, spec.kind
        said: object = getattr(spec, "unit", None)
        unit = said if isinstance(said, str) else None
        if value is not None:
            from forecast import kinds

            outcome = kinds.of(spec).outcome_of_value(spec, value)
            reason = reason or f"resolved at the value {value:g}"
    if value is None:
        check_amount_word(qid, path, kind, outcome, unit)
        check_early_no(qid, outcome, day, deadline, force, reason)
    check_writable(ledger)  # a damaged or unwritable ledger, before the file changes
    raw = read_raw(path) if path is not None else None
    changed = path is not None and set_status(path, outcome, value)
    resolution = Resolution(qid, outcome, day, utc_now(), reason, value)
    try:
        with open_ledger(ledger) as book:
            book.resolve(resolution)
            location = book.location
    except BaseException:
        if changed and path is not None and raw is not None:
            put_back(path, raw)
        raise
    late = late_forecasts(recorded, resolution)
    return Resolved(resolution, path, changed, earlier, late, location)
