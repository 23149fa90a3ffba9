"""A quantity's report sections: the terminal CDF chart and tables, plain tables, the PNG.

Every format carries the same numbers: the median and the 50/80/95% intervals (before
and after the data), P(X > t) for each threshold, each expert's fit in every family with
its fit error (the family used marked), and the sensitivity rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from forecast.kinds.quantity.result import QuantityResult
from forecast.kinds.quantity.summary import LEVELS, Summary

if TYPE_CHECKING:
    from rich.console import RenderableType

    from forecast.render.kinds import Section
    from forecast.render.plots import Plot
    from forecast.results import Forecast


_UNITS = ((1e12, " tn", 1e12), (1e9, " bn", 1e9), (1e6, " M", 1e6), (1e3, " k", 1e4))
"""Each unit word, its power of ten, and where it starts (thousands from 10,000 on)."""


def value(v: float | None) -> str:
    """A value of the quantity, with three significant digits: 1.2 bn, 850 k, 0.35."""
    if v is None or not math.isfinite(v):
        return "–"
    r = float(f"{v:.3g}")  # rounded first, so 999,999 reads 1 M, not 1e+03 k
    for size, word, start in _UNITS:
        if abs(r) >= start:
            return f"{r / size:.3g}{word}"
    return f"{v:.4g}"


def _scale(ref: float | None) -> tuple[float, str, int]:
    """How :func:`value` shows ``ref``: its unit word's power of ten, the word, decimals."""
    number, _, word = value(ref).partition(" ")
    size = dict(zip((w.strip() for _, w, _ in _UNITS), (p for p, _, _ in _UNITS), strict=True))
    decimals = len(number.split(".")[1]) if "." in number else 0
    return size.get(word, 1.0), f" {word}" if word else "", decimals


def at(v: float, ref: float | None) -> str:
    """``v`` to the last digit :func:`value` shows of ``ref`` (and in its unit word), so
    that numbers read side by side agree: 685 beside 4793, not 684.8."""
    size, word, decimals = _scale(ref)
    text = f"{v / size:.{decimals}f}"
    return ("0" if float(text) == 0 else text) + word


def amounts(lo: float | None, hi: float | None) -> str:
    """An interval of the amount, both ends to the digits of the larger (when they read in
    the same unit word): ``685 – 4793``, not ``684.8 – 4793``."""
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{value(lo)} – {value(hi)}"
    if _scale(lo)[1] != _scale(hi)[1]:  # 850 k – 2.3 M: each end in its own unit word
        return f"{value(lo)} – {value(hi)}"
    ref = hi if abs(hi) >= abs(lo) else lo
    return f"{at(lo, ref)} – {at(hi, ref)}"


def signed(delta: float, ref: float | None) -> str:
    """A move of the amount, to the digits of ``ref`` (the amount it moves): ``+43``, ``-2``;
    ``±0`` when it is smaller than the last digit shown."""
    text = at(abs(delta), ref)
    if float(text.split(" ")[0]) == 0:
        return "±0"
    return ("+" if delta > 0 else "-") + text


def _pct(p: float | None) -> str:
    from forecast.render import fmt

    return "–" if p is None else fmt.pct(p)


def _result(f: Forecast) -> QuantityResult:
    assert isinstance(f.result, QuantityResult), type(f.result)
    return f.result


def _tables(r: QuantityResult) -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """(title, head, rows) of every table, shared by every format."""
    from forecast.render import fmt

    post, prior = r.posterior, r.prior
    unit = r.unit
    out: list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]] = []
    rows: list[tuple[str, ...]] = [
        ("median", value(prior.median), value(post.median), value(r.exact.median))
    ]
    for level in LEVELS:
        a, b, c = prior.interval(level), post.interval(level), r.exact.interval(level)
        rows.append(
            (
                f"{round(100 * level)}% interval",
                amounts(a.lower, a.upper),
                amounts(b.lower, b.upper),
                amounts(c.lower, c.upper),
            )
        )
    head: tuple[str, ...] = ("", "experts' prior", "forecast", f"exact ({r.exact_method})")
    out.append((f"The quantity ({unit})", head, rows))
    rows = [
        (
            f"P(X > {value(a.threshold)})",
            _pct(a.probability),
            _pct(b.probability),
            _pct(c.probability),
        )
        for a, b, c in zip(prior.exceedances, post.exceedances, r.exact.exceedances, strict=True)
    ]
    out.append(("Thresholds", ("", "experts' prior", "forecast", "exact"), rows))
    families = [fam.family for fam in r.experts[0].fit.fits] if r.experts else []
    rows = []
    for e in r.experts:
        errors = {fam.family: f"{fam.sse:.2g}" for fam in e.fit.fits}
        row = (e.name, f"{e.weight:.2f}", e.fit.dist.describe())
        rows.append(row + tuple(errors.get(name, "–") for name in families))
    head = ("expert", "weight", "fit used", *(f"{n} error" for n in families))
    out.append(("Experts' fits: each family's fit error (sum of squared CDF misses)", head, rows))
    if r.moves:
        rows = [
            (
                s.label,
                value(s.median),
                signed(s.delta_median, s.median),
                _pct(s.probability),
                "" if s.delta is None or s.note == "the pool used" else fmt.pp(s.delta),
                s.note,
            )
            for s in r.moves
        ]
        head = ("change", "median", "moves it", "P(X > t₁)", "moves it", "note")
        out.append(("Sensitivity of the amount (exact, by quadrature)", head, rows))
    return out


