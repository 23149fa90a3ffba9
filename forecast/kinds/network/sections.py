"""A network report's sections, from the network's computed result (every format alike).

The graph in text (each node after its parents, ``parents -> node``), every node's
marginal with its 80% and 95% intervals, what was asked (conditioning or an
intervention), the linked questions' own forecasts against the network's, the cells
that move the target most, and the target given each other node's state. Markdown and
HTML render these :class:`~forecast.render.kinds.Section` tables; the terminal draws
the same tables with rich (:func:`rich_sections`). Everything is read from the typed
:class:`~forecast.kinds.network.run.NetworkForecast`, the same values its JSON holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from forecast.kinds.network.views import topological
from forecast.render.kinds import Section

if TYPE_CHECKING:
    from rich.console import RenderableType

    from forecast.kinds.network.infer import Query
    from forecast.kinds.network.run import NetworkForecast
    from forecast.kinds.network.views import NodeView


def _pct(p: float | None) -> str:
    if p is None:
        return "–"
    return f"{100 * p:.1f}%"


def _band(v: Sequence[float]) -> str:
    return f"{_pct(v[0])} – {_pct(v[1])}"


def asked(q: Query) -> str:
    """What the report is under: an intervention, conditioning, or nothing."""
    parts = []
    if q.do:
        parts.append(
            "intervention do(" + ", ".join(f"{k}={v}" for k, v in q.do.items()) + "): "
            "the nodes are set, their own causes cut (not the same as observing them)"
        )
    if q.given:
        parts.append(
            "conditioning on "
            + ", ".join(f"{k}={v}" for k, v in q.given.items())
            + ": as if they were observed"
        )
    return "; ".join(parts) or "no conditions: every node's forecast from the tables"


def _mark(n: NodeView) -> str:
    if n.set_to is not None:
        return f"set: do({n.set_to})"
    if n.given is not None:
        return f"given {n.given}"
    if n.observed is not None:
        source = n.observed_from
        return f"observed {n.observed}" + (f" ({source})" if source else "")
    return "question" if n.question else ""


def graph_section(nf: NetworkForecast) -> Section:
    """The graph in text, one line a node, each after its parents."""
    rows = []
    for n in topological(nf.nodes):
        parents = ", ".join(n.parents)
        rows.append((f"{parents} -> {n.id}" if parents else n.id, _mark(n)))
    from forecast.kinds.network.svg import graph_svg

    return Section(
        "Graph (parents -> node)", ("node", "kind"), tuple(rows), (), figure=graph_svg(nf.nodes)
    )


def marginals_section(nf: NetworkForecast) -> Section:
    """Every node's probability of each state with its 80% and 95% intervals."""
    rows = []
    for n in topological(nf.nodes):
        for m in n.marginal:
            if n.yes_no and m.state == "no":
                continue
            label = n.id if n.yes_no else f"{n.id} = {m.state}"
            rows.append(
                (
                    label,
                    _pct(m.probability),
                    _band(m.intervals[0.8]),
                    _band(m.intervals[0.95]),
                    _mark(n),
                )
            )
    a = nf.analysis
    before: tuple[str, ...] = (f"Asked: {asked(a.query)}.",)
    if a.evidence:
        before += ("Evidence: " + ", ".join(f"{k}={v}" for k, v in a.evidence.items()) + ".",)
    return Section(
        "Marginals (P of yes, or of each state)",
        ("node", "P", "80% interval", "95% interval", ""),
        tuple(rows),
        (1, 2, 3),
        before,
    )


def coherence_section(nf: NetworkForecast) -> Section:
    """Each linked question's own forecast, the network's, and the gap."""
    c = nf.coherence
    rows = tuple(
        (
            g.node,
            _pct(g.own),
            _band(g.own_interval),
            _pct(g.network),
            _band(g.network_interval),
            f"{100 * g.gap:+.1f} pp",
            "⚠ larger than both intervals" if g.flagged else "",
        )
        for g in c.gaps
    )
    after = tuple(f"{k}: not compared ({v})" for k, v in c.skipped.items())
    if c.reconciled:
        after += (
            "Reconciled (each question's own forecast taken as evidence on its node, "
            "Jeffrey's rule): "
            + ", ".join(f"{k} {_pct(v)}" for k, v in c.reconciled.items())
            + ".",
        )
    return Section(
        "Coherence: own forecast against the network's",
        ("question", "own", "own 80%", "network", "network 80%", "gap", ""),
        rows,
        (1, 2, 3, 4, 5),
        (),
        after,
    )


def tornado_section(nf: NetworkForecast, top: int = 10) -> Section:
    """The cells that move the target most, across each cell's 80% range."""
    rows = tuple(
        (
            b.cell,
            _band((b.low, b.high)),
            f"{_pct(b.at_low)} → {_pct(b.at_high)}",
            f"{100 * b.swing:.1f} pp",
        )
        for b in nf.tornado[:top]
    )
    return Section(
        f"Cells that move {nf.target} most (each across its 80% range)",
        ("cell", "80% range", f"P({nf.target})", "swing"),
        rows,
        (1, 2, 3),
    )


def conditionals_section(nf: NetworkForecast) -> Section:
    """The target's probability if each other node were known to be in a state."""
    target = nf.target
    node = next(n for n in nf.nodes if n.id == target)
    first = node.states[0]
    key = f"{target}={first}"
    now = node.marginal[0].probability
    rows = tuple(
        (
            f"{c.node} = {c.state}",
            _pct(p),
            f"{100 * (p - now):+.1f} pp",
        )
        for c in nf.conditional_views
        if c.node != target
        and (p := c.probabilities.get((target, first))) is not None
        and abs(p - now) > 5e-5
    )
    after = () if rows else ("No other node's state would move it.",)
    return Section(f"{key} if one node were known", ("known", "P", "move"), rows, (1, 2), (), after)


def sections(nf: NetworkForecast) -> list[Section]:
    """Every section of a network report, in order."""
    out = [graph_section(nf), marginals_section(nf)]
    if nf.coherence.gaps or nf.coherence.skipped:
        out.append(coherence_section(nf))
    out += [tornado_section(nf), conditionals_section(nf)]
    a = nf.analysis
    out.append(
        Section(
            "Inference",
            before=(
                f"{nf.method}: {nf.description}; {a.draws} draws of the "
                f"cells, Pareto k {a.pareto_k:.2f}, effective size {a.ess:.0f}, "
                f"seed {nf.seed}; the discrete nodes enumerated exactly.",
                *nf.notes,
            ),
        )
    )
    return out


def rich_sections(nf: NetworkForecast, width: int) -> list[RenderableType]:
    """The sections as rich tables for the terminal."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = []
    for s in sections(nf):
        parts: list[RenderableType] = [Text(s.title, style="bold")]
        parts += [Text(line) for line in s.before]
        if s.rows:
            table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
            for i, h in enumerate(s.head):
                table.add_column(h, justify="right" if i in s.numeric else "left", overflow="fold")
            for row in s.rows:
                table.add_row(*(Text(cell) for cell in row))  # ids hold [ ]: not markup
            parts.append(table)
        parts += [Text(line) for line in s.after]
        out.append(Group(*parts))
    return out


__all__ = ["asked", "rich_sections", "sections"]
