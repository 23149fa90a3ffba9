"""Roulette chips as a text histogram: one bar per bin, as long as its share of chips."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

BAR = 40
"""The longest bar's length in characters (the bin with the most chips)."""


def chips_histogram(edges: Sequence[float], chips: Sequence[int], *, bar: int = BAR) -> Table:
    """One row per bin: its edges, a bar proportional to its chips, the count and share."""
    if len(edges) != len(chips) + 1:
        raise ValueError(f"{len(chips)} bins need {len(chips) + 1} edges, got {len(edges)}")
    total = sum(chips)
    most = max(chips, default=0)
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    table.add_column("bin", justify="right", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    table.add_column("chips", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    for (lo, hi), n in zip(itertools.pairwise(edges), chips, strict=True):
        length = round(bar * n / most) if most else 0
        if n and not length:
            length = 1  # a bin with a chip is never drawn empty
        share = f"{100 * n / total:.0f}%" if total else "-"
        table.add_row(f"{lo:g}–{hi:g}", Text("█" * length, style="cyan"), str(n), share)
    return table
