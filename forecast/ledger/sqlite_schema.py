"""The SQLite ledger's schema: every change by the version it leads to.

A file's ``PRAGMA user_version`` says which of these it has; opening it for writing
applies the rest, in order, inside one write transaction. A migration is never edited
once released: a change is a new version.
"""

from __future__ import annotations

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """
        CREATE TABLE snapshots (
            sha256  TEXT PRIMARY KEY,
            content TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE forecasts (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            question_id       TEXT NOT NULL,
            recorded_at       TEXT NOT NULL,
            probability       REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
            intervals         TEXT NOT NULL,
            kind              TEXT NOT NULL,
            pool              TEXT NOT NULL,
            seed              INTEGER,
            version           TEXT NOT NULL,
            priors_sha256     TEXT NOT NULL REFERENCES snapshots (sha256),
            priors_path       TEXT,
            title             TEXT NOT NULL,
            deadline          TEXT,
            tags              TEXT NOT NULL,
            prior_probability REAL,
            contributions     TEXT NOT NULL,
            experts           TEXT NOT NULL,
            document          TEXT
        )
        """,
        "CREATE INDEX forecasts_by_question ON forecasts (question_id, recorded_at, id)",
        """
        CREATE TABLE resolutions (
            question_id TEXT PRIMARY KEY,
            outcome     TEXT NOT NULL CHECK (outcome IN ('yes', 'no', 'annulled')),
            resolved_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )
        """,
    ),
    2: (
        # Every outcome ever recorded, corrections included; `resolutions` keeps the
        # current one of each question.
        """
        CREATE TABLE resolution_log (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            question_id TEXT NOT NULL,
            outcome     TEXT NOT NULL CHECK (outcome IN ('yes', 'no', 'annulled')),
            resolved_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX resolution_log_by_question ON resolution_log (question_id, id)",
        """
        INSERT INTO resolution_log (question_id, outcome, resolved_on, recorded_at)
        SELECT question_id, outcome, resolved_on, recorded_at FROM resolutions
        ORDER BY recorded_at, question_id
        """,
    ),
    # Who made each forecast; forecasts recorded before have none (NULL).
    3: ("ALTER TABLE forecasts ADD COLUMN analyst TEXT",),
    # Why an outcome was recorded as it was (a "no" before the deadline needs one).
    4: (
        "ALTER TABLE resolutions ADD COLUMN reason TEXT",
        "ALTER TABLE resolution_log ADD COLUMN reason TEXT",
    ),
    # The amount a question of an amount resolved at (``resolve --value``).
    5: (
        "ALTER TABLE resolutions ADD COLUMN value REAL",
        "ALTER TABLE resolution_log ADD COLUMN value REAL",
    ),
}
"""Schema changes by the version they lead to; applied in order, never edited."""

SCHEMA_VERSION = max(MIGRATIONS)
"""The newest ledger schema this version of forecast reads and writes."""
