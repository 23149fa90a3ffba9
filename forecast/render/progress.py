"""A progress bar on stderr for long work: only on a terminal, and only for enough items
to be worth one."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

Tick = Callable[[int], None]
"""Advance the bar by so many items."""


@contextlib.contextmanager
def progress_bar(
    console: Console, label: str, total: int, unit: str, *, at_least: int = 1
) -> Iterator[Tick | None]:
    """A bar of ``total`` items named ``label`` with their rate in ``unit`` per second,
    its time elapsed and left; None (no bar) when ``console`` is not a terminal or there
    are fewer than ``at_least`` items."""
    if not console.is_terminal or total < at_least:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(label, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("[progress.data.speed]{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        # Data on stdout goes above the bar on a terminal, and straight to its file or
        # pipe otherwise (never onto the terminal the bar is drawn on).
        redirect_stdout=sys.stdout.isatty(),
    ) as bar:
        task = bar.add_task(label, total=total, rate="")

        def tick(n: int) -> None:
            bar.advance(task, n)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.1f} {unit}/s" if speed else "")

        yield tick
