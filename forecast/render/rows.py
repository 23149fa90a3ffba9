"""The rows of a forecast's report tables, once, for every renderer.

The terminal report (:mod:`forecast.render.report`), the markdown report
(:mod:`forecast.render.markdown`) and the HTML page (:mod:`forecast.render.html`) show
the same tables: the headline's intervals, what moved the forecast, the experts and the
evidence. Each table is built here as :class:`Rows` of plain-text :class:`Cell` values
with a tone (a rise, a fall, a warning, a note of less weight); a renderer only formats
them (rich styles, markdown escapes, HTML classes) and chooses which columns it has room
for (:meth:`Rows.only`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from forecast.render import fmt
from forecast.results import Forecast

Tone = Literal["", "up", "down", "dim", "warn", "bold"]
"""How a cell reads: a rise, a fall, of less weight, a warning, emphasised, or plain."""

FORMS = {
    "point": "point + strength",
    "median_interval": "median + interval",
    "interval": "interval + mass",
    "quantiles": "quantiles",
    "pseudo_counts": "pseudo-counts",
    "roulette": "roulette chips",
}
"""How a report names each form of judgement."""

FIT_ERROR_WARNING = 0.01
"""A fit error above this is shown as a warning: the fit does not match the judgement."""


@dataclass(frozen=True)
class Cell:
    """One cell: its text as a reader sees it, and its tone."""

    text: str
    tone: Tone = ""
    short: str | None = None
    """A shorter text for a renderer that keeps a column narrow (None: the same)."""


@dataclass(frozen=True)
class Rows:
    """A table: its column headings, rows of cells, and which columns hold numbers."""

    head: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[int, ...] = ()
    """Columns holding numbers (right-aligned)."""

    def only(self, *names: str) -> Rows:
        """The table with only the columns headed ``names``, in that order."""
        keep = [self.head.index(n) for n in names]
        return replace(
            self,
            head=tuple(self.head[i] for i in keep),
            rows=tuple(tuple(row[i] for i in keep) for row in self.rows),
            numeric=tuple(j for j, i in enumerate(keep) if i in self.numeric),
        )

    def texts(self) -> list[list[str]]:
        """The cells' texts, row by row."""
        return [[c.text for c in row] for row in self.rows]


def _tone(delta: float) -> Tone:
    return "up" if delta > 0 else "down" if delta < 0 else ""


def headline_note(f: Forecast) -> str:
    """What the headline's intervals are of (the kind may say: a quantity's are of the
    amount)."""
    from forecast import kinds

    own = kinds.get(f.kind).headline(f)
    return "intervals are of the event's propensity" if own is None else own[1]


def headline(f: Forecast) -> Rows:
    """The forecast's 80% and 95% intervals and where it started, before the data (or
    the rows the forecast's kind gives instead)."""
    from forecast import kinds

    own = kinds.get(f.kind).headline(f)
    if own is not None:
        return Rows(("", ""), tuple((Cell(a), Cell(b)) for a, b in own[0]))
    i80, i95 = f.interval(0.8), f.interval(0.95)
    label, _ = fmt.prior_row(f)
    before = (
        f"{fmt.pct(f.prior_probability)}  "
        f"(95% {fmt.interval(f.prior_interval.lo, f.prior_interval.hi)})"
        f"  →  {fmt.pct(f.probability)}"
    )
    return Rows(
        ("", ""),
        (
            (Cell("80% interval"), Cell(fmt.interval(i80.lo, i80.hi))),
            (Cell("95% interval"), Cell(fmt.interval(i95.lo, i95.hi))),
            (Cell(label), Cell(before)),
        ),
    )


def moves(f: Forecast) -> Rows:
    """What moved the forecast, in the order applied, then the evidence left out.

    The base rate's row names its cases (``short``: just ``base rate``).
    """
    rows: list[tuple[Cell, ...]] = []
    for s in f.steps:
        label = Cell(s.label)
        if s.kind == "base_rate" and f.base_rate:
            br = f.base_rate
            label = Cell(
                f"base rate {br['successes']}/{br['trials']}, weight {br['weight']:g} "
                f"(as {br['effective_trials']:g} cases)",
                short=s.label,
            )
        change = "" if s.kind == "experts" else fmt.pp(s.delta)
        rows.append((label, Cell(change, _tone(s.delta)), Cell(fmt.pct(s.after))))
    for e in f.evidence:
        if not e.applied:
            rows.append(
                (
                    Cell(f"evidence: {e.id}", "dim"),
                    Cell("already in the judgements", "dim"),
                    Cell(""),
                )
            )
    return Rows(("input", "change", "forecast"), tuple(rows), (1, 2))


def experts(f: Forecast) -> Rows:
    """Each expert's weight, judgement, fit and what the fit implies."""
    rows = []
    for e in f.experts:
        imp = e.implies
        err = e.fitted.fit_error
        rows.append(
            (
                Cell(e.name),
                Cell(f"{e.weight:.2f}"),
                Cell(FORMS.get(e.form, e.form)),
                Cell(e.fitted.describe()),
                Cell(fmt.pct(imp["mean"])),
                Cell(fmt.interval(imp["lo90"], imp["hi90"])),
                Cell(fmt.fit_error(err), "warn" if err > FIT_ERROR_WARNING else ""),
                Cell(f"P(p > 50%) = {fmt.pct(imp['p_above'])}"),
            )
        )
    head = ("expert", "weight", "judgement", "fit", "mean", "90% interval", "fit error", "implies")
    return Rows(head, tuple(rows), (1, 4, 5, 6))


def expert_notes(f: Forecast) -> list[str]:
    """What each expert's fit says in words: P(p > 50%) and the median."""
    return [
        f"{e.name}: you are saying P(p > 50%) = {fmt.pct(e.implies['p_above'])}"
        f", median {fmt.pct(e.implies['median'])}"
        for e in f.experts
    ]


def evidence(f: Forecast) -> Rows:
    """Each evidence item's likelihood ratio and whether it was applied."""
    rows = tuple(
        (
            Cell(e.id),
            Cell(e.description),
            Cell(f"{e.median_lr:.3g}"),
            Cell(f"{e.lo90_lr:.3g} – {e.hi90_lr:.3g}"),
            Cell("yes") if e.applied else Cell("no: already in the judgements", "dim"),
        )
        for e in f.evidence
    )
    return Rows(("id", "signal", "median LR", "90% interval", "applied"), rows, (2, 3))
