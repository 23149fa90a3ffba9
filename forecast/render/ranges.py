"""Range graphs of a seed item: each expert's outer range, median and the realisation.

One text row per expert (and one for the decision maker) across the item's intrinsic
range, on its background scale (log for a log item): ``─`` spans the outer quantiles
(5% to 95%), ``●`` is the median and ``┃`` marks the realisation, so a glance shows
who caught it. The same rows print in the terminal (coloured) and in markdown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from forecast.cooke.analysis import Analysis


@dataclass(frozen=True)
class RangeRow:
    """One row of a range graph."""

    label: str
    bar: str
    values: str
    caught: bool | None
    """Whether the outer range holds the realisation (None for a target item)."""
    decision_maker: bool = False


def num(value: float) -> str:
    """A value briefly, with four significant figures."""
    if value != value:
        return "n/a"
    return f"{value:.4g}"


def _median_level(levels: tuple[float, ...]) -> int:
    return int(np.argmin([abs(q - 0.5) for q in levels]))


def outer_label(levels: tuple[float, ...]) -> str:
    """``5%–95%`` for the outer levels of a study, with its middle level."""
    mid = levels[_median_level(levels)]
    return f"{100 * levels[0]:g}%–{100 * levels[-1]:g}% range, {100 * mid:g}% at ●"


def _bar(
    quantiles: np.ndarray, lo: float, hi: float, log: bool, width: int, realized: float | None
) -> str:
    """One row: ``quantiles`` are (lowest, middle, highest) on the item's own scale."""

    def col(x: float) -> int:
        x = math.log(x) if log else x
        return min(width - 1, max(0, round((x - lo) / (hi - lo) * (width - 1))))

    cells = [" "] * width
    if not np.isnan(quantiles).any():
        a, b = col(float(quantiles[0])), col(float(quantiles[-1]))
        for c in range(a, b + 1):
            cells[c] = "─"
        cells[a], cells[b] = "├", "┤"
        cells[col(float(quantiles[1]))] = "●"
    if realized is not None:
        r = col(realized)
        cells[r] = "┃" if cells[r] in (" ", "─") else cells[r]
    return "".join(cells)


def rows(analysis: Analysis, item: int, width: int = 40) -> list[RangeRow]:
    """The range graph of one item: a row per expert who answered it, then the DM."""
    st, sc = analysis.study, analysis.scores
    it = st.items[item]
    lo, hi = float(sc.lower[item]), float(sc.upper[item])
    log = it.scale == "log"
    mid = _median_level(st.quantiles)
    out: list[RangeRow] = []

    def row(label: str, q: np.ndarray, dm: bool = False) -> RangeRow:
        caught = None
        if it.realization is not None and not np.isnan(q).any():
            caught = bool(q[0] <= it.realization <= q[-1])
        shown = f"{num(q[0])} · {num(q[mid])} · {num(q[-1])}"
        ordered = np.array([q[0], q[mid], q[-1]])
        return RangeRow(label, _bar(ordered, lo, hi, log, width, it.realization), shown, caught, dm)

    answered = st.answered()
    for e, name in enumerate(st.experts):
        if answered[e, item]:
            out.append(row(name, st.answers[e, item]))
    out.append(row("DM", analysis.chosen.quantiles[item], dm=True))
    return out


def heading(analysis: Analysis, item: int) -> str:
    """The line above an item's range graph: id, realisation, unit and scale."""
    it = analysis.study.items[item]
    what = f"realisation {num(it.realization)}" if it.realization is not None else "target"
    unit = f" {it.unit}" if it.unit else ""
    scale = "log scale" if it.scale == "log" else "uniform scale"
    return f"{it.id}: {what}{unit} ({scale})"


def plain(analysis: Analysis, item: int, width: int = 40) -> list[str]:
    """The range graph of one item as plain text lines (for markdown)."""
    found = rows(analysis, item, width)
    pad = max(len(r.label) for r in found)
    lines = [heading(analysis, item)]
    for r in found:
        mark = "" if r.caught is None else ("  caught" if r.caught else "  missed")
        lines.append(f"  {r.label:<{pad}} │{r.bar}│ {r.values}{mark}")
    return lines
