"""Tables that never split a number, an identifier, an interval or a name.

A rich table squeezed below its narrowest width cuts cells inside words
(``Turkmenist│an``, ``+31.6 p…``), and wraps an interval ``4.4% – 29.6%`` at its dash.
:class:`Fit` renders a table as it is when it fits the console, and otherwise gives
every column room for its longest unbreakable piece (:func:`pieces`: a word, an
interval ``a – b``, a number with its unit ``-3.9 pp``, ``23 k``), shares what is left
out to the columns that want least first (values stay whole, prose wraps), and breaks
cells only between pieces. When even that does not fit, or at :data:`STACK_AT` columns
and below, it stacks the table: one record per row, its first cell as a heading and
every other cell under it as ``header  value`` (or, ``compact``, the cells as
``header value`` pairs on as few lines as fit, broken only between pairs).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

STACK_AT = 60
"""At this many columns and below, tables are stacked."""

_BREAK = re.compile(r"(?<![ –]) +(?![ –]|(?:pp|k|M|bn|tn)\b)")
"""Where a line may break: a run of spaces, unless it belongs to an interval's `` – ``
or comes before a unit that belongs to the number in front (``pp``, ``k``, ``M``, ``bn``,
``tn``)."""

SEPARATOR = " · "
"""Between the pairs of a compact stacked record."""


def pieces(line: str) -> list[str]:
    """The unbreakable pieces of one line of text: ``["P", "4.4% – 29.6%", "-3.9 pp"]``."""
    return [p for p in _BREAK.split(line) if p]


def widest_piece(text: str) -> int:
    """The width of the widest unbreakable piece of ``text`` (over all its lines)."""
    return max((cell_len(p) for line in text.split("\n") for p in pieces(line)), default=0)


def _plain(cell: RenderableType) -> Text:
    if isinstance(cell, Text):
        return cell
    return Text(str(cell))


def _header(table: Table, i: int) -> str:
    head = table.columns[i].header
    return head.plain if isinstance(head, Text) else str(head)


def _spans(line: str) -> list[tuple[int, int]]:
    """Where each unbreakable piece of ``line`` starts and ends."""
    out, at = [], 0
    for m in _BREAK.finditer(line):
        if m.start() > at:
            out.append((at, m.start()))
        at = m.end()
    if at < len(line):
        out.append((at, len(line)))
    return out


def wrap(text: Text, width: int) -> Text:
    """``text`` with its lines broken only between pieces to fit ``width`` (a piece wider
    than ``width`` keeps its own line: the caller gave it no room)."""
    if width < 1 or all(cell_len(line) <= width for line in text.plain.split("\n")):
        return text
    out: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        spans = _spans(line.plain)
        if not spans:
            out.append(line)
            continue
        start, end = spans[0]
        for a, b in spans[1:]:
            if cell_len(line.plain[start:b]) <= width:
                end = b
            else:
                out.append(line[start:end])
                start, end = a, b
        out.append(line[start:end])
    return Text("\n").join(out)


def _wrap_cell(cell: RenderableType, width: int) -> RenderableType:
    if isinstance(cell, str):
        cell = Text(cell)
    return wrap(cell, width) if isinstance(cell, Text) else cell


def _least_piece(column: Column) -> int:
    """The widest unbreakable piece among a column's header and cells (text cells only)."""
    cells: list[RenderableType] = [column.header, *column._cells]
    return max(
        (widest_piece(_plain(c).plain) for c in cells if isinstance(c, Text | str)), default=0
    )


def share(room: int, want: Sequence[int]) -> list[int]:
    """``room`` shared out so that the columns wanting least get all they want first and
    the rest split evenly what is left (no column gets more than it wants)."""
    give = [0] * len(want)
    left = room
    open_ = [i for i, w in enumerate(want) if w > 0]
    while open_ and left > 0:
        each = left // len(open_)
        if each == 0:
            for i in sorted(open_, key=lambda j: want[j] - give[j])[:left]:
                give[i] += 1
            break
        done = [i for i in open_ if want[i] - give[i] <= each]
        if done:
            for i in done:
                left -= want[i] - give[i]
                give[i] = want[i]
            open_ = [i for i in open_ if i not in done]
        else:
            for i in open_:
                give[i] += each
                left -= each
    return give


