"""The rich terminal report of a forecast.

:class:`Report` renders itself through ``__rich_console__``; it fits the console's
width and degrades to plain text when the console has no colour.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from forecast.render import fmt, rows
from forecast.render.layout import Fit
from forecast.render.rows import Cell, Rows
from forecast.results import Forecast

_STYLES = {"up": "green", "down": "red", "dim": "dim", "warn": "yellow", "bold": "bold"}
"""The rich style of each tone of a cell."""


def text(cell: Cell) -> Text:
    """A cell as rich text, styled by its tone (never read as markup)."""
    return Text(cell.text, style=_STYLES.get(cell.tone, ""))


def table(
    r: Rows, *, no_wrap: tuple[str, ...] = (), fold: tuple[str, ...] = (), **options: Any
) -> Table:
    """A rich table of ``r``: numbers right-aligned; the columns in ``no_wrap`` are never
    wrapped and those in ``fold`` may fold inside a word."""
    t = Table(**options)
    for i, head in enumerate(r.head):
        t.add_column(
            head,
            justify="right" if i in r.numeric else "left",
            no_wrap=head in no_wrap,
            overflow="fold" if head in fold else "ellipsis",
        )
    for row in r.rows:
        t.add_row(*(text(c) for c in row))
    return t


def bar(p: float, width: int = 30) -> Text:
    """A horizontal bar for a probability."""
    filled = max(0, min(width, round(p * width)))
    t = Text()
    t.append("█" * filled, style="bold cyan")
    t.append("░" * (width - filled), style="dim")
    return t


class Report:
    """A full report for one forecast."""

    def __init__(self, forecast: Forecast, *, quiet: bool = False) -> None:
        self.f = forecast
        self.quiet = quiet

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        f = self.f
        if self.quiet:
            under = fmt.scenario(f)
            yield Text(fmt.pct(f.probability) + (f"  scenario {under}" if under else ""))
            return
        yield self._header()
        yield self._headline(options.max_width)
        yield self._moves()
        from forecast.render.curves import sections

        yield from sections(f, options.max_width)
        if f.experts:
            yield self._experts()
        from forecast.render.pools import section

        trust = self._sensitivity()
        if trust is not None:
            yield trust
        if f.pools is not None and f.sensitivity is None:  # else in the sensitivity table
            yield section(f.pools)
        if f.evidence:
            yield self._evidence()
        yield self._diagnostics()
        yield self._provenance()
        yield Text(fmt.GLOSSARY, style="dim")

    def _header(self) -> Panel:
        f = self.f
        body = Text()
        body.append(f.title, style="bold")
        body.append(
            f"\n{f.question_id} · {f.kind} · deadline {f.deadline.isoformat()} · {f.status}"
            f" · {fmt.facts(f.facts_as_of)}",
            style="dim",
        )
        return Panel(body, expand=True)

    def _headline(self, width: int) -> RenderableType:
        f = self.f
        t = Table.grid(padding=(0, 2))
        t.add_column(style="bold")
        t.add_column()
        head = Text()
        head.append(fmt.pct(f.probability), style="bold green")
        head.append(
            f"   odds {fmt.odds(f.probability)}   {f.diagnostics.error_note(f.mcse)}",
            style="dim",
        )
        under = fmt.scenario(f)
        if under:
            t.add_row("Scenario", Text(under, style="bold"))
        t.add_row("Forecast", head)
        label, note = fmt.prior_row(f)
        room = width - max(len(label), len("80% interval")) - 2
        t.add_row("", bar(f.probability, max(10, min(40, room))))
        for row in rows.headline(f).rows:
            t.add_row(*(text(c) for c in row))
        notes = [Text(f"  before the data: {note}", style="dim")] if note else []
        notes.append(Text(f"  {rows.headline_note(f)}", style="dim"))
        return Group(Text(""), t, *notes)

    def _moves(self) -> RenderableType:
        t = table(
            rows.moves(self.f),
            title="What moved it (applied in this order)",
            title_justify="left",
            expand=False,
            show_edge=False,
        )
        return Fit(t)

    def _experts(self) -> RenderableType:
        f = self.f
        pool = f.pools
        how = f"{pool.method if pool is not None else 'linear'} pool"
        if pool is not None and pool.extremize != 1.0:
            how += f", extremized d = {pool.extremize:g}"
        earned = fmt.weighting(f.weighting)
        if earned and f.weighting is not None:
            how += f", {fmt.weights_name(f.weighting)}"
        t = table(
            rows.experts(f).only(
                "expert", "weight", "judgement", "fit", "mean", "90% interval", "fit error"
            ),
            no_wrap=("fit",),
            fold=("expert",),
            title=f"Experts ({how})",
            title_justify="left",
            show_edge=False,
        )
        notes = [Text(f"  {line}", style="dim") for line in rows.expert_notes(f)]
        notes += [Text(line, style="dim") for line in earned]
        return Group(Text(""), Fit(t), *notes)

    def _evidence(self) -> RenderableType:
        t = table(
            rows.evidence(self.f).only("id", "median LR", "90% interval", "applied"),
            title="Evidence (likelihood ratio P(signal | yes) / P(signal | no))",
            title_justify="left",
            show_edge=False,
        )
        return Fit(t)

    def _diagnostics(self) -> RenderableType:
        d = self.f.diagnostics
        line = Text("Diagnostics  ")
        line.append(f"{d.summary()}  ")
        good = "✓ converged" if d.method == "nuts" else "✓ ok"
        line.append(good if d.ok else "⚠ check", style="green" if d.ok else "bold yellow")
        parts: list[RenderableType] = [Text(""), line]
        for w in d.warnings:
            parts.append(Text(f"  ⚠ {w}", style="yellow"))
        return Group(*parts)

    def _sensitivity(self) -> RenderableType | None:
        """How far the forecast moves when the prior, the data or the pool change."""
        from forecast import sensitivity

        f = self.f
        s = sensitivity.of(f)
        table = sensitivity.table(f)
        if s is None or table is None:
            return None
        warn = s.prior_driven or s.conflict or not s.has_data
        verdict = Text(("⚠ " if warn else "") + s.verdict, style="bold yellow" if warn else "")
        t = Table(
            title="Sensitivity: how far the forecast moves",
            title_justify="left",
            show_edge=False,
        )
        t.add_column("if")
        t.add_column("forecast", justify="right")
        t.add_column("change", justify="right")
        t.add_column("note")
        kind = None
        notes: list[Text] = []
        for row in table.rows:
            if kind is not None and row.kind != kind:
                t.add_section()
            kind = row.kind
            used = row.note == "the pool used"
            change = "" if used else fmt.pp(row.delta)
            note = Text("used", style="bold") if used else Text(row.note)
            if row.note == "influential expert":
                note = Text("⚠ influential", style="bold yellow")
                notes.append(
                    Text(
                        f"  ⚠ {row.label} the forecast moves by {fmt.pp(row.delta)}: "
                        "it leans on one expert",
                        style="yellow",
                    )
                )
            elif not row.reliable:
                note = Text(row.note, style="yellow")
            t.add_row(
                Text(("▸ " if used else "") + row.label, style="bold" if used else ""),
                fmt.pct(row.forecast),
                Text(change, style="green" if row.delta > 0 else "red" if change else ""),
                note,
            )
        parts: list[RenderableType] = [Text("")]
        if table.rows:
            parts.append(Fit(t))
        parts += [verdict, *notes]
        if s.quantities:
            q = Table(show_edge=False, box=None, padding=(0, 1))
            q.add_column("power-scaling (ArviZ)", style="dim")
            q.add_column("prior", justify="right", style="dim")
            q.add_column("data", justify="right", style="dim")
            q.add_column("diagnosis")
            for x in s.quantities:
                q.add_row(
                    x.label,
                    f"{x.prior:.3f}",
                    f"{x.likelihood:.3f}",
                    Text(x.diagnosis or "✓", style="yellow" if x.diagnosis else "green"),
                )
            parts += [
                Fit(q),
                Text(
                    f"  sensitivity above {s.threshold:g}: that input shapes the quantity",
                    style="dim",
                ),
            ]
        return Group(*parts)

    def _provenance(self) -> Text:
        p = self.f.provenance
        return Text(
            f"Provenance   {p.file} sha256:{p.sha256[:12]} · forecast {p.version} · "
            f"seed {p.seed} · {p.settings} · "
            f"pymc {p.pymc} · {p.created}",
            style="dim",
        )
