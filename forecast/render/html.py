"""The report files of ``forecast report``: one self-contained HTML page per question, or
markdown with its PNG plots beside it.

The HTML page carries everything inline (CSS, plots as base64 PNG), loads nothing from
elsewhere, and escapes every piece of text that came from a priors file.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from urllib.parse import quote

from forecast import sensitivity as sens
from forecast.render import fmt, rows
from forecast.render.markdown import md as _md
from forecast.render.markdown import render as markdown_body
from forecast.render.plots import Plot
from forecast.render.rows import Cell, Rows
from forecast.results import Forecast

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;
max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #dde2e6;padding-bottom:.2rem}
.meta,.dim{color:#5b6670;font-size:.9rem}
.headline{font-size:2.2rem;font-weight:700;color:#1f7a4a;margin:.6rem 0 .2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
th,td{padding:.25rem .7rem;border-bottom:1px solid #e6e9ec;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.section td{border-top:2px solid #c9d0d6}
.up{color:#1f7a4a}.down{color:#b0362d}
.warn{background:#fff6dc;border-left:4px solid #e0a800;padding:.5rem .8rem;margin:.6rem 0}
.ok{background:#e9f6ee;border-left:4px solid #2a9d5c;padding:.5rem .8rem;margin:.6rem 0}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{color:#5b6670;font-size:.85rem}
code{font-size:.85rem}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cls(delta: float) -> str:
    return "up" if delta > 0 else "down" if delta < 0 else ""


_CLASSES = {"up": "up", "down": "down", "dim": "dim"}
"""The class of each tone of a cell (a warning or emphasis is not marked in a cell)."""


def _cell(c: Cell) -> str:
    """A cell escaped, in a span of its tone's class when it has one."""
    cls = _CLASSES.get(c.tone)
    return f'<span class="{cls}">{_e(c.text)}</span>' if cls else _e(c.text)


def rows_table(r: Rows) -> str:
    """A report table as HTML."""
    return _table([_e(h) for h in r.head], [[_cell(c) for c in row] for row in r.rows], r.numeric)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int]) -> str:
    """An HTML table; cells are already escaped."""
    th = "".join(
        f'<th class="n">{h}</th>' if i in numeric else f"<th>{h}</th>" for i, h in enumerate(head)
    )
    body = []
    for row in rows:
        cls = ""
        if row and row[0].startswith("\x00"):  # a section break before this row
            cls, row = ' class="section"', [row[0][1:], *row[1:]]
        tds = "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _kinds(f: Forecast) -> str:
    """The time-to-event and drivers sections (median time, P(by date), scenarios, swings)."""
    from forecast.render.kinds import sections

    out = []
    for s in sections(f):
        out.append(f"<h2>{_e(s.title)}</h2>")
        if s.figure:
            out.append(f"<figure>{s.figure}</figure>")
        out += [f"<p>{_e(x)}</p>" for x in s.before]
        if s.head:
            rows = [[_e(c) for c in row] for row in s.rows]
            out.append(_table([_e(h) for h in s.head], rows, s.numeric))
        out += [f'<p class="dim">{_e(x)}</p>' for x in s.after]
    return "\n".join(out)


def _how(f: Forecast) -> str:
    """How this forecast's sensitivity rows were computed, as its method computed them."""
    d = f.diagnostics
    on_grid = d.method == "exact" and d.enumerated is None
    how = (
        "power-scaling changes are computed exactly on the forecast's quadrature grid "
        "(its weights raised to the power, no draws)"
        if on_grid
        else "power-scaling changes are estimated by reweighting the posterior draws "
        "(Pareto-smoothed importance sampling)"
    )
    if f.pools is None:
        return how
    return (
        f"{how}; the pool and drop-one rows are the forecast with the experts pooled the "
        "other way or with one of them left out"
    )


def _sensitivity(f: Forecast) -> str:
    s = sens.of(f)
    table = sens.table(f)
    if table is None:
        return ""
    out = ["<h2>Sensitivity: how far the forecast moves</h2>"]
    if s is not None:
        warn = s.prior_driven or s.conflict or not s.has_data
        out.append(f'<div class="{"warn" if warn else "ok"}">{_e(s.verdict)}</div>')
    rows = []
    kind = None
    for r in table.rows:
        used = r.note == "the pool used"
        label = _e(r.label) + (" <strong>(used)</strong>" if used else "")
        if kind is not None and r.kind != kind:
            label = "\x00" + label
        kind = r.kind
        note = "" if used else "⚠ " + r.note if r.note == "influential expert" else r.note
        rows.append(
            [
                label,
                _e(r.kind),
                _e(fmt.pct(r.forecast)),
                "" if used else f'<span class="{_cls(r.delta)}">{_e(fmt.pp(r.delta))}</span>',
                _e(note),
            ]
        )
    if rows:
        out.append(_table(["if", "what", "forecast", "change", "note"], rows, [2, 3]))
    if s is not None and s.quantities:
        q_rows = [
            [
                _e(x.label),
                f"{x.prior:.3f}",
                f"{x.likelihood:.3f}",
                _e(x.diagnosis or "✓"),
            ]
            for x in s.quantities
        ]
        out.append(
            _table(
                ["power-scaling (ArviZ psense)", "prior", _e(s.data_label), "diagnosis"],
                q_rows,
                [1, 2],
            )
        )
        out.append(
            f'<p class="dim">Sensitivity above {s.threshold:g} means that input shapes the '
            f"quantity. Every change is measured from the headline forecast; {_how(f)}.</p>"
        )
    return "\n".join(out)


