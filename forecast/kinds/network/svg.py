"""A picture of the network for HTML reports: an SVG drawn from its nodes.

Nodes are laid out in layers (a node one layer right of its deepest parent), each a
box with its id and the probability of its first state; edges are arrows from parent
to child. Question nodes have a double border, observed, given and set nodes are
shaded. Text is escaped; nothing is loaded from elsewhere.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from forecast.kinds.network.views import NodeView

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 230, 46, 70, 22, 16


def _layers(nodes: Sequence[NodeView]) -> dict[str, int]:
    depth: dict[str, int] = {}
    while len(depth) < len(nodes):
        for n in nodes:
            if n.id not in depth and all(p in depth for p in n.parents):
                depth[n.id] = 1 + max((depth[p] for p in n.parents), default=-1)
    return depth


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def graph_svg(nodes: Sequence[NodeView]) -> str:
    """The network of ``nodes`` (each with its marginal) as an SVG document (a string)."""
    depth = _layers(nodes)
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(depth[n.id], []).append(n.id)
    at: dict[str, tuple[float, float]] = {}
    for d, ids in columns.items():
        for i, name in enumerate(ids):
            at[name] = (PAD + d * (BOX_W + GAP_X), PAD + i * (BOX_H + GAP_Y))
    width = PAD * 2 + (max(columns) + 1) * BOX_W + max(columns) * GAP_X
    height = PAD * 2 + max(len(v) for v in columns.values()) * (BOX_H + GAP_Y) - GAP_Y
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="the network\'s graph" '
        'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for n in nodes:
        x1, y1 = at[n.id]
        for p in n.parents:
            x0, y0 = at[p]
            out.append(
                f'<line x1="{x0 + BOX_W:.0f}" y1="{y0 + BOX_H / 2:.0f}" x2="{x1:.0f}" '
                f'y2="{y1 + BOX_H / 2:.0f}" stroke="#555" marker-end="url(#arrow)"/>'
            )
    for n in nodes:
        x, y = at[n.id]
        known = n.observed or n.given or n.set_to
        fill = "#e8e8e8" if known else "#ffffff"
        out.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{fill}" stroke="#333" stroke-width="{2.5 if n.question else 1}"/>'
        )
        first = n.marginal[0]
        state = "" if n.yes_no else f"{first.state}: "
        mark = f" ({'do ' if n.set_to else ''}{known})" if known else ""
        lines = (_short(n.id), f"{state}{100 * first.probability:.1f}%{mark}")
        for i, line in enumerate(lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(
                f'<text x="{x + 8:.0f}" y="{y + 18 + 16 * i:.0f}"{weight}>{escape(line)}</text>'
            )
        out.append(f"<title>{escape(n.title)}</title>")
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["graph_svg"]
