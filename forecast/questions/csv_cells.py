"""CSV records with the line and character column of every value (RFC 4180 quoting).

The cases file reader locates each problem at the value it is about, so it splits the
text itself rather than with :mod:`csv`, which does not say where a value starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

_UNQUOTED = re.compile(r"[^,\n]*")


class Cell(NamedTuple):
    """One value of the file, with the line and character column where it starts."""

    value: str
    line: int
    column: int


class Unclosed(Exception):
    """A quoted value that runs to the end of the file."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line = line
        self.column = column


def records(text: str) -> Iterator[list[Cell]]:
    """The file's records, each a list of located values (RFC 4180 quoting)."""
    n = len(text)
    pos = 0
    line = 1
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        row = text[pos:end]
        if not row.strip(", \t"):  # a line with no values
            pos, line = end + 1, line + 1
            continue
        if '"' in row:
            cells, pos, line = _quoted_record(text, pos, line)
            yield cells
            continue
        cells = []
        column = 1
        for value in row.split(","):
            cells.append(Cell(value, line, column))
            column += len(value) + 1
        yield cells
        pos, line = end + 1, line + 1


def _quoted_record(text: str, pos: int, line: int) -> tuple[list[Cell], int, int]:
    """One record that has a quote somewhere: (its values, where the next starts, its line)."""
    n = len(text)
    line_start = pos
    cells: list[Cell] = []
    while True:
        at = (line, pos - line_start + 1)
        if text.startswith('"', pos):
            parts: list[str] = []
            i = pos + 1
            while True:
                j = text.find('"', i)
                if j < 0:
                    raise Unclosed(*at)
                chunk = text[i:j]
                parts.append(chunk)
                if "\n" in chunk:
                    line += chunk.count("\n")
                    line_start = i + chunk.rindex("\n") + 1
                if text.startswith('"', j + 1):  # "" is a quote inside the value
                    parts.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            rest = _UNQUOTED.match(text, i)
            assert rest is not None
            parts.append(rest.group())
            pos = rest.end()
            value = "".join(parts)
        else:
            plain = _UNQUOTED.match(text, pos)
            assert plain is not None
            value = plain.group()
            pos = plain.end()
        cells.append(Cell(value, *at))
        if pos < n and text[pos] == ",":
            pos += 1
            continue
        return cells, pos + 1, line + 1


def blank(record: list[Cell]) -> bool:
    return all(not c.value.strip() for c in record)


__all__ = ["Cell", "Unclosed", "blank", "records"]
