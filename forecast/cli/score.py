"""``forecast score``: how good the recorded forecasts have been, overall and by group."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import err, handle_errors, out, print_json
from forecast.cli.ledger import _date, _missing
from forecast.cli.options import Ledger

if TYPE_CHECKING:
    from forecast.ledger.evaluate import ScoreReport
    from forecast.ledger.scored import LedgerScores
    from forecast.render.layout import Fit


class ScoreFormat(StrEnum):
    """Output formats of ``score``."""

    rich = "rich"
    json = "json"
    csv = "csv"


class By(StrEnum):
    """Groupings of ``score``."""

    tag = "tag"
    horizon = "horizon"
    expert = "expert"
    analyst = "analyst"


class Which(StrEnum):
    """Which forecast counts for a question in ``score``."""

    last = "last"
    mean = "mean"


def score(
    by: By | None = typer.Option(
        None, "--by", help="Also score per tag, horizon, expert or analyst (side by side)."
    ),
    extremize: float = typer.Option(
        1.0,
        "--extremize",
        min=0.01,
        max=5.0,
        help="With --by analyst: extremize the team forecast, sigmoid(d · mean log-odds).",
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only questions resolved on or after this date (YYYY-MM-DD)."
    ),
    which: Which = typer.Option(
        Which.last,
        "--which",
        help="The forecast that counts: the last before the deadline/resolution, "
        "or the time-averaged mean.",
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        metavar="KIND",
        help="Score only the forecasts of this kind (event, drivers, ...); network scores "
        "the network-implied forecasts of linked questions, left out by default.",
    ),
    format_: ScoreFormat = typer.Option(ScoreFormat.rich, "--format", "-f", help="Output format."),
    ledger: Ledger = None,
) -> None:
    """Score resolved forecasts: Brier, log and baseline scores, and calibration.

    Brier (0 perfect), log score (ln of the probability given to what happened,
    0 perfect), baseline score (100·log2(2p) for a yes, 100·log2(2(1−p)) for a no;
    0 for always saying 50%), the Murphy decomposition, a calibration table in ten
    bins and the CORP reliability diagram (an isotonic fit, with Brier = MCB − DSC +
    UNC and 90% consistency bands); with fewer than 10 resolved questions calibration
    cannot be judged yet, and the questions scored are listed instead. Per expert, each
    expert's own implied probability is scored. Per analyst, each analyst's own
    forecasts are scored, with peer scores and head-to-head pairs on the questions they
    shared, and the team forecast (mean of the analysts' log-odds, --extremize D)
    is scored too. Annulled questions are left out. A question's own forecasts count;
    what a network said of it (``run NET --record``) is scored only with --kind network.

    Example: forecast score --by tag --since 2026-01-01

    Example: forecast score --kind network

    Example: forecast score --by analyst --extremize 1.5
    """
    from forecast.ledger.scored import check_request, score_ledger

    check_request(None if by is None else by.value, extremize, kind)
    since_day = _date(since, "--since")
    _missing(ledger)
    got = score_ledger(
        ledger,
        which=which.value,
        by=None if by is None else by.value,
        since=since_day,
        extremize=extremize,
        kind=kind,
    )
    if format_ is not ScoreFormat.rich and got.report.overall.n == 1:
        from forecast.ledger.render import ONE_QUESTION

        err().print(f"warning: {ONE_QUESTION}", markup=False, highlight=False, soft_wrap=True)
    if format_ is ScoreFormat.json:
        amounts = [a | {"log": ln_density(a)} for a in got.amounts]
        print_json({**got.report.to_dict(), "kind": kind, "amounts": amounts})
    elif format_ is ScoreFormat.csv:
        typer.echo(_score_csv(got.report), nl=False)
    else:
        _show(got)


def _show(got: LedgerScores) -> None:
    """The scores on the terminal: the tables, the amounts, and what was left out."""
    from forecast.ledger.render import score_view

    if got.kind is not None:
        out().print(f"Forecasts of kind {got.kind} only.", highlight=False)
    out().print(score_view(got.report))
    if got.amounts:
        out().print(_amounts_view(got.amounts))
        out().print(AMOUNTS_NOTE, style="dim", highlight=False)
    if got.implied:
        out().print(
            f"{got.implied} network-implied forecast{'s' if got.implied != 1 else ''} left out; "
            "score them with --kind network.",
            style="dim",
            highlight=False,
        )


def _amounts_view(amounts: list[dict[str, object]]) -> Fit:
    """Questions of an amount, scored at the value they resolved at."""
    from rich.table import Table

    from forecast.ledger.render_team import num
    from forecast.render.layout import Fit

    t = Table(
        title="Amounts, scored at their resolved value",
        title_justify="left",
        show_edge=False,
        header_style="bold",
    )
    for col in ("question", "value", "forecast median", "CRPS", "log"):
        t.add_column(col, justify="left" if col == "question" else "right", no_wrap=True)
    for a in amounts:
        t.add_row(
            str(a["question"]),
            amount(_float(a["value"])),
            amount(_float(a["median"])),
            amount(_float(a["crps"])),
            num(ln_density(a)),
        )
    return Fit(t)


AMOUNTS_NOTE = (
    "CRPS: in the amount's unit, 0 is perfect · log: ln density at the value, as for the "
    "events above higher is better"
)
"""What the amounts table's columns mean, printed under it (not as a caption, which
wraps within the table's width)."""


def _float(x: object) -> float | None:
    """A number of a JSON row (None for a missing one)."""
    return float(x) if isinstance(x, int | float) else None


def ln_density(row: dict[str, object]) -> float | None:
    """The log score of an amount in the sign of the events' ``log`` (ln of what the
    forecast gave the outcome, higher is better): the negative of ``log_score``."""
    s = _float(row.get("log_score"))
    return None if s is None else -s


def amount(x: float | None) -> str:
    """An amount to 4 significant digits with thousands separators, never in
    scientific notation (22,970, 850.0, 0.1230)."""
    import math

    if x is None or not math.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    decimals = max(0, 3 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def _score_csv(rep: ScoreReport) -> str:
    import csv
    import io

    fields = [
        "group",
        "n",
        "brier",
        "log",
        "baseline",
        "reliability",
        "resolution",
        "uncertainty",
        "within_bin_variance",
        "within_bin_covariance",
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in [{"group": "all", **rep.overall.to_dict()}, *(g.to_dict() for g in rep.groups)]:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in fields})
    return buf.getvalue()


def register(app: typer.Typer) -> None:
    """Add ``score`` to the app."""
    app.command("score")(handle_errors(score))
