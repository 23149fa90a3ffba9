"""The report's pools section: the forecast under each pool and without each expert.

It renders the pool comparison a forecast carries (:class:`forecast.headline.Pools`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderableType
from rich.table import Table
from rich.text import Text

from forecast.render import fmt
from forecast.render.layout import Fit

if TYPE_CHECKING:
    from forecast.headline import Pools


class PoolsSection:
    """Forecasts under each pool method and with each expert left out, side by side."""

    def __init__(self, pools: Pools) -> None:
        self.pools = pools

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        from forecast.elicit.pool import INFLUENCE_FLAG as flag

        pools = self.pools
        t = Table(
            title="Pools and influence (each computed exactly over p, no resampling)",
            title_justify="left",
            show_edge=False,
        )
        t.add_column("prior from")
        t.add_column("forecast", justify="right")
        t.add_column("change", justify="right")
        t.add_column("")
        notes: list[Text] = []
        for row in pools.comparison.rows:
            chosen = row.chosen
            label = ("▸ " if chosen else "  ") + row.label
            change = "" if chosen else fmt.pp(row.delta)
            mark = Text("used", style="bold") if chosen else Text("")
            if row.flagged:
                mark = Text("⚠ influential", style="bold yellow")
                notes.append(
                    Text(
                        f"  ⚠ leaving out {row.expert} moves the forecast by "
                        f"{fmt.pp(row.delta)} (more than {100 * flag:.0f} pp): "
                        "this forecast leans on one expert",
                        style="yellow",
                    )
                )
            t.add_row(
                Text(label, style="bold" if chosen else ""),
                fmt.pct(row.forecast),
                Text(change, style="green" if row.delta > 0 else "red" if change else ""),
                mark,
            )
        yield Text("")
        yield Fit(t)
        yield from notes


def markdown(pools: Pools) -> str:
    """The same section as a markdown table."""
    from forecast.render.safe import md

    lines = ["### Pools and influence", "", "| prior from | forecast | change |", "|---|---:|---:|"]
    for row in pools.comparison.rows:
        change = "used" if row.chosen else fmt.pp(row.delta)
        if row.flagged:
            change += " ⚠"
        lines.append(f"| {md(row.label)} | {fmt.pct(row.forecast)} | {change} |")
    return "\n".join(lines) + "\n"


def section(pools: Pools) -> PoolsSection:
    """The section for a forecast's pool comparison."""
    return PoolsSection(pools)
