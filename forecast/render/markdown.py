"""A forecast as GitHub-flavoured markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecast import sensitivity as sens
from forecast.render import fmt, rows
from forecast.render.rows import Rows
from forecast.render.safe import code, md, table
from forecast.results import Forecast, Interval

if TYPE_CHECKING:
    from forecast.render.kinds import Section


def _headline_lines(f: Forecast, i80: Interval, i95: Interval) -> list[str]:
    """The intervals of the propensity and the prior, or the rows the kind gives instead."""
    from forecast import kinds

    own = kinds.get(f.kind).headline(f)
    if own is not None:
        return [*(f"- {md(a)}: {md(b)}" for a, b in own[0]), f"- {md(own[1])}"]
    return [
        f"- 80% interval of the propensity: {fmt.interval(i80.lo, i80.hi)}",
        f"- 95% interval of the propensity: {fmt.interval(i95.lo, i95.hi)}",
        f"- {_prior_label(f)}: {fmt.pct(f.prior_probability)} "
        f"(95% {fmt.interval(f.prior_interval.lo, f.prior_interval.hi)})",
    ]


def render(f: Forecast) -> str:
    """The markdown report of one forecast."""
    i80, i95 = f.interval(0.8), f.interval(0.95)
    lines = [
        f"## {md(f.title)}",
        "",
        f"{code(f.question_id)} · {f.kind} · deadline {f.deadline.isoformat()} · {f.status}"
        f" · {fmt.facts(f.facts_as_of)}",
        "",
        f"**Forecast{_under(f)}: {fmt.pct(f.probability)}** (odds {fmt.odds(f.probability)}, "
        f"{f.diagnostics.error_note(f.mcse)})",
        "",
        *_headline_lines(f, i80, i95),
        "",
        "### What moved it",
        "",
        *rows_markdown(rows.moves(f)),
    ]
    from forecast.render.kinds import sections

    lines.append("")
    for section in sections(f):
        lines += section_markdown(section)
    lines += [
        "",
        "### Experts",
        "",
        *rows_markdown(
            rows.experts(f).only("expert", "weight", "fit", "mean", "90% interval", "fit error")
        ),
    ]
    earned = fmt.weighting(f.weighting)
    if earned:
        lines += [
            "",
            *(
                md(line.strip()) if i == 0 else "- " + md(line.strip())
                for i, line in enumerate(earned)
            ),
        ]
    if f.evidence:
        lines += [
            "",
            "### Evidence (likelihood ratio P(signal | yes) / P(signal | no))",
            "",
            *rows_markdown(rows.evidence(f)),
        ]
    lines += ["", *sensitivity_markdown(f)]
    d = f.diagnostics
    lines += [
        "",
        (
            f"Diagnostics: R-hat {d.rhat_max:.3f}, bulk ESS {d.ess_bulk_min:.0f}, tail ESS "
            f"{d.ess_tail_min:.0f}, {d.divergences} divergences"
            if d.method == "nuts"
            else f"Diagnostics: {d.summary()}"
        )
        + ("" if d.ok else " — " + "; ".join(md(w) for w in d.warnings)),
        "",
        f"Provenance: {code(f.provenance.file)} sha256 `{f.provenance.sha256[:12]}`, forecast "
        f"{md(f.provenance.version)}, seed {f.provenance.seed}, {md(f.provenance.sampler)}",
        "",
        fmt.GLOSSARY,
        "",
    ]
    return "\n".join(lines)


def rows_markdown(r: Rows) -> list[str]:
    """A report table as markdown lines (every cell escaped; a cell's short text where
    it has one, as a markdown table keeps to the input's own name)."""
    cells = [[c.text if c.short is None else c.short for c in row] for row in r.rows]
    return table(r.head, cells, r.numeric)


def section_markdown(s: Section) -> list[str]:
    """A report section as markdown lines: its title, text and table."""
    lines = [f"### {md(s.title)}", ""]
    if s.before:
        lines += [*(md(x) for x in s.before), ""]
    if s.head:
        lines += [*table(s.head, s.rows, s.numeric), ""]
    if s.after:
        lines += [*(md(x) for x in s.after), ""]
    return lines


def _prior_label(f: Forecast) -> str:
    """``Experts' prior`` or ``Before the data (the experts' prior (17.8%) with ...)``."""
    label, note = fmt.prior_row(f)
    head = label.removesuffix(" → forecast")
    return f"{head} ({note})" if note else head


def _under(f: Forecast) -> str:
    """`` under scenario NAME (levels)`` for a forecast under a named scenario."""
    under = fmt.scenario(f)
    return f" under scenario {md(under)}" if under else ""


def sensitivity_markdown(f: Forecast) -> list[str]:
    """The sensitivity section as markdown lines (none when the run computed none)."""
    s = sens.of(f)
    table = sens.table(f)
    if table is None:
        return []
    lines = ["### Sensitivity: how far the forecast moves", ""]
    if s is not None:
        warn = s.prior_driven or s.conflict or not s.has_data
        lines += [("> ⚠ " if warn else "") + md(s.verdict), ""]
    if table.rows:
        lines += ["| if | what | forecast | change | note |", "|---|---|---:|---:|---|"]
        for r in table.rows:
            used = r.note == "the pool used"
            label = md(r.label) + (" **(used)**" if used else "")
            change = "" if used else fmt.pp(r.delta)
            note = "" if used else md(r.note)
            lines.append(f"| {label} | {md(r.kind)} | {fmt.pct(r.forecast)} | {change} | {note} |")
        lines.append("")
    if s is not None and s.quantities:
        lines += [
            f"| power-scaling (ArviZ psense) | prior | {md(s.data_label)} | diagnosis |",
            "|---|---:|---:|---|",
        ]
        for x in s.quantities:
            lines.append(
                f"| {md(x.label)} | {x.prior:.3f} | {x.likelihood:.3f} "
                f"| {md(x.diagnosis) if x.diagnosis else '✓'} |"
            )
        lines.append("")
    return lines


__all__ = ["md", "render", "sensitivity_markdown"]
