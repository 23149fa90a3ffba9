"""The whole ledger as one table: a row per recorded forecast and per resolution.

``record`` says what a row is: ``forecast``, ``resolution`` (a question's current
outcome) or ``superseded`` (an outcome recorded earlier and corrected since).

Columns are the same for CSV and Parquet; structured fields (contributions, experts,
the full JSON report) are JSON text, and ``priors`` is the priors file as sampled.
Parquet needs the optional ``pyarrow`` package.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from forecast.ledger.interface import Ledger, LedgerError
from forecast.ledger.records import ForecastRecord, Resolution, contributions_json, experts_json

COLUMNS: tuple[tuple[str, str], ...] = (
    ("record", "string"),
    ("id", "int"),
    ("question_id", "string"),
    ("recorded_at", "string"),
    ("probability", "float"),
    ("lo80", "float"),
    ("hi80", "float"),
    ("lo95", "float"),
    ("hi95", "float"),
    ("prior_probability", "float"),
    ("model_kind", "string"),
    ("pool", "string"),
    ("seed", "int"),
    ("version", "string"),
    ("priors_sha256", "string"),
    ("priors_path", "string"),
    ("title", "string"),
    ("deadline", "string"),
    ("tags", "string"),
    ("outcome", "string"),
    ("resolved_on", "string"),
    ("contributions", "string"),
    ("experts", "string"),
    ("priors", "string"),
    ("document", "string"),
    ("analyst", "string"),
    ("reason", "string"),
    ("value", "float"),
)
"""Every exported column and its type."""


def _forecast_row(r: ForecastRecord) -> dict[str, object]:
    i80 = r.intervals.get("80")
    i95 = r.intervals.get("95")
    return {
        "record": "forecast",
        "id": r.id,
        "question_id": r.question_id,
        "recorded_at": r.recorded_at.isoformat(timespec="microseconds"),
        "analyst": r.analyst,
        "probability": r.probability,
        "lo80": i80[0] if i80 else None,
        "hi80": i80[1] if i80 else None,
        "lo95": i95[0] if i95 else None,
        "hi95": i95[1] if i95 else None,
        "prior_probability": r.prior_probability,
        "model_kind": r.kind,
        "pool": r.pool,
        "seed": r.seed,
        "version": r.version,
        "priors_sha256": r.priors_sha256,
        "priors_path": r.priors_path,
        "title": r.title,
        "deadline": r.deadline.isoformat() if r.deadline else None,
        "tags": json.dumps(list(r.tags), ensure_ascii=False),
        "contributions": contributions_json(r),
        "experts": experts_json(r),
        "priors": r.priors_text,
        "document": None
        if r.document is None
        else json.dumps(r.document, ensure_ascii=False, default=str),
    }


def _resolution_row(r: Resolution, current: bool = True) -> dict[str, object]:
    return {
        "record": "resolution" if current else "superseded",
        "question_id": r.question_id,
        "recorded_at": r.recorded_at.isoformat(timespec="microseconds"),
        "outcome": r.outcome,
        "resolved_on": r.resolved_on.isoformat(),
        "reason": r.reason,
        "value": r.value,
    }


def rows(ledger: Ledger) -> list[dict[str, object]]:
    """Every forecast (oldest first) then every resolution by question, corrections
    included (the last of each question is its current outcome), as rows with all columns."""
    names = [c for c, _ in COLUMNS]
    out = [_forecast_row(r) for r in ledger.forecasts()]
    log = sorted(ledger.resolution_log(), key=lambda r: r.question_id)  # stable: in order
    for i, r in enumerate(log):
        last = i + 1 == len(log) or log[i + 1].question_id != r.question_id
        out.append(_resolution_row(r, current=last))
    return [{n: row.get(n) for n in names} for row in out]


def to_csv(data: list[dict[str, object]]) -> str:
    """Rows as CSV text (empty cells for missing values)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[c for c, _ in COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in data:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


def write(ledger: Ledger, path: Path, fmt: str) -> int:
    """Write the ledger to ``path`` as ``csv`` or ``parquet`` (atomically); return the row count.

    ``path`` ``-`` writes to stdout.
    """
    from forecast import files

    if fmt not in ("csv", "parquet"):
        raise LedgerError(f"unknown export format {fmt!r}", hint="use csv or parquet")
    to_stdout = str(path) == files.STDOUT
    if not to_stdout:
        files.target_of(path)  # refuse a device or a FIFO before reading the ledger
    data = rows(ledger)
    if fmt == "csv":
        if to_stdout:
            sys.stdout.write(to_csv(data))
            sys.stdout.flush()
        else:
            files.atomic_write(path, to_csv(data))
        return len(data)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise LedgerError(
            "install pyarrow for Parquet",
            hint="pip install pyarrow (or uv pip install pyarrow), or export --format csv",
        ) from None
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(c, types[t]) for c, t in COLUMNS])
    table = pa.Table.from_pylist(data, schema=schema)
    if to_stdout:
        sink = io.BytesIO()
        pq.write_table(table, sink)
        sys.stdout.buffer.write(sink.getvalue())
        sys.stdout.flush()
        return len(data)
    with files.replacing(path) as tmp:
        pq.write_table(table, str(tmp))
    return len(data)
