"""The ``forecast cooke`` report: experts' scores, decision makers, robustness, ranges.

:class:`CookeView` renders itself with rich (``__rich_console__``) and as markdown
(:meth:`CookeView.markdown`); both show the same sections.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from forecast.cooke.analysis import Analysis
from forecast.cooke.robustness import Row
from forecast.render import ranges, safe

DM_LABELS = {
    "global": "global weights",
    "global_optimised": "global weights, alpha optimised",
    "item": "item weights",
    "equal": "equal weights",
    "user": "user weights",
}


def _s(x: float, digits: int = 4) -> str:
    """A score with ``digits`` significant figures (n/a when it could not be computed)."""
    return "n/a" if x != x else f"{x:.{digits}g}"


def _alpha(a: Analysis) -> str:
    how = "optimised" if a.settings.alpha is None else "given"
    if a.chosen.weights in ("equal", "user"):
        return "no cut-off"
    return f"alpha {_s(a.chosen.alpha)} ({how})"


def summary_lines(a: Analysis) -> list[str]:
    """The lines under the title: the study and the settings."""
    st = a.study
    levels = ", ".join(f"{100 * q:g}" for q in st.quantiles)
    seeds = int(st.seed_mask.sum())
    lines = [
        f"{len(st.experts)} experts · {seeds} seed items · {len(st.items) - seeds} target "
        f"items · quantiles {levels}%",
        f"{DM_LABELS[a.chosen.weights]} · {_alpha(a)} · overshoot {a.settings.overshoot:g} · "
        f"calibration power {a.settings.calpower:g} · N = {a.scores.n_min} (fewest seed items "
        "answered)",
    ]
    return lines


def expert_rows(a: Analysis) -> list[list[str]]:
    """One row per expert: seeds answered, calibration, information, weights."""
    sc = a.scores
    dm_w = a.dm_weights()
    out = []
    for e, name in enumerate(a.study.experts):
        cut = a.weights[e] == 0 and sc.weight[e] > 0
        out.append(
            [
                name,
                str(int(sc.answered_seeds[e])),
                _s(sc.calibration[e]),
                _s(sc.information_all[e]),
                _s(sc.information_seeds[e]),
                _s(a.weights[e]) + ("†" if cut else ""),
                f"{a.normalised[e]:.3f}",
                "per item" if dm_w is None else f"{dm_w[e]:.3f}",
            ]
        )
    return out


EXPERT_HEAD = ["expert", "seeds", "calib.", "inf. all", "inf. seeds", "weight", "norm.", "in DM"]
WEIGHT_NOTE = (
    "weight = calibration × seed information (inf.), zero below alpha (†); norm. = "
    "normalised over the experts; in DM = the share each has in the decision maker asked for"
)
DM_HEAD = ["decision maker", "calib.", "inf. all", "inf. seeds", "alpha"]
ROBUST_HEAD = ["left out", "calib.", "inf. all", "inf. seeds", "alpha"]


def dm_rows(a: Analysis) -> list[list[str]]:
    """One row per standard decision maker."""
    return [
        [
            DM_LABELS[k],
            _s(v.calibration),
            _s(v.information_all),
            _s(v.information_seeds),
            _s(v.alpha),
        ]
        for k, v in a.standard.items()
    ]


def robust_rows(rows: list[Row]) -> list[list[str]]:
    """Robustness rows as text."""
    return [
        [
            r.left_out,
            _s(r.calibration),
            _s(r.information_all),
            _s(r.information_seeds),
            _s(r.alpha) + (f" ({r.note})" if r.note else ""),
        ]
        for r in rows
    ]


def dm_item_rows(a: Analysis) -> list[list[str]]:
    """The chosen decision maker's quantiles per item."""
    out = []
    for i, it in enumerate(a.study.items):
        real = ranges.num(it.realization) if it.realization is not None else "target"
        out.append([it.id, real, *(ranges.num(v) for v in a.chosen.quantiles[i])])
    return out


