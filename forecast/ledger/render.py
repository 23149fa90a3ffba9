"""Terminal rendering of the ledger: history with its chart and moves, scores with calibration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from forecast.ledger.history import OTHER, Move
from forecast.ledger.records import ForecastRecord

if TYPE_CHECKING:
    from rich.console import RenderableType

    from forecast.ledger.evaluate import ScoreReport
    from forecast.scoring import Bin, Scores

CHART_HEIGHT = 7
CHART_POINTS = 60


def pct(p: float | None, digits: int = 1) -> str:
    """A probability as a percentage ('—' when unknown)."""
    return "—" if p is None else f"{100 * p:.{digits}f}%"


def pp(d: float) -> str:
    """A change in probability, in percentage points with a sign."""
    return f"{100 * d:+.1f} pp"


def chart(values: Sequence[float], *, height: int = CHART_HEIGHT) -> list[str]:
    """A small dot chart of probabilities over successive forecasts, one column each.

    The y axis runs from the lowest to the highest value (padded), labelled in percent;
    with many forecasts only the last :data:`CHART_POINTS` are drawn.
    """
    vals = list(values)[-CHART_POINTS:]
    if not vals:
        return []
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) * 0.1, 0.005)
    lo, hi = max(0.0, lo - pad), min(1.0, hi + pad)
    rows = [[" "] * (2 * len(vals)) for _ in range(height)]
    for i, v in enumerate(vals):
        r = round((v - lo) / (hi - lo) * (height - 1))
        rows[height - 1 - r][2 * i] = "●"
    labels = [pct(hi), *([""] * (height - 2)), pct(lo)]
    width = max(len(s) for s in labels)
    lines = [
        f"{lab:>{width}} ┤{''.join(row).rstrip()}"
        if lab
        else f"{'':>{width}} │{''.join(row).rstrip()}"
        for lab, row in zip(labels, rows, strict=True)
    ]
    lines.append(f"{'':>{width}} └" + "─" * (2 * len(vals)))
    if len(values) > CHART_POINTS:
        lines.append(f"{'':>{width}}  last {CHART_POINTS} of {len(values)} forecasts")
    return lines


def history_table(records: Sequence[ForecastRecord]) -> RenderableType:
    """The recorded forecasts of one question, oldest first."""
    from rich.table import Table

    from forecast.ledger.pick import implied_by
    from forecast.render.layout import Fit

    sources = [implied_by(r) for r in records]
    mixed = any(sources)  # a network's forecasts among them: say which is which
    table = Table(show_edge=False, header_style="bold")
    for col, just in (
        ("#", "right"),
        ("recorded (UTC)", "left"),
        *((("from", "left"),) if mixed else ()),
        ("analyst", "left"),
        ("forecast", "right"),
        ("80% interval", "right"),
        ("move", "right"),
        ("priors", "left"),
        ("seed", "right"),
    ):
        # numbers are never cut; the time, file hash and seed fold onto a second line
        numbers = col in ("#", "forecast", "80% interval", "move")
        table.add_column(
            col,
            justify=just,
            no_wrap=numbers,
            overflow="ellipsis" if numbers else "fold",
        )
    prev: dict[str | None, ForecastRecord] = {}  # moves are within one source
    for r, source in zip(records, sources, strict=True):
        i80 = r.intervals.get("80")
        before = prev.get(source)
        table.add_row(
            str(r.id),
            r.recorded_at.strftime("%Y-%m-%d %H:%M"),
            *(((f"network-implied ({source})" if source else "own"),) if mixed else ()),
            r.analyst or "—",
            pct(r.probability),
            f"{pct(i80[0])} – {pct(i80[1])}" if i80 else "—",
            "" if before is None else pp(r.probability - before.probability),
            r.priors_sha256[:8],
            "" if r.seed is None else str(r.seed),
        )
        prev[source] = r
    if mixed:
        table.caption = "network-implied: a network's forecast of it, not scored by default"
    return Fit(table)


def move_view(move: Move) -> RenderableType:
    """One move: its headline, what changed in the priors file and what each input explains."""
    from rich.console import Group
    from rich.text import Text

    a, b = move.before, move.after
    head = Text.assemble(
        (f"#{a.id} → #{b.id}  ", "bold"),
        f"{pct(a.probability)} → {pct(b.probability)}  ",
        (pp(move.delta), "bold"),
    )
    if move.notes:
        head.append(f"   ({'; '.join(move.notes)})", style="dim")
    return Group(head, *what_changed(move))


def what_changed(move: Move) -> list[RenderableType]:
    """What changed in the priors file between two forecasts, and how many percentage
    points each named input explains (``forecast history`` and ``forecast watch``)."""
    from rich.table import Table
    from rich.text import Text

    from forecast.render.layout import Fit

    a, b = move.before, move.after
    parts: list[RenderableType] = []
    if move.changes:
        for c in move.changes:
            parts.append(Text(f"  • {c}", overflow="fold"))
    elif a.priors_sha256 != b.priors_sha256:
        parts.append(Text("  • the priors file changed only in layout or comments", style="dim"))
    table = Table(show_edge=False, box=None, padding=(0, 1), header_style="dim")
    table.add_column("  input", no_wrap=True)  # indented: never folded
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("explains", justify="right")
    table.add_column("why", overflow="fold")
    for row in move.attributions:
        table.add_row(f"  {row.input}", pct(row.before), pct(row.after), pp(row.delta), row.why)
    table.add_row(f"  {OTHER}", "", "", pp(move.other), "what no named input explains")
    parts.append(Fit(table))
    return parts


def history_view(
    question: str, records: Sequence[ForecastRecord], moves: Sequence[Move]
) -> RenderableType:
    """The whole history of a question."""
    from rich.console import Group
    from rich.text import Text

    title = records[-1].title if records else ""
    parts: list[RenderableType] = [
        Text.assemble((question, "bold"), f"  {title}" if title else ""),
        history_table(records),
        Text(""),
        Text("\n".join(chart([r.probability for r in _charted(records)])), no_wrap=True),
    ]
    if moves:
        parts.append(Text("\nWhy it moved", style="bold"))
        for m in moves:
            parts.append(move_view(m))
    return Group(*parts)


def _charted(records: Sequence[ForecastRecord]) -> list[ForecastRecord]:
    """The forecasts the history chart draws: the question's own (a network's when it has
    no own ones)."""
    from forecast.ledger.pick import network_implied

    own = [r for r in records if not network_implied(r)]
    return own or list(records)


def _num(x: float | None, digits: int = 4) -> str:
    from forecast.ledger.render_team import num

    return num(x, digits)


def scores_table(report: ScoreReport) -> RenderableType:
    """Scores overall and per group, one row each."""
    from rich.table import Table

    from forecast.render.layout import Fit

    table = Table(show_edge=False, header_style="bold")
    for col in ("group", "n", "Brier", "log", "baseline"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, s in _rows(report):
        d = s.to_dict()
        table.add_row(name, str(s.n), _num(d["brier"]), _num(d["log"]), _num(d["baseline"]))
    return Fit(table)


def decomposition_table(report: ScoreReport) -> RenderableType:
    """The Brier score's parts overall and per group, one row each."""
    from rich.table import Table

    from forecast.render.layout import Fit

    table = Table(show_edge=False, header_style="bold")
    for col in ("group", "reliability", "resolution", "uncertainty", "w-b var", "w-b cov"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, s in _rows(report):
        d = s.decomposition.to_dict()
        table.add_row(
            name,
            _num(d["reliability"]),
            _num(d["resolution"]),
            _num(d["uncertainty"]),
            _num(d["within_bin_variance"]),
            _num(d["within_bin_covariance"]),
        )
    return Fit(table)


def _rows(report: ScoreReport) -> list[tuple[str, Scores]]:
    return [("all", report.overall), *((g.name, g.scores) for g in report.groups)]


def calibration_view(bins: Sequence[Bin], *, width: int = 20) -> RenderableType:
    """The calibration table with a bar chart: how often it happened against what was said.

    Each bar is the observed frequency; ``│`` marks the mean forecast in the bin and the
    dotted stretch the 90% interval of the observed frequency.
    """
    from rich.table import Table

    from forecast.render.layout import Fit

    table = Table(show_edge=False, box=None, padding=(0, 1), header_style="dim")
    for col, just in (
        ("bin", "left"),
        ("n", "right"),
        ("forecast", "right"),
        ("happened", "right"),
        ("90% interval", "right"),
        ("", "left"),
    ):
        table.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for b in bins:
        label = f"{100 * b.lo:.0f}–{100 * b.hi:.0f}%"
        if b.n == 0:
            table.add_row(label, "0", "", "", "", "")
            continue
        assert b.observed is not None and b.mean_forecast is not None
        cells = [" "] * (width + 1)
        lo_i = round((b.observed_lo or 0.0) * width)
        hi_i = round((b.observed_hi or 0.0) * width)
        for i in range(lo_i, hi_i + 1):
            cells[i] = "·"
        for i in range(round(b.observed * width)):
            cells[i] = "█"
        cells[round(b.mean_forecast * width)] = "│"
        table.add_row(
            label,
            str(b.n),
            pct(b.mean_forecast),
            pct(b.observed),
            f"{pct(b.observed_lo, 0)} – {pct(b.observed_hi, 0)}",
            "".join(cells).rstrip(),
        )
    return Fit(table, skip_empty_headers=False)  # the chart's column has no heading


ONE_QUESTION = (
    "One resolved question proves nothing: a single outcome cannot show whether the "
    "forecasts are calibrated; the scores below describe that one forecast."
)


def score_view(report: ScoreReport) -> RenderableType:
    """Scores, then the calibration table and chart of every counted forecast."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    counted = "last forecast" if report.which == "last" else "time-averaged forecast"
    n = report.overall.n
    parts.append(
        Text(
            f"{n} resolved question{'' if n == 1 else 's'} scored ({counted} before the "
            "deadline or resolution"
            + (f", resolved since {report.since.isoformat()}" if report.since else "")
            + f"); {report.annulled} annulled left out",
            style="bold",
        )
    )
    if n == 1:
        parts.append(Text(ONE_QUESTION, style="yellow"))
    if report.unscored:
        parts.append(
            Text(
                f"no forecast recorded before the cutoff: {', '.join(report.unscored)}",
                style="yellow",
            )
        )
    parts.append(scores_table(report))
    parts.append(
        Text(
            "Brier: 0 is perfect · log: ln P(what happened), higher is better, 0 is perfect · "
            "baseline: 0 for always 50%, 100 perfect",
            style="dim",
        )
    )
    parts.append(Text(""))
    parts.append(decomposition_table(report))
    parts.append(
        Text(
            "Brier = reliability − resolution + uncertainty + within-bin variance − "
            "within-bin covariance (Murphy's terms: see the Glossary in forecast's README)",
            style="dim",
        )
    )
    from forecast.ledger import render_team

    if report.team is not None:
        parts.append(render_team.team_view(report.team))
    if not report.judged:
        parts.append(render_team.not_judged(report))
    else:
        parts.append(Text("\nCalibration (all questions)", style="bold"))
        parts.append(calibration_view(report.overall.bins))
        parts.append(Text("█ how often it happened  │ mean forecast  · 90% interval", style="dim"))
        if report.corp is not None:
            parts.append(render_team.corp_view(report.corp))
    return Group(*parts)
