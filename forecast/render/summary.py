"""The closing table of ``forecast run`` over several questions."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from forecast.portfolio.summary import INTERVAL, Summary
from forecast.render import fmt


def summary_table(summary: Summary) -> Table:
    """A row per question: id, kind, P, the 95% interval, the method, diagnostics ok."""
    table = Table(title="Summary", title_justify="left", show_edge=False)
    table.add_column("question", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("P", justify="right", no_wrap=True)
    table.add_column(f"{round(INTERVAL * 100)}% interval", no_wrap=True)
    table.add_column("method", no_wrap=True)
    table.add_column("diagnostics", no_wrap=True)
    for r in summary.rows:
        if r.failed is not None or r.probability is None:
            why = Text(f"failed: {r.failed}", style="red")
            table.add_row(Text(r.id), r.kind or "", "", "", "", why)
            continue
        shown = "" if r.interval is None else fmt.interval(*r.interval)
        ok = Text("ok", style="green") if r.diagnostics_ok else Text("not ok", style="yellow")
        table.add_row(Text(r.id), r.kind or "", fmt.pct(r.probability), shown, r.method or "", ok)
    return table
