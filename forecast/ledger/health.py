"""Is an SQLite ledger sound, and what went wrong when a write failed.

* :func:`quick_check` runs SQLite's ``PRAGMA quick_check`` (the b-trees and their
  pages, without cross-checking every index entry); every ledger opened is checked
  this way first, and a damaged one is refused before anything is written into it or
  read out of it (see ``benchmarks/ledger_check.py`` for its cost);
* :func:`write_failed` turns the error of a failed write into words that say what it
  was: a full disk, an I/O error, a read-only file or a damaged ledger; only the last
  points to ``forecast ledger check``, since a full disk must not invite anyone to
  delete a healthy file.
"""

from __future__ import annotations

import sqlite3

from forecast.ledger.interface import ENV, LedgerError

CHECK_HINT = (
    "run `forecast ledger check --ledger {path}` to see the damage, and add "
    "`--recover COPY` to copy what can still be read into a new ledger; the file was "
    "left as it is"
)
"""How a damaged ledger can be looked at and rescued."""


class Damaged(LedgerError):
    """The ledger file is damaged; it was not written to."""


def busy(exc: sqlite3.OperationalError) -> bool:
    """True when the error only means another connection holds a lock right now."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def quick_check(conn: sqlite3.Connection, location: str, *, write: bool = True) -> None:
    """Refuse a damaged ledger: ``PRAGMA quick_check`` must say ``ok``.

    ``write`` says whether the ledger was opened to write (the error then says nothing
    was written) or only to read.

    Raises
    ------
    Damaged
        Naming the first problem SQLite found.
    """
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        if _code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise
        raise Damaged(
            f"the ledger {location} is damaged ({said(exc)}){_NOTHING if write else ''}",
            hint=CHECK_HINT.format(path=location),
        ) from None
    found = [str(r[0]) for r in rows]
    if found != ["ok"]:
        raise Damaged(
            f"the ledger {location} is damaged ({said(found[0])}){_NOTHING if write else ''}",
            hint=CHECK_HINT.format(path=location),
        )


_NOTHING = "; nothing was written to it"


SAID = 120
"""The most characters of SQLite's own message an error quotes."""


def said(exc: BaseException | str) -> str:
    """SQLite's message as one short line: never the stored text it may quote.

    ("Could not decode to UTF-8 column 'x' with text '...'" quotes the value, a whole
    priors file perhaps, newlines and all.)
    """
    text = " ".join(str(exc).split(" with text ", 1)[0].split())
    return text if len(text) <= SAID else text[: SAID - 3] + "..."


def damaged(location: str, exc: BaseException) -> Damaged:
    """The error for a ledger SQLite cannot read, or whose rows cannot be decoded."""
    return Damaged(
        f"the ledger {location} cannot be read: {said(exc)}",
        hint="it is damaged or not a forecast ledger; " + CHECK_HINT.format(path=location),
    )


def write_failed(location: str, exc: sqlite3.Error) -> LedgerError:
    """The error for a write to the ledger that SQLite refused; nothing was written."""
    code = _code(exc)
    text = said(exc)
    if code == sqlite3.SQLITE_FULL:
        return LedgerError(
            f"cannot write to the ledger {location}: the disk is full ({text})",
            hint="free some space and try again; nothing was written and the ledger is as it was",
        )
    if code == sqlite3.SQLITE_IOERR:
        name = getattr(exc, "sqlite_errorname", "SQLITE_IOERR")
        return LedgerError(
            f"cannot write to the ledger {location}: the disk reported an I/O error "
            f"({text}, {name})",
            hint="check the disk or the file system; nothing was written and the ledger "
            "is as it was",
        )
    if code == sqlite3.SQLITE_READONLY or "readonly" in text.lower():
        return LedgerError(
            f"the ledger {location} is not writable: {text}",
            hint=f"check its permissions or choose another file with --ledger or {ENV}",
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return damaged(location, exc)
    return LedgerError(
        f"cannot write to the ledger {location}: {text}",
        hint="nothing was written; the ledger is as it was",
    )


__all__ = ["CHECK_HINT", "Damaged", "damaged", "quick_check", "said", "write_failed"]
