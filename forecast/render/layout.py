"""Tables that never split a number, an identifier or a name.

A rich table squeezed below its narrowest width cuts cells inside words
(``Turkmenist│an``, ``+31.6 p…``). :class:`Fit` renders a table as it is when it fits
the console with every cell at least as wide as its longest word, and otherwise, or
at :data:`STACK_AT` columns and below, stacks it: one record per row, its first cell as
a heading and every other cell under it as ``header  value``, wrapped between words.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

STACK_AT = 60
"""At this many columns and below, tables are stacked."""


def _plain(cell: RenderableType) -> Text:
    if isinstance(cell, Text):
        return cell
    return Text(str(cell))


def _header(table: Table, i: int) -> str:
    head = table.columns[i].header
    return head.plain if isinstance(head, Text) else str(head)


class Fit:
    """A table, or its stacked form when the table would have to cut cells to fit."""

    def __init__(self, table: Table, *, skip_empty_headers: bool = True) -> None:
        self.table = table
        self.skip_empty_headers = skip_empty_headers

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        width = options.max_width
        if width > STACK_AT and self._fit(console, options):
            yield self.table
            return
        yield from self.stacked()

    def _fit(self, console: Console, options: ConsoleOptions) -> bool:
        """Give every column room for its longest word (its widest cell when it does not
        wrap) and share out the rest; False when even that does not fit.

        Rich would squeeze the widest columns first, below their longest word.
        """
        t = self.table
        width = options.max_width
        ranges = [t._measure_column(console, options, c) for c in t.columns]
        extra = t._extra_width
        most = [r.maximum for r in ranges]
        if sum(most) + extra <= width:
            return True
        least = [
            r.maximum if c.no_wrap or c.width is not None else r.minimum
            for r, c in zip(ranges, t.columns, strict=True)
        ]
        room = width - extra - sum(least)
        if room < 0:
            return False
        want = [m - lo for m, lo in zip(most, least, strict=True)]
        total = sum(want)
        share = [room * w // total if total else 0 for w in want]
        given = [lo + x for lo, x in zip(least, share, strict=True)]
        for i, c in enumerate(t.columns):
            c.width = max(1, given[i] - t._get_padding_width(i))
        return True

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        m = Measurement.get(console, options, self.table)
        return Measurement(min(m.minimum, options.max_width), m.maximum)

    def stacked(self) -> Iterable[RenderableType]:
        """One record per row: the first cell in bold, then ``header  value`` lines."""
        t = self.table
        if t.title:
            title = t.title if isinstance(t.title, Text) else Text(str(t.title))
            yield title
        columns = [list(c.cells) for c in t.columns]
        rows = len(columns[0]) if columns else 0
        for r in range(rows):
            head = _plain(columns[0][r]).copy()
            head.stylize("bold")
            yield Text("  ") + head
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True, style="dim")
            grid.add_column(overflow="fold")
            for i in range(1, len(columns)):
                cell = _plain(columns[i][r])
                name = _header(t, i)
                if not cell.plain.strip() or (not name and self.skip_empty_headers):
                    continue
                grid.add_row(Text("    " + name), cell)
            if grid.row_count:
                yield grid
