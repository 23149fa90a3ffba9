"""The ``show`` view: each judgement, its fit and what it implies (no sampling)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from forecast.elicit.distributions import Fitted, implications
from forecast.questions.loader import LoadedQuestion
from forecast.render import fmt
from forecast.render.layout import Fit
from forecast.render.rows import FORMS as _FORMS


@dataclass(frozen=True)
class JudgementsView:
    """Fitted judgements of one question, ready to render."""

    question: LoadedQuestion
    inputs: Any

    @classmethod
    def of(cls, q: LoadedQuestion) -> JudgementsView:
        """Fit every judgement of ``q``."""
        from forecast import kinds
        from forecast.elicit.fit import located

        with located(q):
            return cls(q, kinds.of(q.spec).judgements(q))

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        spec: Any = self.question.spec
        yield Panel(
            Text.assemble(
                (spec.title, "bold"),
                (
                    f"\n{self.question.id} · {spec.kind} · "
                    f"deadline {spec.deadline.isoformat()} · {spec.status}",
                    "dim",
                ),
            )
        )
        if hasattr(self.inputs, "__rich_console__"):  # a kind that shows its own fits
            yield self.inputs
            return
        t = Table(title="Judgements and their fits", title_justify="left", show_edge=False)
        for col in ("expert", "weight", "judgement", "fit", "method", "fit error"):
            # a fit, a method and a number are never cut; names and forms wrap at spaces
            whole = col in ("weight", "fit", "method", "fit error")
            t.add_column(col, justify="right" if col == "weight" else "left", no_wrap=whole)
        for e, f, w in zip(spec.experts, self.inputs.experts, weights(spec), strict=True):
            t.add_row(
                e.name,
                f"{w:.2f}",
                _FORMS[e.judgement.form],
                f.describe(),
                f.method,
                Text(fmt.fit_error(f.fit_error), style="yellow" if f.fit_error > 0.01 else ""),
            )
        yield Fit(t)
        for e, f in zip(spec.experts, self.inputs.experts, strict=True):
            yield _implies(e.name, f)
        pooled = _pooled(spec, self.inputs.prior)
        if pooled:
            yield Text(f"\n{pooled}", style="bold")
        weighting = self.question.weighting
        for line in fmt.weighting(weighting):
            yield Text(line, style="dim")
        base = _base_rate(spec)
        if base:
            yield Text(base)
        if self.inputs.evidence:
            title = getattr(self.inputs, "positives_title", "\nEvidence likelihood ratios")
            ev = Table(title=title, title_justify="left", show_edge=False)
            for col in ("id", "fit", "median", "90% interval", "applied"):
                ev.add_column(col, no_wrap=col != "applied")
            for row in _positive_rows(self.inputs.evidence):
                ev.add_row(*row)
            yield Fit(ev)

    def markdown(self) -> str:
        """The same view as markdown."""
        spec: Any = self.question.spec
        if hasattr(self.inputs, "markdown"):  # a kind that shows its own fits
            from forecast.render.safe import md as _md

            return f"## {_md(spec.title)}\n\n" + self.inputs.markdown()
        from forecast.render.safe import md

        lines = [
            f"## {md(spec.title)}",
            "",
            "| expert | weight | judgement | fit | mean | 90% interval | P(p > 50%) | fit error |",
            "|---|---:|---|---|---:|---:|---:|---:|",
        ]
        for e, f, w in zip(spec.experts, self.inputs.experts, weights(spec), strict=True):
            imp = implications(f)
            lines.append(
                f"| {md(e.name)} | {w:.2f} | {_FORMS[e.judgement.form]} | {f.describe()} | "
                f"{fmt.pct(imp['mean'])} | {fmt.interval(imp['lo90'], imp['hi90'])} | "
                f"{fmt.pct(imp['p_above'])} | {fmt.fit_error(f.fit_error)} |"
            )
        pooled = _pooled(spec, self.inputs.prior)
        if pooled:
            lines += ["", pooled]
        weighting = self.question.weighting
        earned = fmt.weighting(weighting)
        if earned:
            lines += ["", md(earned[0]), "", *(f"- {md(line.strip())}" for line in earned[1:])]
        base = _base_rate(spec)
        if base:
            lines += ["", md(base)]
        if self.inputs.evidence:
            lines += [
                "",
                "| judgement | fit | median | 90% interval | applied |",
                "|---|---|---:|---:|---|",
                *(
                    "| " + " | ".join(md(c) for c in row) + " |"
                    for row in _positive_rows(self.inputs.evidence)
                ),
            ]
        return "\n".join(lines) + "\n"


def _pooled(spec: Any, prior: Any) -> str | None:
    """The pooled prior in one line (None without experts)."""
    if not spec.experts:
        return None
    imp = implications(prior)
    pool = getattr(spec, "pool", None)
    how = pool.method if pool is not None else "linear"
    per = {"time-to-event": ", at one opportunity", "drivers": ", every driver off"}.get(
        spec.kind, ""
    )
    if pool is not None and pool.extremize != 1.0:
        how += f", extremized d = {pool.extremize:g}"
    return (
        f"Pooled ({how}, {len(spec.experts)} experts){per}: mean {fmt.pct(imp['mean'])}, "
        f"median {fmt.pct(imp['median'])}, 90% {fmt.interval(imp['lo90'], imp['hi90'])}, "
        f"P(p > 50%) = {fmt.pct(imp['p_above'])}"
    )


def _base_rate(spec: Any) -> str | None:
    """The base rate in one line (None without one)."""
    br = getattr(spec, "base_rate", None)
    if not br:
        return None
    return (
        f"Base rate: {br.successes} of {br.trials} ({br.reference_class.strip()}); "
        f"weight {br.weight:g}, so it counts as {br.weight * br.trials:g} cases"
    )


def _positive_rows(items: Any) -> list[tuple[str, str, str, str, str]]:
    """Each positive-quantity judgement (evidence, odds ratios, ...) as table cells."""
    return [
        (
            getattr(e, "label", e.id),
            e.fitted.describe(),
            f"{float(e.fitted.ppf(0.5)):.3g}",
            f"{float(e.fitted.ppf(0.05)):.3g} – {float(e.fitted.ppf(0.95)):.3g}",
            "yes" if e.applied else "no: already in the judgements",
        )
        for e in items
    ]


def _implies(name: str, f: Fitted) -> Text:
    imp = implications(f)
    t = Text(f"  {name}: ", style="bold")
    t.append(
        f"you are saying the probability is {fmt.pct(imp['median'])} (median), "
        f"90% sure it lies in {fmt.interval(imp['lo90'], imp['hi90'])}, and "
        f"P(p > 50%) = {fmt.pct(imp['p_above'])}."
    )
    for c in f.checks:
        if c.statement != "mean":
            t.append(
                f"\n      you said {c.statement} = {c.elicited:g}; the fit gives {c.fitted:.3f}",
                style="dim",
            )
    return t


def weights(spec: Any) -> list[float]:
    """The experts' pool weights, normalised: as given, 1 each when none is given."""
    from forecast.questions.experts import given_weights

    given = given_weights([e.weight for e in spec.experts])  # none for a hazard question
    return [w / sum(given) for w in given]


