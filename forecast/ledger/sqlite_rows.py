"""Rows written into an SQLite ledger inside the caller's write transaction.

One forecast (:func:`insert`), or a whole other ledger's worth that this one lacks
(:func:`merge_rows`, for ``forecast ledger copy``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from forecast.ledger.records import ForecastRecord, Resolution
from forecast.ledger.rows import forecast_key, forecast_row, resolution_key


def insert(conn: sqlite3.Connection, record: ForecastRecord) -> int:
    """Insert one forecast and its priors snapshot (inside the caller's transaction)."""
    row = forecast_row(record)
    conn.execute(
        "INSERT OR IGNORE INTO snapshots (sha256, content) VALUES (?, ?)",
        (record.priors_sha256, record.priors_text),
    )
    cur = conn.execute(
        f"INSERT INTO forecasts ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def merge_rows(
    conn: sqlite3.Connection, forecasts: Sequence[ForecastRecord], log: Sequence[Resolution]
) -> tuple[int, int]:
    """Add the forecasts and logged outcomes the ledger lacks (in the caller's transaction).

    Returns how many of each were added; a question's current outcome becomes the newest
    one logged. What is there already is never changed.
    """
    have = {
        tuple(k)
        for k in conn.execute(
            "SELECT question_id, recorded_at, priors_sha256, coalesce(analyst, '') FROM forecasts"
        )
    }
    n_f = 0
    for r in forecasts:
        if forecast_key(r) not in have:
            insert(conn, r)
            have.add(forecast_key(r))
            n_f += 1
    cols = "question_id, outcome, resolved_on, recorded_at"
    logged = {tuple(k) for k in conn.execute(f"SELECT {cols} FROM resolution_log")}
    new: list[Resolution] = []
    for res in log:
        if (key := resolution_key(res)) not in logged:
            conn.execute(
                f"INSERT INTO resolution_log ({cols}, reason, value) VALUES (?, ?, ?, ?, ?, ?)",
                (*key, res.reason, res.value),
            )
            logged.add(key)
            new.append(res)
    for q in {res.question_id for res in new}:
        conn.execute("DELETE FROM resolutions WHERE question_id = ?", (q,))
        conn.execute(
            f"INSERT INTO resolutions ({cols}, reason, value) SELECT {cols}, reason, value "
            "FROM resolution_log "
            "WHERE question_id = ? ORDER BY recorded_at DESC, id DESC LIMIT 1",
            (q,),
        )
    return n_f, len(new)
