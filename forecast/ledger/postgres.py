"""A team's shared ledger on a PostgreSQL server, named by a ``postgresql://`` URL.

The same tables and promises as the SQLite file (:mod:`forecast.ledger.sqlite`):

* every write is one transaction, committed whole or not at all; the server's own
  durability (``synchronous_commit``) keeps a committed forecast through a crash, and
  a writer killed mid-transaction leaves nothing behind (the server rolls it back);
* the schema is versioned in the table ``forecast_ledger`` (application name and
  version) and created or upgraded under an advisory lock, so many writers may open a
  new database at once; a database that holds other tables but no ``forecast_ledger``
  is someone else's and is refused, and so is a ledger of a newer schema;
* a role that may read but not record is told so when it opens the ledger to write;
* a lost connection (the server stopped or restarted) is one clear error: what was
  committed before stays, the write under way was not recorded.

Times are ``timestamptz`` and dates ``date``; structured fields are JSON text, exactly
as in the SQLite file, so copying a ledger between the two is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit, urlunsplit

from forecast.ledger.interface import ENV, Connected, LedgerError
from forecast.ledger.postgres_schema import (
    APPLICATION,
    CONNECT_TIMEOUT,
    LOCK_KEY,
    MIGRATIONS,
    SCHEMA_VERSION,
    WRITES,
)
from forecast.ledger.records import ForecastRecord, Latest, Resolution
from forecast.ledger.rows import (
    FORECAST_COLUMNS,
    LIGHT_COLUMNS,
    forecast_key,
    forecast_row,
    iso,
    latest_from_row,
    light_records,
    record_from_row,
    resolution_from_row,
    resolution_key,
)

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

T = TypeVar("T")

_CASTS = {"recorded_at": "::timestamptz", "deadline": "::date"}
_INSERT = (
    f"INSERT INTO forecasts ({', '.join(FORECAST_COLUMNS)}) VALUES "
    f"({', '.join('%s' + _CASTS.get(c, '') for c in FORECAST_COLUMNS)}) RETURNING id"
)
_RES = "question_id, outcome, resolved_on, recorded_at"
_RES4 = _RES + ", reason"
_RES5 = _RES4 + ", value"
_VALUES5 = "VALUES (%s, %s, %s::date, %s::timestamptz, %s, %s)"
_UPSERT = (
    f"INSERT INTO resolutions ({_RES5}) {_VALUES5} "
    "ON CONFLICT (question_id) DO UPDATE SET outcome = excluded.outcome, "
    "resolved_on = excluded.resolved_on, recorded_at = excluded.recorded_at, "
    "reason = excluded.reason, value = excluded.value"
)


def shown(url: str) -> str:
    """The URL without its password, as messages show it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _psycopg() -> ModuleType:
    try:
        import psycopg
    except ImportError:
        raise LedgerError(
            "a ledger on a PostgreSQL server needs the psycopg package",
            hint="install it with: pip install 'geoforecast[postgres]'",
        ) from None
    return psycopg


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class PostgresLedger(Connected):
    """A ledger in a PostgreSQL database (in the connection's current schema)."""

    _conn: psycopg.Connection[TupleRow]

    def __init__(self, conn: psycopg.Connection[TupleRow], location: str) -> None:
        self._conn = conn
        self.location = location
        self.schema = SCHEMA_VERSION
        self.writable = False

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, url: str, *, write: bool = True) -> PostgresLedger:
        """Connect; when ``write``, create or upgrade the schema and check the role may write."""
        psycopg = _psycopg()
        location = shown(url)
        try:
            conn = psycopg.connect(
                url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="forecast"
            )
        except psycopg.Error as exc:
            raise LedgerError(
                f"cannot connect to the ledger {location}: {_first_line(exc)}",
                hint=f"check that the server is running and the URL (--ledger or {ENV})",
            ) from None
        ledger = cls(conn, location)
        ledger.writable = write
        try:
            ledger._guard(lambda: ledger._prepare(write=write))
        except BaseException:
            conn.close()
            raise
        return ledger

    def _prepare(self, *, write: bool) -> None:
        conn = self._conn
        with conn.transaction():
            if write:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            version = self._version()
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"the ledger {self.location} has schema version {version}, newer than "
                    f"this forecast reads ({SCHEMA_VERSION})",
                    hint="it was written by a newer forecast; upgrade forecast (the database "
                    "was left as it is)",
                )
            if write and version < SCHEMA_VERSION:
                for v in sorted(m for m in MIGRATIONS if m > version):
                    for statement in MIGRATIONS[v]:
                        conn.execute(statement)
                    conn.execute("UPDATE forecast_ledger SET schema_version = %s", (v,))
                version = SCHEMA_VERSION
        self.schema = version  # a reader leaves an older (or empty) database as it is
        if write:
            self._check_privileges()

    def _version(self) -> int:
        """The schema version; 0 for an empty database; a stranger's database is refused."""
        conn = self._conn
        has_meta = conn.execute("SELECT to_regclass('forecast_ledger') IS NOT NULL").fetchone()
        if has_meta and has_meta[0]:
            rows = conn.execute(
                "SELECT application, schema_version FROM forecast_ledger"
            ).fetchall()
            if len(rows) == 1 and rows[0][0] == APPLICATION:
                return int(rows[0][1])
        else:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            ).fetchone()
            if not tables or not tables[0]:
                return 0
        raise LedgerError(
            f"the database {self.location} is not a forecast ledger (it holds other tables)",
            hint=f"give a database of its own to the ledger (--ledger or {ENV}); this one was "
            "left as it is",
        )

    def _check_privileges(self) -> None:
        missing = []
        for table, privileges in WRITES.items():
            for privilege in privileges:
                row = self._conn.execute(
                    "SELECT has_table_privilege(%s, %s)", (table, privilege)
                ).fetchone()
                if not (row and row[0]):
                    missing.append(f"{privilege} on {table}")
        if missing:
            role = self._conn.info.user
            raise LedgerError(
                f"the role {role} may read the ledger {self.location} but not record in it "
                f"(it lacks {', '.join(missing)})",
                hint="ask the database's owner to run: GRANT SELECT, INSERT ON forecasts, "
                f"snapshots, resolution_log TO {role}; GRANT SELECT, INSERT, UPDATE ON "
                f"resolutions TO {role}",
            )

    # --------------------------------------------------------------- transactions

    def _guard(self, fn: Callable[[], T]) -> T:
        """Run ``fn``, turning the driver's errors into one clear :class:`LedgerError`."""
        psycopg = _psycopg()
        try:
            return fn()
        except psycopg.errors.InsufficientPrivilege as exc:
            raise LedgerError(
                f"the role {self._conn.info.user} may not do this in the ledger "
                f"{self.location}: {_first_line(exc)}",
                hint="ask the database's owner for the privileges (nothing was recorded)",
            ) from None
        except psycopg.OperationalError as exc:
            raise LedgerError(
                f"lost the connection to the ledger {self.location}: {_first_line(exc)}",
                hint="the server stopped or restarted: everything recorded before is kept, "
                "and what was being written was not recorded; run it again",
            ) from None
        except psycopg.Error as exc:
            raise LedgerError(
                f"the ledger {self.location} refused the request: {_first_line(exc)}",
                hint="nothing was recorded",
            ) from None

    def _write(self, fn: Callable[[psycopg.Connection[TupleRow]], T]) -> T:
        """Run ``fn`` in one transaction, committed or rolled back whole."""
        if not self.writable or self.schema < SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.location} was opened to read; it cannot be written this way",
                hint="open it for writing (which upgrades an older ledger)",
            )

        def attempt() -> T:
            with self._conn.transaction():
                return fn(self._conn)

        return self._guard(attempt)

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[TupleRow]:
        """Rows of a query; none while the database has no ledger yet (read-only open)."""
        if self.schema == 0:
            return []
        return self._guard(lambda: self._conn.execute(sql, args).fetchall())

    # ----------------------------------------------------------------- the API

    def record(self, record: ForecastRecord) -> int:
        """Store one forecast and its priors snapshot in one transaction; return its id."""
        return self._write(lambda conn: _insert(conn, record))

    def resolve(self, resolution: Resolution) -> None:
        """Store the outcome of a question (the current one; the log keeps every one)."""
        row = (
            resolution.question_id,
            resolution.outcome,
            resolution.resolved_on.isoformat(),
            iso(resolution.recorded_at),
            resolution.reason,
            resolution.value,
        )

        def upsert(conn: psycopg.Connection[TupleRow]) -> None:
            conn.execute(f"INSERT INTO resolution_log ({_RES5}) {_VALUES5}", row)
            conn.execute(_UPSERT, row)

        self._write(upsert)

    def forecasts(
        self, question_id: str | None = None, *, light: bool = False
    ) -> list[ForecastRecord]:
        """Recorded forecasts, oldest first (of one question when ``question_id`` is given).

        ``light`` leaves out the reports, chains, intervals and priors texts.
        """
        names = ["id", *(LIGHT_COLUMNS if light else (*FORECAST_COLUMNS, "priors_text"))]
        cols = ", ".join("s.content" if c == "priors_text" else f"f.{c}" for c in names)
        sql = f"SELECT {cols} FROM forecasts f" + (
            "" if light else " JOIN snapshots s ON s.sha256 = f.priors_sha256"
        )
        args: tuple[str, ...] = ()
        if question_id is not None:
            sql += " WHERE f.question_id = %s"
            args = (question_id,)
        rows = self._rows(sql + " ORDER BY f.recorded_at, f.id", args)
        if light:
            return light_records(names, rows)
        return [record_from_row(dict(zip(names, r, strict=True)), light=light) for r in rows]

    def resolutions(self) -> dict[str, Resolution]:
        """Every recorded outcome, by question id."""
        rows = self._rows(f"SELECT {self._res()} FROM resolutions")
        return {r[0]: resolution_from_row(*r) for r in rows}

    def _res(self) -> str:
        """The columns of an outcome this ledger's schema has (a reason from version 4, a
        value from 5)."""
        return _RES5 if self.schema >= 5 else _RES4 if self.schema >= 4 else _RES

    def resolution_log(self, question_id: str | None = None) -> list[Resolution]:
        """Every outcome recorded, corrections included, in the order recorded."""
        sql = f"SELECT {self._res()} FROM resolution_log"
        args: tuple[str, ...] = ()
        if question_id is not None:
            sql += " WHERE question_id = %s"
            args = (question_id,)
        return [resolution_from_row(*r) for r in self._rows(sql + " ORDER BY id", args)]

    def latest(self) -> dict[str, Latest]:
        """The newest recorded forecast of every question."""
        rows = self._rows(
            "SELECT DISTINCT ON (f.question_id) f.question_id, f.recorded_at, f.probability, "
            "f.priors_sha256, s.content FROM forecasts f JOIN snapshots s "
            "ON s.sha256 = f.priors_sha256 ORDER BY f.question_id, f.recorded_at DESC, f.id DESC"
        )
        return {q: latest_from_row(q, t, p, sha, text) for q, t, p, sha, text in rows}

    def merge(
        self, forecasts: Sequence[ForecastRecord], log: Sequence[Resolution]
    ) -> tuple[int, int]:
        """Add the forecasts and logged outcomes this ledger lacks, in one transaction.

        Returns how many forecasts and outcomes were added; a question's current outcome
        becomes the newest one logged. Concurrent merges take turns (an advisory lock).
        """

        def add(conn: psycopg.Connection[TupleRow]) -> tuple[int, int]:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            have = {
                (q, iso(t), sha, who)
                for q, t, sha, who in conn.execute(
                    "SELECT question_id, recorded_at, priors_sha256, coalesce(analyst, '') "
                    "FROM forecasts"
                ).fetchall()
            }
            n_f = 0
            for r in forecasts:
                if (key := forecast_key(r)) not in have:
                    _insert(conn, r)
                    have.add(key)
                    n_f += 1
            logged = {
                resolution_key(resolution_from_row(*row))
                for row in conn.execute(f"SELECT {_RES5} FROM resolution_log").fetchall()
            }
            touched: set[str] = set()
            n_r = 0
            for res in log:
                if (rkey := resolution_key(res)) not in logged:
                    conn.execute(
                        f"INSERT INTO resolution_log ({_RES5}) {_VALUES5}",
                        (*rkey, res.reason, res.value),
                    )
                    logged.add(rkey)
                    touched.add(res.question_id)
                    n_r += 1
            for q in sorted(touched):
                newest = conn.execute(
                    f"SELECT {_RES5} FROM resolution_log WHERE question_id = %s "
                    "ORDER BY recorded_at DESC, id DESC LIMIT 1",
                    (q,),
                ).fetchone()
                assert newest is not None
                latest = resolution_from_row(*newest)
                conn.execute(_UPSERT, (*resolution_key(latest), latest.reason, latest.value))
            return n_f, n_r

        return self._write(add)


def _insert(conn: psycopg.Connection[TupleRow], record: ForecastRecord) -> int:
    """Insert one forecast and its priors snapshot (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO snapshots (sha256, content) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (record.priors_sha256, record.priors_text),
    )
    row = conn.execute(_INSERT, tuple(forecast_row(record).values())).fetchone()
    assert row is not None
    return int(row[0])
