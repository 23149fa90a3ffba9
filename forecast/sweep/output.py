"""Sweep rows streamed to stdout, CSV, JSON Lines or Parquet, and resumed.

Rows are written and flushed as they come, so a crash loses at most the scenarios
in flight. ``--resume`` reads what a file already holds and skips those
(question, scenario) pairs: nothing is written twice, nothing is left out. A line cut
short by a crash is dropped before appending.

Parquet cannot be appended to, so rows stream into a JSON Lines journal next to the
file (``.NAME.parquet.partial.jsonl``); the Parquet file is written atomically when
the sweep ends, from its earlier rows and the journal. A crashed Parquet sweep is
resumed from both.

Each row carries the run settings that made it (:mod:`forecast.sweep.provenance`);
``--resume`` refuses a file whose rows were made with others, before writing anything.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Protocol

from forecast.errors import ForecastError
from forecast.sweep import provenance
from forecast.sweep import resume as existing
from forecast.sweep.provenance import Expected

FIELDS = (
    "question",
    "scenario",
    "name",
    "probability",
    "mcse",
    "lo80",
    "hi80",
    "lo95",
    "hi95",
    "strategy",
    "pareto_k",
    "ess",
    "rhat_max",
    "ess_bulk_min",
    "divergences",
    "draws",
    "ok",
    "note",
    provenance.COLUMN,
)
"""Columns of every row; the settings follow as one column each, by name."""

FORMATS = (".csv", ".jsonl", ".parquet")

Key = tuple[str, str]


class Sink(Protocol):
    """Where rows go."""

    done: set[Key]

    def write(self, rows: Sequence[dict[str, object]]) -> None:
        """Write rows and flush them."""

    def close(self) -> None:
        """Finish the output."""


def flat(row: dict[str, object], setting_names: Sequence[str]) -> dict[str, object]:
    """A row with its settings as columns (CSV, Parquet)."""
    out = {k: row.get(k) for k in FIELDS}
    settings = row.get("settings")
    for n in setting_names:
        out[n] = settings.get(n) if isinstance(settings, dict) else None
    return out


def _json(row: dict[str, object]) -> str:
    clean = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()
    }
    return json.dumps(clean, ensure_ascii=False, allow_nan=False, default=str)


class StdoutSink:
    """JSON Lines on stdout."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.done: set[Key] = set()

    def write(self, rows: Sequence[dict[str, object]]) -> None:
        """One line per row."""
        for row in rows:
            self.stream.write(_json(row) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Nothing to finish."""


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    """The rows of a JSON Lines output, checked; then a line cut short is cut off."""
    lines, cut = existing.complete_lines(path)
    rows = existing.jsonl_rows(path, lines)
    existing.trim(path, cut)
    return rows


def _failed(path: Path, exc: OSError) -> ForecastError:
    """A write to the output that the OS refused (a full disk), in its own words."""
    return ForecastError(
        f"cannot write {path}: {exc.strerror or exc}",
        hint="the rows written before are kept; free some space and run again with --resume",
    )


def _key(row: dict[str, object]) -> Key:
    return (str(row["question"]), str(row["scenario"]))


class JsonlSink:
    """JSON Lines in a file, appended and flushed row by row."""

    def __init__(self, path: Path, resume: bool, expected: Expected | None = None) -> None:
        self.path = path
        earlier: list[dict[str, object]] = []
        cut = None
        if resume and path.exists():
            lines, cut = existing.complete_lines(path)
            earlier = existing.jsonl_rows(path, lines)
        provenance.check(path, earlier, expected)
        existing.trim(path, cut)  # only now: the file has been checked
        self.done: set[Key] = {_key(r) for r in earlier}
        self._f = path.open("a" if resume else "w", encoding="utf-8")

    def write(self, rows: Sequence[dict[str, object]]) -> None:
        """Append and flush."""
        try:
            for row in rows:
                self._f.write(_json(row) + "\n")
            self._f.flush()
        except OSError as exc:
            raise _failed(self.path, exc) from None

    def close(self) -> None:
        """Flush to disk and close."""
        try:
            self._f.flush()
            os.fsync(self._f.fileno())
        except OSError as exc:
            raise _failed(self.path, exc) from None
        finally:
            with contextlib.suppress(OSError):
                self._f.close()


class CsvSink:
    """CSV with one column per setting, appended and flushed row by row."""

    def __init__(
        self,
        path: Path,
        resume: bool,
        setting_names: Sequence[str],
        expected: Expected | None = None,
    ) -> None:
        self.path = path
        self.names = list(setting_names)
        self.columns = [*FIELDS, *self.names]
        self.done: set[Key] = set()
        fresh = True
        cut = None
        if resume and path.exists():
            lines, cut = existing.complete_lines(path)
            if lines:
                reader = csv.DictReader(io.StringIO("\n".join(lines) + "\n"))
                existing.header(path, list(reader.fieldnames or []))
                earlier = list(reader)
                provenance.check(path, earlier, expected)
                _same_columns(path, list(reader.fieldnames or []), self.columns)
                self.done = {_key(r) for r in earlier}
                fresh = False
        existing.trim(path, cut)  # only now: the file has been checked
        self._f = path.open("a" if resume else "w", encoding="utf-8", newline="")
        self._w = csv.DictWriter(self._f, fieldnames=self.columns, lineterminator="\n")
        if fresh:
            self._w.writeheader()
            self._f.flush()

    def write(self, rows: Sequence[dict[str, object]]) -> None:
        """Append and flush."""
        try:
            for row in rows:
                self._w.writerow(_csv_cells(flat(row, self.names)))
            self._f.flush()
        except OSError as exc:
            raise _failed(self.path, exc) from None

    def close(self) -> None:
        """Flush to disk and close."""
        try:
            self._f.flush()
            os.fsync(self._f.fileno())
        except OSError as exc:
            raise _failed(self.path, exc) from None
        finally:
            with contextlib.suppress(OSError):
                self._f.close()


def _csv_cells(row: dict[str, object]) -> dict[str, object]:
    """Booleans as JSON and Parquet readers show them (``true``/``false``), not Python's;
    a number that is not there (NaN: no R-hat for an exact posterior) as an empty cell,
    as JSON Lines gives it null."""

    def cell(v: object) -> object:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and math.isnan(v):
            return ""
        return v

    return {k: cell(v) for k, v in row.items()}


def _same_columns(path: Path, found: Sequence[str], columns: Sequence[str]) -> None:
    """Refuse to add rows to a table whose columns are not this sweep's."""
    if list(found) != list(columns):
        raise ForecastError(
            f"{path}: its columns differ from this sweep's",
            hint="resume with the same --grid names or scenarios file",
        )


def journal_path(path: Path) -> Path:
    """Where a Parquet sweep streams its rows before the file is written."""
    return path.with_name(f".{path.name}.partial.jsonl")


class ParquetSink:
    """Rows journaled as JSON Lines, written to Parquet atomically at the end."""

    def __init__(
        self,
        path: Path,
        resume: bool,
        setting_names: Sequence[str],
        expected: Expected | None = None,
    ) -> None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ForecastError(
                "Parquet output needs pyarrow",
                hint="install the extra: uv tool install 'forecast[parquet]', or use .csv/.jsonl",
            ) from None
        self.path = path
        self.names = list(setting_names)
        self.journal = journal_path(path)
        self._earlier: list[dict[str, object]] = []
        if resume:
            if path.exists():
                table = existing.parquet_table(path)
                self._earlier = table.to_pylist()
                provenance.check(path, self._earlier, expected)
                _same_columns(path, table.column_names, [*FIELDS, *self.names])
            if self.journal.exists():
                provenance.check(path, _read_jsonl(self.journal), expected)
        elif self.journal.exists():
            self.journal.unlink()
        self._journal = JsonlSink(self.journal, resume)
        self.done = {_key(r) for r in self._earlier} | self._journal.done

    def write(self, rows: Sequence[dict[str, object]]) -> None:
        """Append to the journal."""
        self._journal.write(rows)

    def close(self) -> None:
        """Write the Parquet file from the earlier rows and the journal; drop the journal."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from forecast import files

        self._journal.close()
        # A crash after the file was replaced and before the journal was removed leaves
        # journal rows that the file already holds: they are not added twice.
        have = {_key(r) for r in self._earlier}
        added = [flat(r, self.names) for r in _read_jsonl(self.journal) if _key(r) not in have]
        rows = self._earlier + added
        table = pa.Table.from_pylist([{c: r.get(c) for c in [*FIELDS, *self.names]} for r in rows])
        with files.replacing(self.path) as tmp:  # synced to disk before the rename
            pq.write_table(table, str(tmp))
        self.journal.unlink()


def open_sink(
    path: Path | None,
    resume: bool,
    setting_names: Iterable[str],
    expected: Expected | None = None,
) -> Sink:
    """The sink for ``--out`` (None or ``-``: stdout), refusing to overwrite without ``--resume``.

    With ``expected`` (this sweep's run settings), resuming into a file whose rows were
    made with other settings is refused before anything is written.
    """
    names = list(setting_names)
    if path is None or str(path) == "-":  # `--out -` is stdout, as without --out
        if resume:
            raise ForecastError("--resume needs --out FILE", hint="stdout cannot be resumed")
        return StdoutSink()
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ForecastError(
            f"--out {path}: unknown format {path.suffix or '(no suffix)'!r}",
            hint=f"name the file with one of {', '.join(FORMATS)}",
        )
    exists = path.exists() or (suffix == ".parquet" and journal_path(path).exists())
    if exists and not resume:
        raise ForecastError(
            f"{path} exists",
            hint="add --resume to continue that sweep, or remove the file to start again",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    from forecast import files

    files.target_of(path)  # a symlink's target: a regular file, or new in a folder that is
    if suffix == ".jsonl":
        return JsonlSink(path, resume, expected)
    if suffix == ".csv":
        return CsvSink(path, resume, names, expected)
    return ParquetSink(path, resume, names, expected)


__all__ = ["FIELDS", "FORMATS", "CsvSink", "JsonlSink", "ParquetSink", "Sink", "open_sink"]
