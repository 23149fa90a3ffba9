"""``forecast ledger check``: how sound a ledger file is, and a copy of what can be read.

:func:`check` runs SQLite's full ``PRAGMA integrity_check`` and counts what each table
still yields. :func:`recover` copies every row that can still be read, table by table
and row by row, into a new ledger; rows on damaged pages are skipped and counted, and
the damaged file is only ever read. A forecast whose priors snapshot is lost cannot be
kept (the ledger needs the file it was made from) and is counted as lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from forecast import files
from forecast.ledger.interface import LedgerError

TABLES = ("snapshots", "forecasts", "resolution_log", "resolutions")
"""The ledger's tables, in the order a copy must fill them (snapshots first)."""

_SKIP_LIMIT = 1 << 40
"""Past a damaged row, rowids are tried further and further ahead up to this far."""


@dataclass
class Report:
    """What :func:`check` or :func:`recover` found."""

    location: str
    problems: list[str] = field(default_factory=list)
    readable: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)
    copied: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when SQLite found nothing wrong."""
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--format json``."""
        return {
            "schema": "forecast.ledger-check/1",
            "ledger": self.location,
            "ok": self.ok,
            "problems": self.problems,
            "readable": self.readable,
            "unreadable": self.unreadable,
            "copied": self.copied,
            "lost": self.lost,
        }


def _connect_read_only(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise LedgerError(f"there is no ledger at {path}", hint="check --ledger or FORECAST_LEDGER")
    try:
        files.read_head(path, 16)
    except files.NotRegular as exc:
        raise LedgerError(f"the ledger path {path} {exc.reason}") from None
    except OSError as exc:
        raise LedgerError(f"cannot read the ledger {path}: {exc.strerror}") from None
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)


def _rows(conn: sqlite3.Connection, table: str) -> Iterator[tuple[object, ...] | None]:
    """Every readable row of ``table`` in rowid order, and None for each read that failed.

    After a failed read the scan restarts past the row it reached, trying further
    ahead each time, so one damaged page costs the rows on it and not the rest.
    """
    last = 0
    step = 1
    while True:
        try:
            sql = f"SELECT rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid"
            cur = conn.execute(sql, (last,))
            for row in cur:
                last = int(row[0])
                step = 1
                yield row
            return
        except sqlite3.DatabaseError:
            yield None
            last += step
            step *= 2
            if step > _SKIP_LIMIT:
                return


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]


def check(path: Path) -> Report:
    """``PRAGMA integrity_check`` of the ledger at ``path`` and a count of what each table
    yields; the file is only read."""
    report = Report(str(path))
    conn = _connect_read_only(path)
    try:
        try:
            found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        report.problems = [f for f in found if f != "ok"]
        for table in TABLES:
            good = bad = 0
            try:
                for row in _rows(conn, table):
                    good, bad = (good + 1, bad) if row is not None else (good, bad + 1)
            except sqlite3.DatabaseError:
                bad += 1
            report.readable[table] = good
            report.unreadable[table] = bad
            if bad:  # damage inside values, which the page structure does not show
                report.problems.append(f"{table}: {bad} rows cannot be read")
    finally:
        conn.close()
    return report


def recover(path: Path, copy: Path) -> Report:
    """Copy every row of the ledger at ``path`` that can be read into a new ledger at
    ``copy`` (which must not exist); return what was copied and what was lost."""
    from forecast.ledger.sqlite import SQLiteLedger

    if copy.exists() or copy.is_symlink():
        raise LedgerError(
            f"{copy} exists; the copy goes into a new file", hint="name a path that does not exist"
        )
    report = check(path)
    src = _connect_read_only(path)
    try:
        with SQLiteLedger.open(copy, write=True):
            pass  # a new, empty ledger of this version's schema
        dst = sqlite3.connect(copy, isolation_level=None)
        try:
            dst.execute("PRAGMA foreign_keys = ON")
            dst.execute("BEGIN IMMEDIATE")
            for table in TABLES:
                _copy_table(src, dst, table, report)
            dst.execute("COMMIT")
        finally:
            dst.close()
    finally:
        src.close()
    return report


def _copy_table(
    src: sqlite3.Connection, dst: sqlite3.Connection, table: str, report: Report
) -> None:
    try:
        have = _columns(src, table)
    except sqlite3.DatabaseError:
        have = []
    names = [c for c in _columns(dst, table) if c in have]
    copied = lost = 0
    if not names:
        report.copied[table], report.lost[table] = 0, report.unreadable.get(table, 0)
        return
    at = {c: i + 1 for i, c in enumerate(have)}  # +1: the rowid comes first
    sql = (
        f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    )
    for row in _rows(src, table):
        if row is None:
            lost += 1
            continue
        try:
            dst.execute(sql, tuple(row[at[c]] for c in names))
            copied += 1
        except sqlite3.IntegrityError:
            lost += 1  # a forecast whose snapshot is gone, or a value the schema refuses
    report.copied[table], report.lost[table] = copied, lost


__all__ = ["TABLES", "Report", "check", "recover"]
