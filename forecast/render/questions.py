"""The question list of ``forecast list``: a table on a wide terminal, three lines a
question on a narrow one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from forecast.filestate import changed_since
from forecast.render import fmt
from forecast.render.layout import Fit

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType

    from forecast.ledger import Latest
    from forecast.questions.loader import LoadedQuestion

WIDE = 100
"""Terminals at least this wide get a table; narrower ones get each question on three lines."""


def latest_text(q: LoadedQuestion, latest: Latest | None, unread: bool = False) -> str:
    """The latest recorded forecast in words, and whether the file changed since
    (``unread``: the ledger could not be read, so it is not known)."""
    if unread:
        return "not known (ledger unreadable)"
    if latest is None:
        return "none recorded"
    text = f"{fmt.pct(latest.probability)} on {latest.recorded_at.date().isoformat()}"
    return text + (" · file changed since" if changed_since(q, latest) else "")


def latest_dict(q: LoadedQuestion, latest: Latest | None) -> dict[str, object] | None:
    """The latest recorded forecast for ``--format json`` (None when there is none)."""
    if latest is None:
        return None
    return {
        "probability": latest.probability,
        "recorded_at": latest.recorded_at.isoformat(),
        "file_changed": changed_since(q, latest),
    }


@dataclass
class QuestionList:
    """The questions with their kind, deadline, status and latest recorded forecast."""

    rows: list[LoadedQuestion]
    latest: dict[str, Latest]
    unread: bool = False
    """The ledger could not be read: no row says "none recorded"."""

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        lines = self._lines
        if console.width < WIDE:
            yield from lines(console.width)
            return
        # The id and its title share a column, so the title wraps between words within
        # the id's width instead of being cut into pieces of a few letters. A table that
        # cannot keep every id, date and flag whole gives way to the lines.
        table = Table(show_edge=False, show_lines=True)
        table.add_column("question", min_width=max(len(q.id) for q in self.rows))
        for col in ("kind", "deadline", "status"):
            table.add_column(col, no_wrap=True)
        table.add_column("latest forecast", min_width=len("latest forecast"))
        for q in self.rows:
            cell = Text(q.id, style="bold")
            cell.append("\n" + q.spec.title, style="")
            last = latest_text(q, self.latest.get(q.id), self.unread).replace(" · ", "\n")
            table.add_row(cell, q.spec.kind, q.spec.deadline.isoformat(), q.spec.status, last)
        yield Fit(table, fallback=lines)

    def _lines(self, width: int) -> Iterator[RenderableType]:
        """Each question on three lines: the id, its title, then kind, deadline, status and
        the latest forecast."""
        for q in self.rows:
            last = latest_text(q, self.latest.get(q.id), self.unread)
            yield Text(q.id, style="bold", no_wrap=True, overflow="ignore")  # never cut
            yield Padding(Text(q.spec.title), (0, 0, 0, 2), expand=False)
            line = Text(
                f"{q.spec.kind} · deadline {q.spec.deadline.isoformat()} · {q.spec.status} · "
                f"latest {last}",
                style="dim",
            )
            yield Padding(line, (0, 0, 0, 2), expand=False)
