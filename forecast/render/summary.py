"""The closing table of ``forecast run`` over several questions."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from forecast.portfolio.summary import INTERVAL, Row, Summary
from forecast.render import fmt
from forecast.render.layout import Fit


def _interval(r: Row) -> str:
    """The probability's interval, a quantity's amount interval with its unit, or a dash."""
    if r.amount_text is not None:
        return r.amount_text
    return "–" if r.interval is None else fmt.interval(*r.interval)


def summary_table(summary: Summary) -> Fit:
    """A row per question: id, kind, P, the 95% interval, the method, diagnostics ok.

    Ids are never cut: where the table would not fit with each id whole, every question
    gets a heading line and its values on the lines under it."""
    table = Table(title="Summary", title_justify="left", show_edge=False)
    table.add_column("question", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("P", justify="right", no_wrap=True)
    table.add_column(f"{round(INTERVAL * 100)}% interval", no_wrap=True)
    table.add_column("method", no_wrap=True)
    table.add_column("diagnostics")  # a failure says why in words, which may wrap
    for r in summary.rows:
        if r.failed is not None or r.probability is None:
            why = Text(f"failed: {r.failed}", style="red")
            table.add_row(Text(r.id), r.kind or "", "", "", "", why)
            continue
        shown = _interval(r)
        ok = Text("ok", style="green") if r.diagnostics_ok else Text("not ok", style="yellow")
        table.add_row(Text(r.id), r.kind or "", fmt.pct(r.probability), shown, r.method or "", ok)
    return Fit(table, compact=True)
