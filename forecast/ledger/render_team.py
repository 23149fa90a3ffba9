"""Terminal rendering of the analysts side by side and of the CORP reliability diagram."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

    from forecast.corp import Corp
    from forecast.ledger.analysts import Team
    from forecast.ledger.evaluate import ScoreReport


def num(x: float | None, digits: int = 4) -> str:
    """A score with ``digits`` significant digits, so a small one is never shown as 0.

    ``1.4e-05`` stays ``1.4e-05`` rather than ``0.0000``; exact zeros are ``0``.
    """
    if x is None:
        return "—"
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    return text if "e" in text or "." in text or abs(x) >= 10 ** (digits - 1) else f"{x:.1f}"


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{100 * p:.1f}%"


def not_judged(report: ScoreReport) -> RenderableType:
    """The plain statement that calibration cannot be judged yet, and the questions scored."""
    from rich.text import Text

    from forecast.corp import MIN_QUESTIONS

    n = report.overall.n
    ids = ", ".join(c.question_id for c in report.questions) or "none"
    return Text(
        f"\nCalibration cannot be judged yet: {n} resolved question{'' if n == 1 else 's'} "
        f"scored, and at least {MIN_QUESTIONS} are needed. Scored: {ids}.",
        style="yellow",
    )


def corp_view(fit: Corp) -> RenderableType:
    """The CORP decomposition and the reliability diagram as a table, with its bands."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from forecast.render.layout import Fit

    head = Text.assemble(
        ("\nCORP reliability (isotonic fit)", "bold"),
        f"   Brier {num(fit.score)} = MCB {num(fit.mcb)} − DSC {num(fit.dsc)} + UNC {num(fit.unc)}",
    )
    table = Table(show_edge=False, box=None, padding=(0, 1), header_style="dim")
    for col in ("forecast", "n", "recalibrated", "90% band if calibrated", ""):
        table.add_column(col, justify="right" if col else "left", no_wrap=True)
    for p in fit.points:
        outside = p.lo is not None and p.hi is not None and not p.lo <= p.calibrated <= p.hi
        table.add_row(
            _pct(p.forecast),
            str(p.n),
            _pct(p.calibrated),
            "—" if p.lo is None else f"{_pct(p.lo)} – {_pct(p.hi)}",
            "outside the band" if outside else "",
        )
    note = Text(
        "MCB: miscalibration (0 is calibrated) · DSC: discrimination (higher is better) · "
        "UNC: what the outcomes' base rate alone would score",
        style="dim",
    )
    return Group(head, Fit(table, skip_empty_headers=False), note)


def team_view(team: Team) -> RenderableType:
    """Each analyst's scores and peer score, every pair head to head, and the team."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from forecast.render.layout import Fit

    table = Table(show_edge=False, header_style="bold")
    for col in ("analyst", "n", "Brier", "log", "baseline", "peer", "shared"):
        table.add_column(col, justify="left" if col == "analyst" else "right")
    for a in team.analysts:
        d = a.scores.to_dict()
        table.add_row(
            a.name,
            str(a.scores.n),
            num(d["brier"]),
            num(d["log"]),
            num(d["baseline"]),
            num(a.peer),
            str(a.shared),
        )
    d = team.team.to_dict()
    table.add_row(
        f"team (log-odds mean{'' if team.extremize == 1 else f', d={team.extremize:g}'})",
        str(team.team.n),
        num(d["brier"]),
        num(d["log"]),
        num(d["baseline"]),
        "",
        "",
        style="bold",
    )
    parts: list[RenderableType] = [Text("\nAnalysts side by side", style="bold"), Fit(table)]
    parts.append(
        Text(
            "peer: 100 · ln(own probability of what happened / the others' geometric mean), "
            "averaged over the questions shared with someone (shared); the team row pools "
            "the questions two or more analysts forecast",
            style="dim",
        )
    )
    if team.pairs:
        pairs = Table(show_edge=False, box=None, padding=(0, 1), header_style="dim")
        for col in ("pair", "shared", "Brier", "log", "peer of the first"):
            pairs.add_column(col, justify="left" if col == "pair" else "right")
        for p in team.pairs:
            pairs.add_row(
                f"{p.a} vs {p.b}",
                str(len(p.questions)),
                f"{num(p.brier[0])} vs {num(p.brier[1])}",
                f"{num(p.log[0])} vs {num(p.log[1])}",
                num(p.peer),
            )
        parts.append(Text("\nHead to head, on the questions both forecast", style="bold"))
        parts.append(Fit(pairs))
    return Group(*parts)
