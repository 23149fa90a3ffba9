"""A forecast as GitHub-flavoured markdown."""

from __future__ import annotations

from forecast.render import fmt
from forecast.results import Forecast


def render(f: Forecast) -> str:
    """The markdown report of one forecast."""
    i80, i95 = f.interval(0.8), f.interval(0.95)
    lines = [
        f"## {f.title}",
        "",
        f"`{f.question_id}` · {f.kind} · deadline {f.deadline.isoformat()} · {f.status}",
        "",
        f"**Forecast: {fmt.pct(f.probability)}** (odds {fmt.odds(f.probability)}, "
        f"Monte Carlo error ±{fmt.pct(f.mcse)})",
        "",
        f"- 80% interval of the propensity: {fmt.interval(i80.lo, i80.hi)}",
        f"- 95% interval of the propensity: {fmt.interval(i95.lo, i95.hi)}",
        f"- Prior (experts pooled): {fmt.pct(f.prior_probability)} "
        f"(95% {fmt.interval(f.prior_interval.lo, f.prior_interval.hi)})",
        "",
        "### What moved it",
        "",
        "| input | change | forecast |",
        "|---|---:|---:|",
    ]
    for s in f.steps:
        change = "" if s.kind == "experts" else fmt.pp(s.delta)
        lines.append(f"| {s.label} | {change} | {fmt.pct(s.after)} |")
    for e in f.evidence:
        if not e.applied:
            lines.append(f"| evidence: {e.id} | already in the judgements | |")
    from forecast.render.curves import markdown

    lines += ["", *markdown(f)]
    lines += [
        "",
        "### Experts",
        "",
        "| expert | weight | fit | mean | 90% interval | fit error |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for x in f.experts:
        imp = x.implies
        lines.append(
            f"| {x.name} | {x.weight:.2f} | {x.fitted.describe()} | {fmt.pct(imp['mean'])}"
            f" | {fmt.interval(imp['lo90'], imp['hi90'])} | {fmt.fit_error(x.fitted.fit_error)} |"
        )
    d = f.diagnostics
    lines += [
        "",
        f"Diagnostics: R-hat {d.rhat_max:.3f}, bulk ESS {d.ess_bulk_min:.0f}, tail ESS "
        f"{d.ess_tail_min:.0f}, {d.divergences} divergences"
        + ("" if d.ok else " — " + "; ".join(d.warnings)),
        "",
        f"Provenance: `{f.provenance.file}` sha256 `{f.provenance.sha256[:12]}`, forecast "
        f"{f.provenance.version}, seed {f.provenance.seed}, {f.provenance.sampler}",
        "",
    ]
    return "\n".join(lines)
