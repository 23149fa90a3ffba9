"""``forecast show NET``: every cell's experts, their pooled Beta and its mean, unsampled."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecast.kinds.network.cells import Cell

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType

    from forecast.questions.loader import LoadedQuestion


@dataclass(frozen=True)
class CellsView:
    """The fitted cells of one network."""

    question: LoadedQuestion
    cells: Sequence[Cell]

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(cell, experts with weights, fitted Betas or Dirichlets, pooled mean)."""
        out = []
        for c in self.cells:
            experts = ", ".join(f"{n} ({w:.2f})" for n, w in zip(c.experts, c.weights, strict=True))
            fits = "; ".join(
                ("Beta" if len(a) == 2 else "Dirichlet")
                + "("
                + ", ".join(f"{x:.3g}" for x in a)
                + ")"
                for a in c.alphas
            )
            mean = ", ".join(f"{s} {100 * m:.1f}%" for s, m in zip(c.states, c.mean(), strict=True))
            out.append((c.name, experts, fits, mean))
        return out

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        from rich.table import Table
        from rich.text import Text

        from forecast.kinds.network.spec import NetworkQuestion

        spec = self.question.spec
        assert isinstance(spec, NetworkQuestion)
        yield Text(spec.title, style="bold")
        yield Text(
            f"{self.question.id} · network · {len(spec.nodes)} nodes · pool {spec.pool.method}",
            style="dim",
        )
        table = Table(title="Cells and their fits", title_justify="left", show_edge=False)
        for col in ("cell", "experts (weight)", "fit", "pooled mean"):
            table.add_column(col, overflow="fold")
        for row in self.rows():
            table.add_row(*(Text(x) for x in row))
        yield table

    def to_dict(self) -> dict[str, object]:
        """The network's part of the ``show --format json`` object."""
        return {
            "cells": [
                {
                    "cell": c.name,
                    "experts": list(c.experts),
                    "weights": list(c.weights),
                    "concentrations": [list(a) for a in c.alphas],
                    "mean": [float(m) for m in c.mean()],
                }
                for c in self.cells
            ],
        }

    def markdown(self) -> str:
        """The cells as a markdown table."""
        from forecast.render.safe import table

        lines = table(("cell", "experts (weight)", "fit", "pooled mean"), self.rows(), ())
        return "\n".join(lines) + "\n"


__all__ = ["CellsView"]