def judgements_dict(view: JudgementsView) -> dict[str, Any]:
    """The ``show --format json`` object."""
    spec: Any = view.question.spec
    if hasattr(view.inputs, "to_dict"):  # a kind that shows its own fits
        return {
            "schema": "forecast.show/1",
            "question": {"id": view.question.id, "title": spec.title, "kind": spec.kind},
            **view.inputs.to_dict(),
        }
    return {
        "schema": "forecast.show/1",
        "question": {"id": view.question.id, "title": spec.title, "kind": spec.kind},
        "experts": [
            {
                "name": e.name,
                "form": e.judgement.form,
                "weight": w,
                "fit": f.to_dict(),
                "implies": implications(f),
            }
            for e, f, w in zip(spec.experts, view.inputs.experts, weights(spec), strict=True)
        ],
        "weighting": view.question.weighting.to_dict() if view.question.weighting else None,
        "pooled": implications(view.inputs.prior) if spec.experts else None,
        "evidence": [
            {"id": e.id, "applied": e.applied, "fit": e.fitted.to_dict()}
            for e in view.inputs.evidence
            if getattr(e, "what", "likelihood ratio") == "likelihood ratio"
        ],
        "positive_judgements": [
            {
                "id": e.id,
                "what": getattr(e, "what", "likelihood ratio"),
                "applied": e.applied,
                "fit": e.fitted.to_dict(),
            }
            for e in view.inputs.evidence
        ],
    }