class Fit:
    """A table, or its stacked form when the table would have to cut cells to fit.

    ``fallback`` replaces the stacked form (it gets the console width); ``compact``
    stacks each record on as few lines as fit.
    """

    def __init__(
        self,
        table: Table,
        *,
        skip_empty_headers: bool = True,
        compact: bool = False,
        fallback: Callable[[int], Iterable[RenderableType]] | None = None,
    ) -> None:
        self.table = table
        self.skip_empty_headers = skip_empty_headers
        self.compact = compact
        self.fallback = fallback

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        width = options.max_width
        fitted = self.fitted(console, options) if width > STACK_AT else None
        if fitted is not None:
            yield fitted
        elif self.fallback is not None:
            yield from self.fallback(width)
        else:
            yield from self.stacked(width)

    def fitted(self, console: Console, options: ConsoleOptions) -> Table | None:
        """The table with every column at least as wide as its widest unbreakable piece
        (its widest cell when it does not wrap) and the rest of the width shared out, or
        None when even that does not fit. The table itself is left as it was.

        Rich would squeeze the widest columns first, below their longest word, and break
        an interval at its dash.
        """
        t = self.table
        width = options.max_width
        ranges = [t._measure_column(console, options, c) for c in t.columns]
        extra = t._extra_width
        most = [r.maximum for r in ranges]
        if sum(most) + extra <= width:
            return t
        pads = [t._get_padding_width(i) for i in range(len(t.columns))]
        least = [
            r.maximum if c.no_wrap or c.width is not None else max(r.minimum, _least_piece(c) + p)
            for r, c, p in zip(ranges, t.columns, pads, strict=True)
        ]
        most = [max(m, lo) for m, lo in zip(most, least, strict=True)]
        room = width - extra - sum(least)
        if room < 0:
            return None
        extra_room = share(room, [m - lo for m, lo in zip(most, least, strict=True)])
        given = [lo + x for lo, x in zip(least, extra_room, strict=True)]
        out = copy.copy(t)
        out.columns = []
        for c, g, p in zip(t.columns, given, pads, strict=True):
            w = max(1, g - p)
            out.columns.append(
                dataclasses.replace(
                    c,
                    width=w,
                    header=_wrap_cell(c.header, w),
                    _cells=[_wrap_cell(cell, w) for cell in c._cells],
                )
            )
        return out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        m = Measurement.get(console, options, self.table)
        return Measurement(min(m.minimum, options.max_width), m.maximum)

    def _records(self) -> Iterable[tuple[Text, list[tuple[str, Text]]]]:
        """Each row: its first cell, and its other cells with their headers."""
        t = self.table
        columns = [list(c.cells) for c in t.columns]
        rows = len(columns[0]) if columns else 0
        for r in range(rows):
            cells = []
            for i in range(1, len(columns)):
                cell = _plain(columns[i][r])
                name = _header(t, i)
                if not cell.plain.strip() or (not name and self.skip_empty_headers):
                    continue
                cells.append((name, cell))
            yield _plain(columns[0][r]), cells

    def stacked(self, width: int = 80) -> Iterable[RenderableType]:
        """One record per row: the first cell in bold, then ``header  value`` lines (or,
        ``compact``, ``header value`` pairs run together)."""
        t = self.table
        if t.title:
            yield t.title if isinstance(t.title, Text) else Text(str(t.title))
        for first, cells in self._records():
            head = first.copy()
            head.stylize("bold")
            yield Text("  ") + head
            if not cells:
                continue
            if self.compact:
                yield from self._compact(cells, width - 4)
                continue
            names = max(cell_len(name) for name, _ in cells)
            room = max(10, width - 4 - names - 2)
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True, style="dim")
            grid.add_column(overflow="fold")
            for name, cell in cells:
                grid.add_row(Text("    " + name), wrap(cell, room))
            yield grid

    def _compact(self, cells: list[tuple[str, Text]], width: int) -> Iterable[Text]:
        """The pairs on lines of at most ``width``, broken only between pairs."""
        line = Text("    ")
        filled = False
        for name, cell in cells:
            pair = Text(name + " ", style="dim") + cell if name else cell.copy()
            if filled and cell_len(line.plain) - 4 + len(SEPARATOR) + pair.cell_len > width:
                yield line
                line, filled = Text("    "), False
            if filled:
                line.append(SEPARATOR, style="dim")
            line.append_text(wrap(pair, width) if not filled else pair)
            filled = True
        if filled:
            yield line