def _table(title: str, head: list[str], body: list[list[str]], left: int = 1) -> Table:
    t = Table(title=title, title_justify="left", show_edge=False)
    for n, col in enumerate(head):
        t.add_column(col, justify="left" if n < left else "right")
    for row in body:
        t.add_row(*row)
    return t


@dataclass(frozen=True)
class CookeView:
    """A classical-model analysis, ready to render."""

    analysis: Analysis
    graph_width: int = 40

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        a = self.analysis
        title = a.study.name or a.source
        yield Panel(Text.assemble(("Classical model: " + title, "bold"), ("\n" + a.source, "dim")))
        for line in summary_lines(a):
            yield Text(line, style="dim")
        yield _table("Experts", EXPERT_HEAD, expert_rows(a))
        yield Text(WEIGHT_NOTE, style="dim")
        yield _table("Decision makers", DM_HEAD, dm_rows(a))
        levels = [f"{100 * q:g}%" for q in a.study.quantiles]
        yield _table(
            f"Decision maker ({DM_LABELS[a.chosen.weights]}) per item",
            ["item", "realisation", *levels],
            dm_item_rows(a),
        )
        if a.items_left_out:
            yield _table(
                "Robustness: each seed item left out", ROBUST_HEAD, robust_rows(a.items_left_out)
            )
        if a.experts_left_out:
            yield _table(
                "Robustness: each expert left out", ROBUST_HEAD, robust_rows(a.experts_left_out)
            )
        yield Text(
            f"\nSeed items ({ranges.outer_label(a.study.quantiles)}, ┃ realisation)", style="bold"
        )
        width = max(10, min(self.graph_width, options.max_width - 45))
        for i, it in enumerate(a.study.items):
            if it.seed:
                yield _range_graph(a, i, width)


def _range_graph(a: Analysis, item: int, width: int) -> Text:
    """One item's range graph as coloured text (plain lines: a table per item is slow)."""
    rows = ranges.rows(a, item, width)
    pad = max(len(r.label) for r in rows)
    out = Text(ranges.heading(a, item) + "\n", style="bold")
    for r in rows:
        out.append(f"  {r.label:<{pad}} ", style="bold" if r.decision_maker else "")
        out.append("│", style="dim")
        start = len(out)
        out.append(r.bar)
        for k, ch in enumerate(r.bar):
            if ch in "┃●":
                out.stylize("magenta bold" if ch == "┃" else "cyan", start + k, start + k + 1)
        out.append("│", style="dim")
        mark = "" if r.caught is None else (" ✓" if r.caught else " ✗")
        style = "" if r.caught is None else ("green" if r.caught else "yellow")
        out.append(f" {r.values}{mark}\n", style=style)
    return out


def markdown(a: Analysis, graph_width: int = 40) -> str:
    """The report as markdown (range graphs in text blocks)."""
    title = a.study.name or a.source
    out = [f"# Classical model: {safe.md(title)}", "", safe.code(a.source), ""]
    out += [f"{safe.md(line)}  " for line in summary_lines(a)]
    out += ["", "## Experts", "", *safe.table(EXPERT_HEAD, expert_rows(a))]
    out += ["", WEIGHT_NOTE.replace("(†)", "(marked †)") + ".", "", "## Decision makers", ""]
    out += safe.table(DM_HEAD, dm_rows(a))
    levels = [f"{100 * q:g}%" for q in a.study.quantiles]
    out += ["", f"## Decision maker ({DM_LABELS[a.chosen.weights]}) per item", ""]
    out += safe.table(["item", "realisation", *levels], dm_item_rows(a))
    if a.items_left_out:
        out += ["", "## Robustness: each seed item left out", ""]
        out += safe.table(ROBUST_HEAD, robust_rows(a.items_left_out))
    if a.experts_left_out:
        out += ["", "## Robustness: each expert left out", ""]
        out += safe.table(ROBUST_HEAD, robust_rows(a.experts_left_out))
    out += ["", f"## Seed items ({ranges.outer_label(a.study.quantiles)}, ┃ realisation)", ""]
    for i, it in enumerate(a.study.items):
        if it.seed:
            out += [*safe.block(ranges.plain(a, i, graph_width)), ""]
    return "\n".join(out).rstrip() + "\n"
