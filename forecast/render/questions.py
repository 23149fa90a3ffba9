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
        cells = [
            (
                q,
                q.spec.kind,
                q.spec.deadline.isoformat(),
                q.spec.status,
                latest_text(q, self.latest.get(q.id), self.unread),
            )
            for q in self.rows
        ]
        if console.width >= WIDE:
            # The id and its title share a column, so the title wraps between words
            # within the id's width instead of being cut into pieces of a few letters.
            table = Table(show_edge=False, show_lines=True)
            table.add_column("question", min_width=max(len(q.id) for q in self.rows))
            for col in ("kind", "deadline", "status"):
                table.add_column(col, no_wrap=True)
            table.add_column("latest forecast", min_width=10)
            for q, *rest in cells:
                cell = Text(q.id, style="bold")
                cell.append("\n" + q.spec.title, style="")
                table.add_row(cell, *rest)
            yield table
            return
        for q, kind, deadline, status, last in cells:
            yield Text(q.id, style="bold", no_wrap=True, overflow="ignore")  # never cut
            yield Padding(Text(q.spec.title), (0, 0, 0, 2), expand=False)
            line = Text(f"{kind} · deadline {deadline} · {status} · latest {last}", style="dim")
            yield Padding(line, (0, 0, 0, 2), expand=False)
