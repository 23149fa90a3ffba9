"""The embedded ledger: one SQLite file in WAL mode, safe for many writers at once.

Durability and concurrency:

* WAL journal with ``synchronous=FULL``: a committed forecast survives the writer
  being killed, and readers never block the writer;
* every write is one ``BEGIN IMMEDIATE`` transaction, so a writer takes the write lock
  before reading anything and cannot meet a stale snapshot; waiting for the lock is
  left to SQLite's busy timeout, and a write that still finds the database busy is
  retried with jittered back-off until :data:`RETRY_SECONDS` have passed;
* the schema is versioned with ``PRAGMA user_version`` and migrated forward inside a
  write transaction; ``PRAGMA application_id`` marks the file as a forecast ledger, so
  a stranger's database is refused rather than written into.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from forecast.ledger import health
from forecast.ledger.interface import ENV, Connected, LedgerError
from forecast.ledger.records import ForecastRecord, Latest, Resolution
from forecast.ledger.rows import (
    LIGHT_COLUMNS,
    Unreadable,
    iso,
    latest_from_row,
    light_records,
    record_from_row,
    resolution_from_row,
)
from forecast.ledger.sqlite_files import check_file
from forecast.ledger.sqlite_rows import insert, merge_rows
from forecast.ledger.sqlite_schema import MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")

APPLICATION_ID = 0x46434C47
"""``PRAGMA application_id`` of a forecast ledger ("FCLG")."""

BUSY_TIMEOUT_MS = 10_000
"""How long SQLite itself waits for another writer before reporting busy."""

RETRY_SECONDS = 120.0
"""How long a write keeps retrying while the ledger stays busy."""


def _damaged(path: str, exc: BaseException) -> LedgerError:
    return health.damaged(path, exc)


class SQLiteLedger(Connected):
    """A ledger in one SQLite file (or in memory, for an empty read-only view)."""

    _conn: sqlite3.Connection

    def __init__(self, conn: sqlite3.Connection, location: str) -> None:
        self._conn = conn
        self.location = location
        self.schema = SCHEMA_VERSION
        self.writable = False

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path, *, write: bool = True) -> SQLiteLedger:
        """Open (creating and migrating when ``write``) the ledger file at ``path``."""
        shown = str(path)
        if not write and (not path.exists() or (path.is_file() and path.stat().st_size == 0)):
            return cls._empty(shown)  # nothing recorded yet: read as empty, create nothing
        check_file(path, write=write)
        try:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise LedgerError(
                f"cannot open the ledger {shown}: {exc}",
                hint=f"choose another place with --ledger PATH or {ENV}",
            ) from None
        ledger = cls(conn, shown)
        ledger.writable = write
        try:
            ledger._prepare(write=write)
        except BaseException:
            conn.close()
            raise
        return ledger

    @classmethod
    def _empty(cls, shown: str) -> SQLiteLedger:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        ledger = cls(conn, shown)
        ledger._migrate()
        return ledger

    def _prepare(self, *, write: bool) -> None:
        """Check the file is a ledger this version can use, then bring its schema up to date."""
        conn = self._conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            app_id, version, tables = self._retry(self._identify)
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.location, exc) from None
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.location} has schema version {version}, newer than this "
                f"forecast reads ({SCHEMA_VERSION})",
                hint="it was written by a newer forecast; upgrade forecast (the file was left "
                "as it is)",
            )
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise LedgerError(
                f"{self.location} is an SQLite database but not a forecast ledger",
                hint=f"point --ledger or {ENV} at another file (this one was left as it is)",
            )
        # A damaged ledger is refused before anything is written into it, and before a
        # read command (history, score, list, export) shows what it could make of it.
        self._retry(lambda: health.quick_check(conn, self.location, write=write))
        try:
            if write:
                mode = self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
                if mode is None or str(mode[0]).lower() != "wal":  # pragma: no cover - odd FS
                    conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            if version < SCHEMA_VERSION and write:
                self._write(lambda c: self._migrate(c))
                version = SCHEMA_VERSION
            self.schema = version  # a reader leaves an older ledger as it is
        except sqlite3.DatabaseError as exc:
            raise health.write_failed(self.location, exc) from None

    def _identify(self) -> tuple[int, int, int]:
        """Application id, schema version and table count, read from one snapshot.

        One read transaction matters: read statement by statement, a reader can see the
        application id from before another process's first migration committed and the
        tables from after, and take a new ledger for a foreign database.
        """
        conn = self._conn
        conn.execute("BEGIN")
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        except BaseException:
            # The real error is the one to report: a COMMIT here would replace it with
            # "no transaction is active" when SQLite already ended the transaction.
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return app_id, version, tables

    def _migrate(self, conn: sqlite3.Connection | None = None) -> None:
        """Apply the migrations the file lacks (inside the caller's write transaction)."""
        conn = conn or self._conn
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > SCHEMA_VERSION:  # another, newer process migrated it meanwhile
            raise LedgerError(
                f"the ledger {self.location} was just upgraded to schema version {current} "
                "by a newer forecast",
                hint="upgrade forecast",
            )
        for version in sorted(v for v in MIGRATIONS if v > current):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    # --------------------------------------------------------------- transactions

    def _retry(self, fn: Callable[[], T]) -> T:
        """Run ``fn``, retrying while the database reports that it is busy."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.005
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not health.busy(exc):
                    raise
                if time.monotonic() > deadline:
                    raise LedgerError(
                        f"the ledger {self.location} stayed busy for {RETRY_SECONDS:.0f} s: {exc}",
                        hint="another process holds it; try again when it has finished",
                    ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one ``BEGIN IMMEDIATE`` transaction, committed or rolled back whole."""
        conn = self._conn

        def attempt() -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

        return self._retry(attempt)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return self._retry(lambda: fn(self._conn))
        except (sqlite3.DatabaseError, Unreadable) as exc:
            raise _damaged(self.location, exc) from None

    # ----------------------------------------------------------------- the API

    def record(self, record: ForecastRecord) -> int:
        """Store one forecast and its priors snapshot in one transaction; return its id."""
        self._writable_schema()

        def one(conn: sqlite3.Connection) -> int:
            return insert(conn, record)

        try:
            return self._write(one)
        except sqlite3.DatabaseError as exc:
            raise health.write_failed(self.location, exc) from None

    def resolve(self, resolution: Resolution) -> None:
        """Store the outcome of a question: it becomes the current one, and the log keeps
        every earlier one."""
        row = (
            resolution.question_id,
            resolution.outcome,
            resolution.resolved_on.isoformat(),
            iso(resolution.recorded_at),
            resolution.reason,
            resolution.value,
        )

        self._writable_schema()

        def upsert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO resolution_log "
                "(question_id, outcome, resolved_on, recorded_at, reason, value) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            conn.execute(
                "INSERT INTO resolutions (question_id, outcome, resolved_on, recorded_at, reason, "
                "value) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (question_id) DO UPDATE SET "
                "outcome = excluded.outcome, resolved_on = excluded.resolved_on, recorded_at = "
                "excluded.recorded_at, reason = excluded.reason, value = excluded.value",
                row,
            )

        try:
            self._write(upsert)
        except sqlite3.DatabaseError as exc:
            raise health.write_failed(self.location, exc) from None

    def forecasts(
        self, question_id: str | None = None, *, light: bool = False
    ) -> list[ForecastRecord]:
        """Recorded forecasts, oldest first (of one question when ``question_id`` is given).

        ``light`` leaves out the reports, chains, intervals and priors texts (scoring
        needs none of them), which makes reading a large ledger several times faster.
        """
        if light:
            cols = [c for c in LIGHT_COLUMNS if c != "analyst" or self.schema >= 3]
            sql = f"SELECT {', '.join(['id', *cols])} FROM forecasts f"
        else:
            sql = (
                "SELECT f.*, s.content AS priors_text FROM forecasts f "
                "JOIN snapshots s ON s.sha256 = f.priors_sha256"
            )
        args: tuple[str, ...] = ()
        if question_id is not None:
            sql += " WHERE f.question_id = ?"
            args = (question_id,)
        sql += " ORDER BY f.recorded_at, f.id"

        def fetch(conn: sqlite3.Connection) -> list[ForecastRecord]:
            cur = conn.execute(sql, args)
            names = [d[0] for d in cur.description]
            if light:
                return light_records(names, cur.fetchall())
            return [
                record_from_row(dict(zip(names, r, strict=True)), light=light)
                for r in cur.fetchall()
            ]

        return self._read(fetch)

    def resolutions(self) -> dict[str, Resolution]:
        """Every recorded outcome, by question id."""

        def fetch(conn: sqlite3.Connection) -> dict[str, Resolution]:
            rows = conn.execute(f"SELECT {self._resolution_cols()} FROM resolutions").fetchall()
            return {row[0]: resolution_from_row(*row) for row in rows}

        return self._read(fetch)

    def _resolution_cols(self) -> str:
        """The columns of an outcome this ledger's schema has (a reason from version 4, a
        value from 5)."""
        cols = "question_id, outcome, resolved_on, recorded_at"
        return cols + ", reason" * (self.schema >= 4) + ", value" * (self.schema >= 5)

    def resolution_log(self, question_id: str | None = None) -> list[Resolution]:
        """Every outcome recorded, corrections included, in the order recorded.

        A schema 1 ledger opened to read (and so not upgraded) has no log: its current
        outcomes are all it knows.
        """
        if self.schema < 2:
            current = sorted(self.resolutions().values(), key=lambda r: r.recorded_at)
            return [r for r in current if question_id is None or r.question_id == question_id]
        sql = f"SELECT {self._resolution_cols()} FROM resolution_log"
        args: tuple[str, ...] = ()
        if question_id is not None:
            sql += " WHERE question_id = ?"
            args = (question_id,)
        sql += " ORDER BY id"

        def fetch(conn: sqlite3.Connection) -> list[Resolution]:
            return [resolution_from_row(*row) for row in conn.execute(sql, args).fetchall()]

        return self._read(fetch)

    def latest(self) -> dict[str, Latest]:
        """The newest recorded forecast of every question (one indexed lookup each)."""

        def fetch(conn: sqlite3.Connection) -> dict[str, Latest]:
            rows = conn.execute(
                "SELECT f.question_id, f.recorded_at, f.probability, f.priors_sha256, "
                "s.content FROM forecasts f JOIN snapshots s ON s.sha256 = f.priors_sha256 "
                "WHERE f.id = (SELECT g.id FROM forecasts g "
                "WHERE g.question_id = f.question_id ORDER BY g.recorded_at DESC, g.id DESC "
                "LIMIT 1)"
            ).fetchall()
            return {q: latest_from_row(q, t, p, sha, text) for q, t, p, sha, text in rows}

        return self._read(fetch)

    def merge(
        self, forecasts: Sequence[ForecastRecord], log: Sequence[Resolution]
    ) -> tuple[int, int]:
        """Add the forecasts and logged outcomes this ledger lacks, in one transaction.

        Returns how many forecasts and outcomes were added. A question's current outcome
        becomes the newest one logged; what is here already is never changed.
        """
        self._writable_schema()

        def add(conn: sqlite3.Connection) -> tuple[int, int]:
            return merge_rows(conn, forecasts, log)

        try:
            return self._write(add)
        except sqlite3.DatabaseError as exc:
            raise health.write_failed(self.location, exc) from None

    def _writable_schema(self) -> None:
        """Refuse to write into a ledger that was opened to read (and may be of an older
        schema, or not exist at all)."""
        if not self.writable or self.schema < SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.location} was opened to read; it cannot be written this way",
                hint="open it for writing (which upgrades an older ledger)",
            )

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: 'ok' for a sound file."""
        return str(self._read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0]))