def _experts(f: Forecast) -> str:
    if not f.experts:
        return ""
    earned = fmt.weighting(f.weighting)
    notes = "".join(f'<p class="dim">{_e(line.strip())}</p>' for line in earned)
    return "<h2>Experts</h2>" + rows_table(rows.experts(f)) + notes


def _evidence(f: Forecast) -> str:
    if not f.evidence:
        return ""
    return "<h2>Evidence</h2>" + rows_table(rows.evidence(f))


def _diagnostics(f: Forecast) -> str:
    d = f.diagnostics
    line = d.summary()
    if d.ok:
        good = "converged" if d.method == "nuts" else "ok"
        return f'<h2>Diagnostics</h2><div class="ok">✓ {good}: {_e(line)}</div>'
    items = "".join(f"<li>{_e(w)}</li>" for w in d.warnings)
    return (
        f'<h2>Diagnostics</h2><div class="warn"><strong>⚠ Sampling did not fully converge: '
        f"do not trust these numbers yet.</strong><br>{_e(line)}<ul>{items}</ul></div>"
    )


def _plots(plots: Sequence[Plot]) -> str:
    if not plots:
        return ""
    figs = []
    for p in plots:
        data = base64.b64encode(p.png).decode("ascii")
        figs.append(
            f'<figure id="plot-{_e(p.name)}"><img alt="{_e(p.title)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{_e(p.title)}</figcaption></figure>'
        )
    return "<h2>Plots</h2>" + "\n".join(figs)


def _scenario(f: Forecast) -> str:
    under = fmt.scenario(f)
    return f'<p class="scenario">Under scenario <strong>{_e(under)}</strong></p>' if under else ""


def _calibration(link: str | None) -> str:
    if not link:
        return ""
    return (
        "<h2>Calibration</h2><p>How well calibrated the ledger's forecasts have been over "
        f'its resolved questions: <a href="{_e(link)}">{_e(link)}</a> (one plot beside '
        "the reports, for all of them).</p>"
    )


def _sentence(text: str) -> str:
    """``text`` with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def page(f: Forecast, plots: Sequence[Plot] = (), calibration: str | None = None) -> str:
    """The report of one forecast as a self-contained HTML page."""
    p = f.provenance
    _, prior_note = fmt.prior_row(f)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(f.title)} — forecast</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(f.title)}</h1>",
        f'<p class="meta"><code>{_e(f.question_id)}</code> · {_e(f.kind)} · deadline '
        f"{_e(f.deadline.isoformat())} · {_e(f.status)} · {_e(fmt.facts(f.facts_as_of))}</p>",
        f'<p class="dim">Resolves: {_e(f.resolution)}</p>',
        _scenario(f),
        f'<p class="headline">{_e(fmt.pct(f.probability))}</p>',
        f"<p>odds {_e(fmt.odds(f.probability))} · {_e(f.diagnostics.error_note(f.mcse))}</p>",
        rows_table(rows.headline(f)),
        f'<p class="dim">Before the data: {_e(prior_note)}.</p>' if prior_note else "",
        f'<p class="dim">{_e(_sentence(rows.headline_note(f)))}.</p>',
    ]
    if not f.diagnostics.ok:
        parts.append(
            '<div class="warn"><strong>⚠ Sampling diagnostics are not all good</strong> — '
            "see Diagnostics below for what to try.</div>"
        )
    parts += [
        "<h2>What moved it (applied in this order)</h2>",
        rows_table(rows.moves(f)),
        _kinds(f),
        _sensitivity(f),
        _experts(f),
        _evidence(f),
        _plots(plots),
        _calibration(calibration),
        _diagnostics(f),
        f'<p class="dim">Provenance: {_e(p.file)} sha256:{_e(p.sha256[:12])} · forecast '
        f"{_e(p.version)} · seed {p.seed} · {_e(p.settings)} · pymc {_e(p.pymc)} · "
        f"{_e(p.created)}</p>",
        f'<p class="dim">{_e(fmt.GLOSSARY)}</p>',
        "</body></html>",
    ]
    return "\n".join(x for x in parts if x) + "\n"


def markdown_page(
    f: Forecast, images: Sequence[tuple[Plot, str]] = (), calibration: str | None = None
) -> str:
    """The markdown report: the run's markdown (sensitivity included), warnings, plots."""
    lines = [markdown_body(f).rstrip(), ""]
    d = f.diagnostics
    if not d.ok:
        lines += ["### ⚠ Sampling diagnostics are not all good", ""]
        lines += [f"- {_md(w)}" for w in d.warnings] + [""]
    if images:
        lines += ["### Plots", ""]
        for plot, path in images:
            # The path is the report's own; quoted so that no character of it ends the link.
            lines += [f"![{_md(plot.title)}]({quote(path)})", ""]
    if calibration:
        lines += [
            "### Calibration",
            "",
            "How well calibrated the ledger's forecasts have been over its resolved "
            f"questions: [{_md(calibration)}]({quote(calibration)}) (one plot beside the "
            "reports, for all of them).",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
