"""The PostgreSQL ledger's schema: every change by the version it leads to.

``forecast_ledger`` holds one row, the application name and the schema version;
opening the database for writing applies the missing versions in one transaction,
under an advisory lock. A migration is never edited once released.
"""

from __future__ import annotations

APPLICATION = "forecast"
"""What ``forecast_ledger.application`` says in a forecast ledger."""

LOCK_KEY = 0x46434C47
"""The advisory lock taken while the schema is created or upgraded, and by merges."""

CONNECT_TIMEOUT = 10
"""Seconds to wait for the server before saying it cannot be reached."""

_OUTCOME = "outcome TEXT NOT NULL CHECK (outcome IN ('yes', 'no', 'annulled'))"

MIGRATIONS: dict[int, tuple[str, ...]] = {
    # The first PostgreSQL schema is SQLite's version 3 (analysts included), so a
    # version means the same tables on either engine.
    3: (
        "CREATE TABLE forecast_ledger (application TEXT NOT NULL, schema_version INTEGER NOT NULL)",
        "CREATE TABLE snapshots (sha256 TEXT PRIMARY KEY, content TEXT NOT NULL)",
        """
        CREATE TABLE forecasts (
            id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            question_id       TEXT NOT NULL,
            recorded_at       TIMESTAMPTZ NOT NULL,
            probability       DOUBLE PRECISION NOT NULL CHECK (probability BETWEEN 0 AND 1),
            intervals         TEXT NOT NULL,
            kind              TEXT NOT NULL,
            pool              TEXT NOT NULL,
            seed              BIGINT,
            version           TEXT NOT NULL,
            priors_sha256     TEXT NOT NULL REFERENCES snapshots (sha256),
            priors_path       TEXT,
            title             TEXT NOT NULL,
            deadline          DATE,
            tags              TEXT NOT NULL,
            prior_probability DOUBLE PRECISION,
            contributions     TEXT NOT NULL,
            experts           TEXT NOT NULL,
            document          TEXT,
            analyst           TEXT
        )
        """,
        "CREATE INDEX forecasts_by_question ON forecasts (question_id, recorded_at, id)",
        f"""
        CREATE TABLE resolutions (
            question_id TEXT PRIMARY KEY,
            {_OUTCOME},
            resolved_on DATE NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL
        )
        """,
        f"""
        CREATE TABLE resolution_log (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            question_id TEXT NOT NULL,
            {_OUTCOME},
            resolved_on DATE NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX resolution_log_by_question ON resolution_log (question_id, id)",
        f"INSERT INTO forecast_ledger VALUES ('{APPLICATION}', 0)",
    ),
    # Why an outcome was recorded as it was (a "no" before the deadline needs one).
    4: (
        "ALTER TABLE resolutions ADD COLUMN reason TEXT",
        "ALTER TABLE resolution_log ADD COLUMN reason TEXT",
    ),
    # The amount a question of an amount resolved at (``resolve --value``).
    5: (
        "ALTER TABLE resolutions ADD COLUMN value DOUBLE PRECISION",
        "ALTER TABLE resolution_log ADD COLUMN value DOUBLE PRECISION",
    ),
}
"""Schema changes by the version they lead to; applied in order, never edited."""

SCHEMA_VERSION = max(MIGRATIONS)
"""The newest ledger schema this version of forecast reads and writes."""

WRITES = {
    "forecasts": ("INSERT",),
    "snapshots": ("INSERT",),
    "resolution_log": ("INSERT",),
    "resolutions": ("INSERT", "UPDATE"),
}
"""The privileges a role needs to record forecasts and outcomes."""
