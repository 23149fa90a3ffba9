"""The ``show`` view: each judgement, its fit and what it implies (no sampling)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from forecast.elicit.distributions import Fitted, implications
from forecast.questions.loader import LoadedQuestion
from forecast.render import fmt
from forecast.render.layout import Fit
from forecast.render.rows import FORMS as _FORMS

if TYPE_CHECKING:
    from forecast.elicit.distributions import Distribution
    from forecast.questions.base import QuestionMeta
    from forecast.questions.experts import Expert


class _Shown(Protocol):
    """A judgement beyond the experts' (evidence, an odds ratio): its id and fit."""

    @property
    def id(self) -> str: ...
    @property
    def fitted(self) -> Fitted: ...
    @property
    def applied(self) -> bool: ...


@runtime_checkable
class Fits(Protocol):
    """What ``show`` displays of most kinds: the experts' fits, their pool, and the
    other judgements (evidence, odds ratios, ...)."""

    @property
    def experts(self) -> Sequence[Fitted]: ...
    @property
    def prior(self) -> Distribution | None: ...
    @property
    def evidence(self) -> Sequence[_Shown]: ...


@runtime_checkable
class OwnView(Protocol):
    """The fits of a kind that shows them itself, in every format."""

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]: ...
    def markdown(self) -> str: ...
    def to_dict(self) -> dict[str, object]: ...


def _experts(spec: object) -> Sequence[Expert]:
    """The experts a specification lists (none for a hazard question's)."""
    experts: Sequence[Expert] = getattr(spec, "experts", ())
    return experts


@dataclass(frozen=True)
class JudgementsView:
    """Fitted judgements of one question, ready to render."""

    question: LoadedQuestion
    inputs: Fits | OwnView

    @classmethod
    def of(cls, q: LoadedQuestion) -> JudgementsView:
        """Fit every judgement of ``q``."""
        from forecast import kinds
        from forecast.elicit.fit import located

        with located(q):
            inputs = kinds.of(q.spec).judgements(q)
        if isinstance(inputs, OwnView | Fits):
            return cls(q, inputs)
        raise TypeError(f"{q.spec.kind}: show cannot display {type(inputs).__name__}")

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterable[RenderableType]:
        spec = self.question.spec
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
        inputs = self.inputs
        if isinstance(inputs, OwnView):  # a kind that shows its own fits
            yield inputs
            return
        t = Table(title="Judgements and their fits", title_justify="left", show_edge=False)
        for col in ("expert", "weight", "judgement", "fit", "method", "fit error"):
            # a fit, a method and a number are never cut; names and forms wrap at spaces
            whole = col in ("weight", "fit", "method", "fit error")
            t.add_column(col, justify="right" if col == "weight" else "left", no_wrap=whole)
        for e, f, w in zip(_experts(spec), inputs.experts, weights(spec), strict=True):
            t.add_row(
                e.name,
                f"{w:.2f}",
                _FORMS[e.judgement.form],
                f.describe(),
                f.method,
                Text(fmt.fit_error(f.fit_error), style="yellow" if f.fit_error > 0.01 else ""),
            )
        yield Fit(t)
        for e, f in zip(_experts(spec), inputs.experts, strict=True):
            yield _implies(e.name, f)
        pooled = _pooled(spec, inputs.prior)
        if pooled:
            yield Text(f"\n{pooled}", style="bold")
        weighting = self.question.weighting
        for line in fmt.weighting(weighting):
            yield Text(line, style="dim")
        base = _base_rate(spec)
        if base:
            yield Text(base)
        if inputs.evidence:
            title = getattr(inputs, "positives_title", "\nEvidence likelihood ratios")
            ev = Table(title=title, title_justify="left", show_edge=False)
            for col in ("id", "fit", "median", "90% interval", "applied"):
                ev.add_column(col, no_wrap=col != "applied")
            for row in _positive_rows(inputs.evidence):
                ev.add_row(*row)
            yield Fit(ev)

    def markdown(self) -> str:
        """The same view as markdown."""
        spec = self.question.spec
        inputs = self.inputs
        if isinstance(inputs, OwnView):  # a kind that shows its own fits
            from forecast.render.safe import md as _md

            return f"## {_md(spec.title)}\n\n" + inputs.markdown()
        from forecast.render.safe import md

        lines = [
            f"## {md(spec.title)}",
            "",
            "| expert | weight | judgement | fit | mean | 90% interval | P(p > 50%) | fit error |",
            "|---|---:|---|---|---:|---:|---:|---:|",
        ]
        for e, f, w in zip(_experts(spec), inputs.experts, weights(spec), strict=True):
            imp = implications(f)
            lines.append(
                f"| {md(e.name)} | {w:.2f} | {_FORMS[e.judgement.form]} | {f.describe()} | "
                f"{fmt.pct(imp['mean'])} | {fmt.interval(imp['lo90'], imp['hi90'])} | "
                f"{fmt.pct(imp['p_above'])} | {fmt.fit_error(f.fit_error)} |"
            )
        pooled = _pooled(spec, inputs.prior)
        if pooled:
            lines += ["", pooled]
        weighting = self.question.weighting
        earned = fmt.weighting(weighting)
        if earned:
            lines += ["", md(earned[0]), "", *(f"- {md(line.strip())}" for line in earned[1:])]
        base = _base_rate(spec)
        if base:
            lines += ["", md(base)]
        if inputs.evidence:
            lines += [
                "",
                "| judgement | fit | median | 90% interval | applied |",
                "|---|---|---:|---:|---|",
                *(
                    "| " + " | ".join(md(c) for c in row) + " |"
                    for row in _positive_rows(inputs.evidence)
                ),
            ]
        return "\n".join(lines) + "\n"


