"""The cases file of a ``drivers`` question: coded historical cases in a CSV file.

A drivers question may give its cases as the name of a CSV file next to the priors
file (``cases: cases.csv``). The loader reads and checks the file with the question,
so ``forecast check`` reports its problems without running anything, and the model
uses the cases read then:

* UTF-8 text (a byte-order mark is allowed), at most :data:`~forecast.yamlio.MAX_BYTES`;
* the first line names the columns: one per driver id and ``outcome``, each required,
  and optionally ``id``, ``date``, ``source`` and ``note``; any other name, a name given
  twice or a column without a name is refused;
* every following line is a case with one value per column: ``0`` or ``1`` for each
  driver and for ``outcome``, a date written ``YYYY-MM-DD`` (or nothing) for ``date``,
  any text for ``id``, ``source`` and ``note``; lines with no values are skipped;
* a header line and no cases is valid: the question has no cases, as with ``cases: []``.

Values are separated by commas; a value holding a comma, a quote or a line break is put
in double quotes, with a quote inside written twice (RFC 4180). Each problem is located
at the file's line and character column, as in a priors file; the first
:data:`MAX_PROBLEMS` of a file are listed and the rest counted. Problems with the file
as a whole (it does not exist, it cannot be read) are placed on the priors file's
``cases`` key, and a list of problems inside the file starts with one there, so the
priors file that names the cases file is always the first line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from forecast import yamlio
from forecast.errors import InputError, Problem
from forecast.questions import csv_cells
from forecast.questions.cases_where import CASES_PATH_ENV, fragment, locate
from forecast.questions.csv_cells import Cell, Unclosed, blank
from forecast.questions.drivers import CASES_COLUMNS, Case

MAX_PROBLEMS = 20
"""Most problems listed for one cases file; one more line counts the rest."""

OPTIONAL_COLUMNS = tuple(c for c in CASES_COLUMNS if c != "outcome")
"""Columns a cases file may have besides one per driver and ``outcome``."""

_CODES = {"0": False, "1": True}
_WORDS = {"yes", "no", "true", "false", "y", "n", "on", "off"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "bars"}


@dataclass(frozen=True)
class Origin:
    """Where a priors file names its cases file (the value of its ``cases`` key)."""

    path: str
    line: int | None
    column: int | None

    def problem(self, message: str, hint: str | None = None) -> Problem:
        """A problem placed on the ``cases`` key of the priors file."""
        return Problem(self.path, self.line, self.column, "cases", message, hint)


class _Problems:
    """The problems of one cases file: the first :data:`MAX_PROBLEMS` kept, all counted."""

    def __init__(self, shown: str, origin: Origin | None) -> None:
        self.shown = shown
        self.origin = origin
        self.kept: list[Problem] = []
        self.count = 0

    def add(
        self,
        line: int | None,
        column: int | None,
        field: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(Problem(self.shown, line, column, field, message, hint))

    def error(self) -> InputError:
        """Every problem as one error, led by the priors file's ``cases`` key."""
        out: list[Problem] = []
        if self.origin is not None:
            out.append(self.origin.problem(f"{_count(self.count)} in the cases file {self.shown}"))
        out.extend(self.kept)
        if self.count > len(self.kept):
            out.append(
                Problem(
                    self.shown,
                    None,
                    None,
                    "",
                    f"... and {_count(self.count - len(self.kept), 'more problem')}",
                    f"only the first {MAX_PROBLEMS} are listed; fix them and check again",
                )
            )
        return InputError(out)

    def raise_any(self) -> None:
        if self.count:
            raise self.error()


def _count(n: int, what: str = "problem") -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def read_cases(
    path: Path,
    driver_ids: Sequence[str],
    shown: str | None = None,
    origin: Origin | None = None,
) -> tuple[Case, ...]:
    """Read and check a cases file for a question with drivers ``driver_ids``.

    ``shown`` is how messages name the file; ``origin``, where the priors file names it.

    Raises
    ------
    InputError
        With every problem found (up to :data:`MAX_PROBLEMS` listed).
    """
    shown = shown or str(path)
    problems = _Problems(shown, origin)
    text = _read_text(path, shown, origin, problems)
    return _parse(text, list(driver_ids), problems)


def _whole_file(origin: Origin | None, shown: str, message: str, hint: str) -> InputError:
    if origin is not None:
        return InputError([origin.problem(message, hint)])
    return InputError([Problem(shown, None, None, "", message, hint)])


