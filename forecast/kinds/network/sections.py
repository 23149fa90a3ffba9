"""A network report's sections, from the ``network`` JSON object (every format alike).

The graph in text (each node after its parents, ``parents -> node``), every node's
marginal with its 80% and 95% intervals, what was asked (conditioning or an
intervention), the linked questions' own forecasts against the network's, the cells
that move the target most, and the target given each other node's state. Markdown and
HTML render these :class:`~forecast.render.kinds.Section` tables; the terminal draws
the same tables with rich (:func:`rich_sections`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecast.render.kinds import Section

if TYPE_CHECKING:
    from rich.console import RenderableType

    from forecast.kinds.network.document import NetworkDoc, NodeDoc


def _pct(p: float | None) -> str:
    if p is None:
        return "–"
    return f"{100 * p:.1f}%"


def _band(v: list[float]) -> str:
    return f"{_pct(v[0])} – {_pct(v[1])}"


def asked(net: NetworkDoc) -> str:
    """What the report is under: an intervention, conditioning, or nothing."""
    q = net["query"]
    parts = []
    if q["do"]:
        parts.append(
            "intervention do(" + ", ".join(f"{k}={v}" for k, v in q["do"].items()) + "): "
            "the nodes are set, their own causes cut (not the same as observing them)"
        )
    if q["given"]:
        parts.append(
            "conditioning on "
            + ", ".join(f"{k}={v}" for k, v in q["given"].items())
            + ": as if they were observed"
        )
    return "; ".join(parts) or "no conditions: every node's forecast from the tables"


def _mark(n: NodeDoc) -> str:
    if n["set"] is not None:
        return f"set: do({n['set']})"
    if n["given"] is not None:
        return f"given {n['given']}"
    if n["observed"] is not None:
        source = n.get("observed_from")
        return f"observed {n['observed']}" + (f" ({source})" if source else "")
    return "question" if n["question"] else ""


def graph_section(net: NetworkDoc) -> Section:
    """The graph in text, one line a node, each after its parents."""
    order = _order(net)
    rows = []
    for n in order:
        parents = ", ".join(n["parents"])
        rows.append((f"{parents} -> {n['id']}" if parents else n["id"], _mark(n)))
    from forecast.kinds.network.svg import graph_svg

    return Section(
        "Graph (parents -> node)", ("node", "kind"), tuple(rows), (), figure=graph_svg(net)
    )


def _order(net: NetworkDoc) -> list[NodeDoc]:
    done: set[str] = set()
    out: list[NodeDoc] = []
    nodes = list(net["nodes"])
    while len(out) < len(nodes):
        for n in nodes:
            if n["id"] not in done and all(p in done for p in n["parents"]):
                out.append(n)
                done.add(n["id"])
                break
    return out


def marginals_section(net: NetworkDoc) -> Section:
    """Every node's probability of each state with its 80% and 95% intervals."""
    rows = []
    for n in _order(net):
        for m in n["marginal"]:
            if n["states"] == ["yes", "no"] and m["state"] == "no":
                continue
            label = n["id"] if n["states"] == ["yes", "no"] else f"{n['id']} = {m['state']}"
            rows.append(
                (
                    label,
                    _pct(m["probability"]),
                    _band(m["intervals"]["80"]),
                    _band(m["intervals"]["95"]),
                    _mark(n),
                )
            )
    before: tuple[str, ...] = (f"Asked: {asked(net)}.",)
    if net["evidence"]:
        before += ("Evidence: " + ", ".join(f"{k}={v}" for k, v in net["evidence"].items()) + ".",)
    return Section(
        "Marginals (P of yes, or of each state)",
        ("node", "P", "80% interval", "95% interval", ""),
        tuple(rows),
        (1, 2, 3),
        before,
    )


def coherence_section(net: NetworkDoc) -> Section:
    """Each linked question's own forecast, the network's, and the gap."""
    c = net["coherence"]
    rows = tuple(
        (
            g["node"],
            _pct(g["own"]),
            _band(g["own_interval80"]),
            _pct(g["network"]),
            _band(g["network_interval80"]),
            f"{100 * g['gap']:+.1f} pp",
            "⚠ larger than both intervals" if g["flagged"] else "",
        )
        for g in c["gaps"]
    )
    after = tuple(f"{k}: not compared ({v})" for k, v in c["skipped"].items())
    rec = c["reconciliation"]["probabilities"]
    if rec:
        after += (
            "Reconciled (each question's own forecast taken as evidence on its node, "
            "Jeffrey's rule): " + ", ".join(f"{k} {_pct(v)}" for k, v in rec.items()) + ".",
        )
    return Section(
        "Coherence: own forecast against the network's",
        ("question", "own", "own 80%", "network", "network 80%", "gap", ""),
        rows,
        (1, 2, 3, 4, 5),
        (),
        after,
    )


def tornado_section(net: NetworkDoc, top: int = 10) -> Section:
    """The cells that move the target most, across each cell's 80% range."""
    rows = tuple(
        (
            b["cell"],
            _band(b["range80"]),
            f"{_pct(b['target_at'][0])} → {_pct(b['target_at'][1])}",
            f"{100 * b['swing']:.1f} pp",
        )
        for b in net["tornado"][:top]
    )
    return Section(
        f"Cells that move {net['target']} most (each across its 80% range)",
        ("cell", "80% range", f"P({net['target']})", "swing"),
        rows,
        (1, 2, 3),
    )


def conditionals_section(net: NetworkDoc) -> Section:
    """The target's probability if each other node were known to be in a state."""
    target = net["target"]
    node = next(n for n in net["nodes"] if n["id"] == target)
    key = f"{target}={node['states'][0]}"
    now = node["marginal"][0]["probability"]
    rows = tuple(
        (
            f"{c['given']['node']} = {c['given']['state']}",
            _pct(c["probabilities"][key]),
            f"{100 * (c['probabilities'][key] - now):+.1f} pp",
        )
        for c in net["conditionals"]
        if c["given"]["node"] != target
        and key in c["probabilities"]
        and abs(c["probabilities"][key] - now) > 5e-5
    )
    after = () if rows else ("No other node's state would move it.",)
    return Section(f"{key} if one node were known", ("known", "P", "move"), rows, (1, 2), (), after)


def sections(net: NetworkDoc) -> list[Section]:
    """Every section of a network report, in order."""
    out = [graph_section(net), marginals_section(net)]
    if net["coherence"]["gaps"] or net["coherence"]["skipped"]:
        out.append(coherence_section(net))
    out += [tornado_section(net), conditionals_section(net)]
    inf = net["inference"]
    out.append(
        Section(
            "Inference",
            before=(
                f"{inf['method']}: {inf.get('description', '')}; {inf['draws']} draws of the "
                f"cells, Pareto k {inf['pareto_k']:.2f}, effective size {inf['ess']:.0f}, "
                f"seed {inf['seed']}; the discrete nodes enumerated exactly.",
                *net["notes"],
            ),
        )
    )
    return out


def rich_sections(net: NetworkDoc, width: int) -> list[RenderableType]:
    """The sections as rich tables for the terminal."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = []
    for s in sections(net):
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