def _pooled(spec: QuestionMeta, prior: Distribution | None) -> str | None:
    """The pooled prior in one line (None without experts)."""
    experts = _experts(spec)
    if not experts or prior is None:
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
        f"Pooled ({how}, {len(experts)} experts){per}: mean {fmt.pct(imp['mean'])}, "
        f"median {fmt.pct(imp['median'])}, 90% {fmt.interval(imp['lo90'], imp['hi90'])}, "
        f"P(p > 50%) = {fmt.pct(imp['p_above'])}"
    )


def _base_rate(spec: QuestionMeta) -> str | None:
    """The base rate in one line (None without one)."""
    br = getattr(spec, "base_rate", None)
    if not br:
        return None
    return (
        f"Base rate: {br.successes} of {br.trials} ({br.reference_class.strip()}); "
        f"weight {br.weight:g}, so it counts as {br.weight * br.trials:g} cases"
    )


def _positive_rows(items: Sequence[_Shown]) -> list[tuple[str, str, str, str, str]]:
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


def weights(spec: QuestionMeta) -> list[float]:
    """The experts' pool weights, normalised: as given, 1 each when none is given."""
    from forecast.questions.experts import given_weights

    given = given_weights([e.weight for e in _experts(spec)])  # none for a hazard question
    return [w / sum(given) for w in given]


def judgements_dict(view: JudgementsView) -> dict[str, object]:
    """The ``show --format json`` object."""
    spec = view.question.spec
    inputs = view.inputs
    if isinstance(inputs, OwnView):  # a kind that shows its own fits
        return {
            "schema": "forecast.show/1",
            "question": {"id": view.question.id, "title": spec.title, "kind": spec.kind},
            **inputs.to_dict(),
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
            for e, f, w in zip(_experts(spec), inputs.experts, weights(spec), strict=True)
        ],
        "weighting": view.question.weighting.to_dict() if view.question.weighting else None,
        "pooled": implications(inputs.prior)
        if _experts(spec) and inputs.prior is not None
        else None,
        "evidence": [
            {"id": e.id, "applied": e.applied, "fit": e.fitted.to_dict()}
            for e in inputs.evidence
            if getattr(e, "what", "likelihood ratio") == "likelihood ratio"
        ],
        "positive_judgements": [
            {
                "id": e.id,
                "what": getattr(e, "what", "likelihood ratio"),
                "applied": e.applied,
                "fit": e.fitted.to_dict(),
            }
            for e in inputs.evidence
        ],
    }