def _read_text(path: Path, shown: str, origin: Origin | None, problems: _Problems) -> str:
    """The file's text, or an error saying why it cannot be a cases file."""
    from forecast import files

    where = "a file name is taken relative to the folder of the priors file"
    try:
        raw = files.read_bytes(path, yamlio.MAX_BYTES)
    except FileNotFoundError:
        raise _whole_file(origin, shown, f"the cases file {shown} does not exist", where) from None
    except files.NotRegular as exc:
        if path.is_dir():
            raise _whole_file(
                origin, shown, f"{shown} is a directory, not a cases file", "name a .csv file"
            ) from None
        raise _whole_file(
            origin, shown, f"the cases file {shown} {exc.reason}", "name a .csv file"
        ) from None
    except files.TooLarge as exc:
        problems.add(
            None,
            None,
            "",
            f"{exc.reason}; a cases file may be at most {yamlio.MAX_BYTES / 1e6:.0f} MB",
            "a cases file codes comparable historical cases, one line each",
        )
        raise problems.error() from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _whole_file(
            origin, shown, f"cannot read the cases file {shown}: {reason}", where
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = yamlio.byte_position(raw, exc.start)
        problems.add(
            line,
            col,
            "",
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
        )
        raise problems.error() from None
    if "\x00" in text:
        line, col = yamlio.byte_position(raw, raw.index(b"\x00"))
        problems.add(
            line, col, "", "contains a NUL byte: not a text file", "a cases file is UTF-8 CSV"
        )
        raise problems.error()
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _short(name: str) -> str:
    """A column name as a field: at most 24 characters of it."""
    return name if len(name) <= 24 else name[:21] + "..."


def _columns_hint(driver_ids: Sequence[str]) -> str:
    return (
        f"the first line names the columns: one per driver ({', '.join(driver_ids)}), "
        f"outcome, and optionally {', '.join(OPTIONAL_COLUMNS)}"
    )


def _header(
    header: list[Cell], driver_ids: list[str], problems: _Problems
) -> dict[str, int] | None:
    """Column name -> index, or None when the line cannot be a header at all."""
    required = [*driver_ids, "outcome"]
    known = [*required, *OPTIONAL_COLUMNS]
    hint = _columns_hint(driver_ids)
    first = header[0]
    if len(header) == 1:
        used = [name for sep, name in _SEPARATORS.items() if sep in first.value]
        if used:
            problems.add(
                first.line,
                first.column,
                "",
                f"values must be separated by commas; this line has none but has {used[0]}",
                "save the file as CSV with commas as separators",
            )
            return None
    names = [cell.value.strip() for cell in header]
    for name in required:  # first: they are placed at the start of the line
        if name not in names:
            what = "the outcome is" if name == "outcome" else "one per driver is"
            problems.add(first.line, first.column, name, f"missing column ({what} required)", hint)
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = cell.value.strip()
        if not name:
            problems.add(
                cell.line, cell.column, "", f"column {i + 1} has no name", hint + "; or remove it"
            )
        elif name in columns:
            seen = header[columns[name]]
            problems.add(
                cell.line,
                cell.column,
                _short(name),
                f"column given twice (first at {seen.line}:{seen.column})",
            )
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown column {fragment(name)}{guess}"
            problems.add(cell.line, cell.column, _short(name), message, hint)
        else:
            columns[name] = i
    return columns


def _code(cell: Cell, name: str, problems: _Problems) -> bool | None:
    """A driver's or the outcome's 0/1 value, or None after reporting a problem."""
    value = cell.value.strip()
    if value in _CODES:
        return _CODES[value]
    if not value:
        problems.add(
            cell.line,
            cell.column,
            name,
            "must be 0 or 1 (got nothing)",
            "code every driver and the outcome of every case",
        )
    else:
        hint = "write 1 for yes (true) and 0 for no (false)" if value.lower() in _WORDS else None
        problems.add(cell.line, cell.column, name, f"must be 0 or 1 (got {fragment(value)})", hint)
    return None


def _date(cell: Cell | None, problems: _Problems) -> dt.date | None:
    """The case's date: None when there is none or after reporting a problem."""
    value = cell.value.strip() if cell is not None else ""
    if cell is None or not value:
        return None
    if _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(
        cell.line,
        cell.column,
        "date",
        f"must be a date such as 2027-12-31 (got {fragment(value)})",
        "write dates as YYYY-MM-DD, or leave the value empty",
    )
    return None


def _parse(text: str, driver_ids: list[str], problems: _Problems) -> tuple[Case, ...]:
    """The cases of a cases file's text, every problem collected."""
    records = (r for r in csv_cells.records(text) if not blank(r))
    cases: list[Case] = []
    try:
        header = next(records, None)
        if header is None:
            problems.add(1, 1, "", "file is empty", _columns_hint(driver_ids))
            raise problems.error()
        columns = _header(header, driver_ids, problems)
        if columns is None:
            raise problems.error()
        for record in records:
            case = _case_row(record, len(header), columns, driver_ids, problems)
            if case is not None:
                cases.append(case)
    except Unclosed as exc:
        problems.add(
            exc.line,
            exc.column,
            "",
            "a quoted value is not closed",
            'end it with " (a quote inside a value is written "")',
        )
    problems.raise_any()
    return tuple(cases)


def _case_row(
    record: list[Cell],
    width: int,
    columns: dict[str, int],
    driver_ids: list[str],
    problems: _Problems,
) -> Case | None:
    """The case on one line, or None after reporting its problems."""
    if len(record) > width:
        extra = record[width]
        problems.add(
            extra.line,
            extra.column,
            "",
            f"{len(record)} values, but the first line names {_count(width, 'column')}",
            'put a value that holds a comma in double quotes: "a, b"',
        )
        return None
    if len(record) < width:
        problems.add(
            record[0].line,
            None,
            "",
            f"{_count(len(record), 'value')}, but the first line names {_count(width, 'column')}",
            "give every case a value in every column (empty for an unknown date)",
        )
        return None
    before = problems.count

    def cell(name: str) -> Cell | None:
        i = columns.get(name)
        return record[i] if i is not None else None

    coded = {d: _code(record[columns[d]], d, problems) for d in driver_ids if d in columns}
    outcome = (
        _code(record[columns["outcome"]], "outcome", problems) if "outcome" in columns else None
    )
    date = _date(cell("date"), problems)
    ident = cell("id")
    name = ident.value.strip() if ident is not None else ""
    drivers = {d: v for d, v in coded.items() if v is not None}
    if problems.count > before or outcome is None or len(drivers) < len(driver_ids):
        return None  # reported above, or in the first line (a missing column)
    # Every value has been checked above; build the case without checking it again.
    return Case.model_construct(id=name or None, drivers=drivers, outcome=outcome, date=date)


__all__ = [
    "CASES_PATH_ENV",
    "MAX_PROBLEMS",
    "OPTIONAL_COLUMNS",
    "Origin",
    "fragment",
    "locate",
    "read_cases",
]
