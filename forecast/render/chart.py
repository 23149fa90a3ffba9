"""A density chart for the terminal: block characters, an axis, and marked values.

Used by ``forecast elicit`` to show an expert the distribution fitted to what they
said, after every answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rich.text import Text

from forecast.render import fmt

_BLOCKS = " ▁▂▃▄▅▆▇█"


def display_range(
    ppf: Callable[[float], float],
    marks: Sequence[float] = (),
    bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """A range that shows the bulk of the distribution and every marked value, within
    ``bounds`` (a probability's [0, 1] by default)."""
    lo = min([float(ppf(0.002)), *marks])
    hi = max([float(ppf(0.998)), *marks])
    pad = 0.08 * max(hi - lo, 0.01)
    return max(bounds[0], lo - pad), min(bounds[1], hi + pad)


def round_ticks(lo: float, hi: float, about: int = 5) -> list[float]:
    """Tick values at round numbers (multiples of 1, 2 or 5 times a power of ten) in
    [lo, hi], about ``about`` of them."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, about - 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda x: abs(x - raw))
    first = np.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + 1e-9 * step:
        ticks.append(float(round(k * step, 12)) + 0.0)
        k += 1
    return ticks


def density_chart(
    pdf: Callable[[np.ndarray], np.ndarray],
    lo: float,
    hi: float,
    *,
    width: int = 60,
    height: int = 6,
    marks: Sequence[float] = (),
    style: str = "cyan",
    label: Callable[[float], str] = fmt.pct,
) -> Text:
    """Rows of block characters tracing ``pdf`` over [lo, hi], an axis, and ``marks``.

    Each column is the density at its centre, scaled so the tallest column fills
    ``height`` rows; marked values are shown as ``▲`` under the axis.
    """
    width = max(10, width)
    x = lo + (np.arange(width) + 0.5) * (hi - lo) / width
    with np.errstate(all="ignore"):
        y = np.nan_to_num(np.asarray(pdf(x), dtype=float), nan=0.0, posinf=0.0)
    top = float(y.max()) if y.size and float(y.max()) > 0 else 1.0
    levels = np.round(y / top * height * 8).astype(int)
    out = Text()
    for row in range(height, 0, -1):
        line = ""
        for lv in levels:
            filled = lv - (row - 1) * 8
            line += _BLOCKS[max(0, min(8, filled))]
        out.append(line.rstrip() + "\n", style=style)
    out.append("─" * width + "\n", style="dim")
    if marks:
        under = [" "] * width
        for m in marks:
            col = int((m - lo) / (hi - lo) * width) if hi > lo else 0
            under[max(0, min(width - 1, col))] = "▲"
        out.append("".join(under).rstrip() + "\n", style="bold")
    labels = [" "] * width
    for v in round_ticks(lo, hi):
        text = label(v)
        col = round((v - lo) / (hi - lo) * (width - 1)) if hi > lo else 0
        start = max(0, min(width - len(text), col - len(text) // 2))
        if all(c == " " for c in labels[max(0, start - 1) : start + len(text) + 1]):
            labels[start : start + len(text)] = list(text)
    out.append("".join(labels).rstrip(), style="dim")
    return out