def sections(f: Forecast) -> list[Section]:
    """The sections as plain tables (markdown, HTML)."""
    from forecast.render.kinds import Section

    r = _result(f)
    out = []
    for title, head, rows in _tables(r):
        numeric = tuple(range(1, len(head)))
        out.append(Section(title, head, tuple(rows), numeric))
    if r.data is not None:
        out.append(
            Section(
                "Observed values",
                before=(f"{r.data['label']}: " + ", ".join(value(v) for v in r.data["values"]),),
            )
        )
    return out


def cdf_chart(r: QuantityResult, width: int) -> RenderableType:
    """The forecast's CDF in block characters, the thresholds marked under the axis."""
    marks = [t.threshold for t in r.posterior.exceedances]
    return chart(r.posterior, r.unit, width, marks, "the forecast's CDF (▲ thresholds)")


def chart(s: Summary, unit: str, width: int, marks: Sequence[float], what: str) -> RenderableType:
    """A distribution's CDF in block characters, ``marks`` (inside its range) under the axis."""
    import numpy as np
    from rich.text import Text

    from forecast.render.chart import density_chart

    xs, ps = np.asarray(s.cdf_x), np.asarray(s.cdf_p)
    lo, hi = float(xs[0]), float(xs[-1])
    body = density_chart(
        lambda x: np.interp(x, xs, ps),
        lo,
        hi,
        width=max(20, min(70, width - 4)),
        height=6,
        marks=[m for m in marks if lo <= m <= hi],
        label=value,
    )
    head = Text(f"P(X ≤ x), {unit}: {what}\n", style="bold")
    return Text.assemble(head, body)


def rich_sections(f: Forecast, width: int) -> list[RenderableType]:
    """The sections for the terminal: the CDF chart, then the tables."""
    from rich.table import Table
    from rich.text import Text

    from forecast.render.layout import Fit

    r = _result(f)
    out: list[RenderableType] = [Text(""), cdf_chart(r, width)]
    for title, head, rows in _tables(r):
        t = Table(title=title, title_justify="left", show_edge=False, expand=False)
        for i, h in enumerate(head):
            right = 0 < i < len(head) - 1 or len(head) == 4
            t.add_column(h, justify="right" if right else "left", no_wrap=True)
        for row in rows:
            t.add_row(*row)
        out.append(Fit(t))
    return out


def plots(f: Forecast) -> list[Plot]:
    """The CDF before and after the data, thresholds marked, as a PNG."""
    from forecast.render import plots as p

    r = _result(f)
    with p._style():
        fig, ax = p._figure(3.2)
        try:
            ax.plot(r.prior.cdf_x, r.prior.cdf_p, color=p._PRIOR, label="experts' prior")
            ax.plot(r.posterior.cdf_x, r.posterior.cdf_p, color=p._POST, label="forecast")
            for e in r.posterior.exceedances:
                ax.axvline(e.threshold, color=p._NEUTRAL, linestyle=":", linewidth=1)
            ax.set_xlabel(r.unit)
            ax.set_ylabel("P(X ≤ x)")
            ax.set_title("The quantity's CDF")
            ax.legend(frameon=False)
            return [p.Plot("cdf", "The quantity's CDF", p._png(fig))]
        finally:
            p._close(fig)


def headline(f: Forecast) -> tuple[tuple[tuple[str, str], ...], str]:
    """The rows under the headline probability: the amount's median and intervals, and
    the experts' P(X > t) before the data; with the note saying what the headline is."""
    from forecast.render import fmt

    r = _result(f)
    post, unit = r.posterior, r.unit
    t = post.exceedances[0].threshold
    rows = [("Median", f"{value(post.median)} {unit}")]
    for level in (0.8, 0.95):
        b = post.interval(level)
        rows.append((f"{round(100 * level)}% interval", f"{amounts(b.lower, b.upper)} {unit}"))
    label = "Experts' prior → forecast" if r.data is not None else "Experts' prior"
    rows.append((label, f"{fmt.pct(f.prior_probability)}  →  {fmt.pct(f.probability)}"))
    note = f"the forecast is P(X > {value(t)} {unit}); the intervals are of the amount"
    return tuple(rows), note
