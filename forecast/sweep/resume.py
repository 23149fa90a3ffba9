"""Reading what a sweep's output file already holds, before ``--resume`` appends to it.

Nothing is changed until the file has been checked: it must be a regular file, UTF-8
text (or Parquet) whose first line, or columns, are a sweep's, and whose rows are
sweep rows. Only then is a last line cut short by a crash cut off (:func:`trim`), so a
file that is not a sweep's is refused whole and left exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from forecast import files
from forecast.errors import ForecastError

if TYPE_CHECKING:
    import pyarrow as pa

MAX_OUTPUT_BYTES = 8 << 30
"""Largest output file ``--resume`` reads (millions of rows)."""

KEY_COLUMNS = ("question", "scenario", "probability")
"""Columns every sweep's output has; a file without them is not a sweep's."""

_NOT_OURS = "give --out a new file, or the file an earlier sweep wrote; this one was left as it is"


def not_a_sweep(path: Path, why: str) -> ForecastError:
    """The error for a file ``--resume`` will not touch because it is not a sweep's output."""
    return ForecastError(f"{path} is not the output of a sweep ({why})", hint=_NOT_OURS)


def complete_lines(path: Path) -> tuple[list[str], int | None]:
    """The file's complete lines, and where to cut it (None: it ends with a whole line).

    The file is only read; :func:`trim` cuts it once the caller has checked the lines.
    """
    try:
        # Opened non-blocking and checked on the open file: a FIFO cannot hang it.
        raw = files.read_bytes(path, MAX_OUTPUT_BYTES)
    except files.TooLarge as exc:
        raise ForecastError(
            f"{path} is larger than {MAX_OUTPUT_BYTES >> 30} GB; a sweep resumes into "
            "smaller files",
            hint=f"{exc.reason}; write to a new --out file",
        ) from None
    except files.NotRegular as exc:
        raise ForecastError(f"--out {path} {exc.reason}", hint=_NOT_OURS) from None
    except OSError as exc:
        raise ForecastError(f"cannot read {path}: {exc.strerror}") from None
    end = raw.rfind(b"\n") + 1
    try:
        text = raw[:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_a_sweep(path, f"not UTF-8 text at byte {exc.start}") from None
    if "\x00" in text:
        raise not_a_sweep(path, "it holds NUL bytes")
    return text.splitlines(), (end if end < len(raw) else None)


def trim(path: Path, cut: int | None) -> None:
    """Cut a last line left short by a crash off the file (after it has been checked)."""
    if cut is None:
        return
    with path.open("r+b") as f:
        f.truncate(cut)


def header(path: Path, names: Sequence[str]) -> None:
    """Refuse a table whose column names are not a sweep's."""
    missing = [c for c in KEY_COLUMNS if c not in names]
    if missing:
        shown = ", ".join(repr(n[:24]) for n in list(names)[:4])
        more = ", ..." if len(names) > 4 else ""
        raise not_a_sweep(path, f"its columns are {shown}{more}, without {', '.join(missing)}")


def jsonl_rows(path: Path, lines: Sequence[str]) -> list[dict[str, object]]:
    """The rows of a JSON Lines sweep output; any line that is not a sweep row is refused."""
    rows: list[dict[str, object]] = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if not isinstance(row, dict) or any(k not in row for k in KEY_COLUMNS):
            raise ForecastError(
                f"{path}:{i}: not a sweep row (a sweep writes one JSON object with "
                "question, scenario and probability per line)",
                hint=_NOT_OURS,
            )
        rows.append(row)
    return rows


def parquet_table(path: Path) -> pa.Table:
    """The table of a Parquet sweep output, or an error saying the file is not one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        files.check_regular(path)
        table = pq.read_table(path)
    except files.NotRegular as exc:
        raise ForecastError(f"--out {path} {exc.reason}", hint=_NOT_OURS) from None
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise not_a_sweep(path, f"not a Parquet file: {str(exc)[:80]}") from None
    header(path, table.column_names)
    return table


__all__ = ["complete_lines", "header", "jsonl_rows", "not_a_sweep", "parquet_table", "trim"]
