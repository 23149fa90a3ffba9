"""``forecast ledger check``: how sound a ledger file is, and a copy of what can be read.

:func:`check` runs SQLite's full ``PRAGMA integrity_check`` and counts what each table
still yields. :func:`recover` copies every row that can still be read, table by table
and row by row, into a new ledger; rows on damaged pages are skipped and counted, and
the damaged file is only ever read. A readable forecast whose priors snapshot is lost
is kept with a stand-in snapshot that says so (:data:`LOST_SNAPSHOT`): its numbers are
all there, only ``history`` cannot say what changed in its file.

What cannot be read is counted in rows, not in failed reads: an ``AUTOINCREMENT``
table (forecasts, the resolution log) held as many rows as the last id it gave; the
snapshots held at least those the readable forecasts name; the outcomes at least one
for each question the readable resolution log names.
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

LOST_SNAPSHOT = (
    "# The priors file of this forecast was lost with a damaged page of its ledger;\n"
    "# `forecast ledger check --recover` kept the forecast without it.\n"
)
"""The snapshot text a recovered forecast whose snapshot was lost is kept with."""

_KEYS = {"snapshots": "sha256", "forecasts": "priors_sha256", "resolutions": "question_id"}
"""The column of each table that another table's rows name (see :func:`_named`)."""


@dataclass
class Report:
    """What :func:`check` or :func:`recover` found."""

    location: str
    problems: list[str] = field(default_factory=list)
    readable: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)
    copied: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)
    kept_without_snapshot: int = 0
    """Forecasts copied with :data:`LOST_SNAPSHOT` for a snapshot that could not be read."""

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
            "kept_without_snapshot": self.kept_without_snapshot,
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
    failing = False
    while True:
        try:
            sql = f"SELECT rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid"
            cur = conn.execute(sql, (last,))
            for row in cur:
                last = int(row[0])
                step, failing = 1, False
                yield row
            return
        except sqlite3.DatabaseError:
            if not failing:  # one None a damaged stretch, however many reads pass it
                yield None
            failing = True
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
        keys: dict[str, set[object]] = {}
        stretches: dict[str, int] = {}
        for table in TABLES:
            good = bad = 0
            at = _column(conn, table, _KEYS.get(table, "question_id"))
            seen: set[object] = set()
            try:
                for row in _rows(conn, table):
                    if row is None:
                        bad += 1
                        continue
                    good += 1
                    if at is not None:
                        seen.add(row[at])
            except sqlite3.DatabaseError:
                bad += 1
            report.readable[table], stretches[table], keys[table] = good, bad, seen
        for table in TABLES:
            lost = _lost(conn, table, report.readable[table], keys, stretches[table])
            report.unreadable[table] = lost
            if lost:  # damage inside values, which the page structure does not show
                rows = "row cannot" if lost == 1 else "rows cannot"
                report.problems.append(f"{table}: {lost} {rows} be read")
    finally:
        conn.close()
    return report


def _column(conn: sqlite3.Connection, table: str, name: str) -> int | None:
    """Where column ``name`` is in ``_rows``' rows of ``table`` (None: it has none)."""
    try:
        have = _columns(conn, table)
    except sqlite3.DatabaseError:
        return None
    return have.index(name) + 1 if name in have else None  # +1: the rowid comes first


def _lost(
    conn: sqlite3.Connection,
    table: str,
    readable: int,
    keys: dict[str, set[object]],
    stretches: int,
) -> int:
    """How many rows of ``table`` cannot be read: as many as the file shows it held less
    those read, and at least one for each damaged stretch met."""
    held: int | None = None
    if table in ("forecasts", "resolution_log") and stretches:
        # A damaged AUTOINCREMENT table held as many rows as its last id (none is ever
        # deleted; a recovered copy may have gaps, so only where damage was met).
        try:
            got = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,))
            row = got.fetchone()
            held = int(row[0]) if row is not None else 0
        except (sqlite3.DatabaseError, TypeError, ValueError):
            held = None
    elif table == "snapshots":  # every snapshot a readable forecast names was there
        held = readable + len(keys["forecasts"] - keys["snapshots"])
    elif table == "resolutions":  # every question the resolution log names has one
        held = readable + len(keys["resolution_log"] - keys["resolutions"])
    missing = max(0, held - readable) if held is not None else 0
    return max(missing, stretches)


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
                if table == "forecasts":
                    gone, report.kept_without_snapshot = _stand_ins(src, dst)
                    report.lost["snapshots"] = max(report.lost["snapshots"], gone)
                _copy_table(src, dst, table, report)
            dst.execute("COMMIT")
        finally:
            dst.close()
    finally:
        src.close()
    return report


def _stand_ins(src: sqlite3.Connection, dst: sqlite3.Connection) -> tuple[int, int]:
    """Put :data:`LOST_SNAPSHOT` in the copy for each snapshot a readable forecast names
    that was not copied, so the forecast is kept; return how many snapshots were
    missing and how many forecasts are kept with a stand-in."""
    at = _column(src, "forecasts", "priors_sha256")
    if at is None:
        return 0, 0
    copied = {str(r[0]) for r in dst.execute("SELECT sha256 FROM snapshots")}
    named = [str(row[at]) for row in _rows(src, "forecasts") if row is not None]
    gone = {sha for sha in named if sha not in copied}
    for sha in sorted(gone):
        dst.execute(
            "INSERT OR IGNORE INTO snapshots (sha256, content) VALUES (?, ?)", (sha, LOST_SNAPSHOT)
        )
    return len(gone), sum(sha in gone for sha in named)


def _copy_table(
    src: sqlite3.Connection, dst: sqlite3.Connection, table: str, report: Report
) -> None:
    try:
        have = _columns(src, table)
    except sqlite3.DatabaseError:
        have = []
    names = [c for c in _columns(dst, table) if c in have]
    copied, lost = 0, report.unreadable.get(table, 0)
    if not names:
        report.copied[table], report.lost[table] = 0, report.unreadable.get(table, 0)
        return
    at = {c: i + 1 for i, c in enumerate(have)}  # +1: the rowid comes first
    sql = (
        f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    )
    for row in _rows(src, table):
        if row is None:  # counted in rows, by check, in ``unreadable``
            continue
        try:
            dst.execute(sql, tuple(row[at[c]] for c in names))
            copied += 1
        except sqlite3.IntegrityError:
            lost += 1  # a forecast whose snapshot is gone, or a value the schema refuses
    report.copied[table], report.lost[table] = copied, lost


__all__ = ["LOST_SNAPSHOT", "TABLES", "Report", "check", "recover"]
