"""What ``elicit`` asks for a quantity, in the order SHELF recommends.

A new file first gets the quantity's ``unit``, its ``support`` (``positive``, ``real``
or ``bounded`` with ``bounds``) and the ``thresholds`` t of P(X > t). Each expert then
gives the plausible lower and upper limits first (taken as the 1% and 99% points, so
the range is written into the file and fitted), then the median and the quartiles, or
roulette chips in bins across the range. After every answer the judgement so far is
fitted to every family of the support (:mod:`forecast.kinds.quantity.fit`) and the
session shows the chosen fit's CDF (the chart of the quantity's report), each family's
fit error and what the fit implies; at the end the expert may take another family than
the best one, which the file then keeps as the expert's ``family``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from forecast.elicit.answers import (
    OUTSIDE_RANGE,
    POOR_FIT,
    Channel,
    Invalid,
    Judgement,
    Scale,
    ask,
)
from forecast.kinds.quantity.families import Family, Support
from forecast.kinds.quantity.report import amounts, value

if TYPE_CHECKING:
    from rich.console import RenderableType
    from ruamel.yaml.comments import CommentedMap

    from forecast.kinds.quantity.fit import JudgementFit
    from forecast.kinds.quantity.spec import QuantityQuestion

SUPPORTS = {"positive": "positive", "real": "real", "bounded": "bounded"}


def _where(support: Support) -> str:
    """Where a value of the support lies, in words."""
    if support.name == "bounded":
        return f"between {support.lower:g} and {support.upper:g}"
    if support.name == "positive":
        return f"above {support.lower:g}"
    return "any real number"


def parse_amount(
    raw: str,
    *,
    support: Support,
    lo: float = -math.inf,
    hi: float = math.inf,
    what: str = "",
) -> float:
    """A value of the quantity: a number on the support (its bounds included), within
    [lo, hi]."""
    text = raw.strip().replace("_", "")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        raise Invalid(f"{raw!r}: write the number without thousands separators")
    try:
        v = float(text)
    except ValueError:
        raise Invalid(f"{raw!r} is not a number; give e.g. 650 or 1.2e3") from None
    if not math.isfinite(v):
        raise Invalid(f"{raw!r} is not a finite number")
    if not (support.contains(v) or v in (support.lower, support.upper)):
        raise Invalid(f"{v:g} is outside the support: the quantity is {_where(support)}")
    if v < lo or v > hi:
        raise Invalid(f"the {what or 'value'} must lie between {lo:g} and {hi:g} (got {v:g})")
    return v


@dataclass(frozen=True)
class AmountScale(Scale):
    """The scale of a quantity: amounts in ``unit`` on ``support``."""

    support: Support = field(default_factory=Support)
    unit: str = ""
    thresholds: tuple[float, ...] = ()
    family: Family | None = None
    """The family the file fixes for every judgement (None: the expert may choose)."""

    @property
    def probability(self) -> bool:
        """Amounts are not probabilities."""
        return False

    @property
    def roulette(self) -> bool:
        """Roulette chips in bins across the plausible range are offered too."""
        return True

    @property
    def top(self) -> float:
        """The lowest plausible value may be anything up to the support's upper end."""
        return self.support.upper

    def written(self, v: float) -> float | int:
        """Six significant figures: an amount such as 1234.5 stays as said."""
        x = float(f"{v:.6g}")
        return int(x) if x.is_integer() else x

    def interval(self, lo: float, hi: float) -> str:
        """``200 – 1.2 k USD million``."""
        return f"{amounts(lo, hi)} {self.unit}"

    def fit_all(self, judgement: Judgement) -> JudgementFit:
        """The judgement fitted to every family of the support (ValueError, FitError)."""
        from forecast.kinds.quantity.fit import fit_judgement
        from forecast.kinds.quantity.spec import QuantityJudgement

        j = QuantityJudgement.model_validate(judgement)
        return fit_judgement(j, self.support, self.support.families(), self.family)

    def judge(
        self,
        judgement: Judgement,
        extremes: tuple[float, float],
        marks: list[float],
        *,
        final: bool,
    ) -> tuple[RenderableType, object]:
        """The chosen fit's CDF, every family's fit error, what it implies, warnings."""
        fit = self.fit_all(judgement)
        return feedback(self, fit, extremes, marks, final=final), fit

    def settle(self, channel: Channel, fitted: object) -> dict[str, object]:
        """Offer the other families; a family other than the best is kept in the entry."""
        from forecast.elicit.answers import parse_choice
        from forecast.kinds.quantity.fit import JudgementFit

        assert isinstance(fitted, JudgementFit)
        if self.family is not None:
            return {}
        best = fitted.chosen
        others = ", ".join(f"{f.family} ({f.sse:.2g})" for f in fitted.fits if f.family != best)
        options: dict[str, str] = {"best": best}
        options.update({f.family: f.family for f in fitted.fits})
        chosen = ask(
            channel,
            "family",
            f"Family: Enter for the best fit, {best} (fit error {fitted.best.sse:.2g})"
            + (f"; or {others}" if others else ""),
            parse_choice(options),
            "best",
        )
        if chosen == best:
            return {}
        from rich.text import Text

        fit = next(f for f in fitted.fits if f.family == chosen)
        channel.show(Text(f"Using the {fit.dist.describe()} fit (fit error {fit.sse:.2g})"))
        return {"family": chosen}


def scale_of(
    unit: str, support: Support, thresholds: tuple[float, ...] = (), family: Family | None = None
) -> AmountScale:
    """The scale an expert judges a quantity on."""
    return AmountScale(
        f"amount in {unit}",
        functools.partial(parse_amount, support=support),
        (support.lower, support.upper),
        value,
        "judgement",
        ("experts",),
        support=support,
        unit=unit,
        thresholds=thresholds,
        family=family,
    )


def scale_of_spec(spec: QuantityQuestion) -> AmountScale:
    """The scale of an existing question."""
    return scale_of(spec.unit, spec.limits, tuple(spec.thresholds), spec.family)


def feedback(
    scale: AmountScale,
    fit: JudgementFit,
    extremes: tuple[float, float],
    marks: list[float],
    *,
    final: bool,
) -> RenderableType:
    """The chart, the families' fit errors, the implications and the warnings."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from forecast.kinds.quantity.report import chart
    from forecast.kinds.quantity.summary import of_distribution

    d = fit.dist
    s = of_distribution(d, scale.thresholds)
    table = Table(box=None, show_edge=False, pad_edge=False)
    for col in ("family", "fit error", "median", "90% interval"):
        table.add_column(col, justify="left" if col == "family" else "right", no_wrap=True)
    for f in fit.fits:
        mark = " ← used" if f.family == fit.chosen else ""
        table.add_row(
            f.family + mark,
            f"{f.sse:.2g}",
            value(float(f.dist.ppf(0.5))),
            scale.interval(float(f.dist.ppf(0.05)), float(f.dist.ppf(0.95))),
        )
    band = s.interval(0.8)
    says = (
        f"You are saying: about {value(s.median)} {scale.unit} (median), 80% sure it lies in "
        f"{scale.interval(band.lower, band.upper)}"
    )
    says += "".join(
        f"; P(X > {value(e.threshold)}) = {100 * e.probability:.0f}%" for e in s.exceedances
    )
    lines = [says + "."]
    for lo, hi, p in fit.statements:
        if lo == -math.inf:
            lines.append(
                f"  you said P(X ≤ {value(hi)}) = {p:.3g}; the fit gives {float(d.cdf(hi)):.3f}"
            )
    parts: list[RenderableType] = [
        chart(s, scale.unit, 68, marks, f"the {d.describe()} fit (▲ your values)"),
        table,
        Text("\n".join(lines)),
    ]
    parts += [Text(f"⚠ {w}", style="yellow") for w in warnings(scale, fit, extremes, final=final)]
    return Group(*parts)


def warnings(
    scale: AmountScale, fit: JudgementFit, extremes: tuple[float, float], *, final: bool
) -> list[str]:
    """A poor fit, and (for the final judgement) too much mass outside the plausible range."""
    out: list[str] = []
    d = fit.dist
    if fit.best.sse > POOR_FIT:
        _, hi, p = max(fit.statements, key=lambda st: abs(float(d.cdf(st[1])) - st[2]))
        out.append(
            f"poor fit: the squared differences add to {fit.best.sse:.3f} (above {POOR_FIT:g}); "
            f"worst is P(X ≤ {value(hi)}): you said {p:.3g}, the {fit.chosen} fit gives "
            f"{float(d.cdf(hi)):.3f}. Consider revising the values."
        )
    if final:
        low, high = extremes
        outside = float(d.cdf(low)) + 1.0 - float(d.cdf(high))
        if outside > OUTSIDE_RANGE:
            out.append(
                f"the fit puts {100 * outside:.0f}% outside your plausible range "
                f"{scale.interval(low, high)} (more than {100 * OUTSIDE_RANGE:.0f}%): widen "
                "the range or bring the quartiles in"
            )
    return out


# --- a new file --------------------------------------------------------------------------


def _whole(v: float) -> float | int:
    """A whole number written as one (500, not 500.0)."""
    return int(v) if v.is_integer() else v


def parse_bounds(raw: str) -> tuple[float | int, float | int]:
    """Two numbers, the lower and the upper bound."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise Invalid(f"give two numbers, the lower and the upper bound (got {raw!r})") from None
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise Invalid(f"give two finite numbers, the lower and the upper bound (got {raw!r})")
    if not values[0] < values[1]:
        raise Invalid(f"the lower bound must be below the upper bound (got {raw!r})")
    return _whole(values[0]), _whole(values[1])


def parse_thresholds(raw: str, support: Support) -> list[float | int]:
    """One or more values t of P(X > t), each strictly inside the support."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    if not parts:
        raise Invalid("give at least one threshold t, for P(X > t); the first is the headline")
    out = [_whole(parse_amount(p, support=support)) for p in parts]
    for t in out:
        if not support.contains(t):
            raise Invalid(f"threshold {t:g} must lie strictly {_where(support)}")
    return out


def support_of(meta: Mapping[str, object]) -> Support:
    """The support a new file's answers give."""
    if meta["support"] == "real":
        return Support()
    if meta["support"] == "positive":
        return Support(0.0, math.inf)
    bounds = meta["bounds"]
    assert isinstance(bounds, tuple)
    return Support(float(bounds[0]), float(bounds[1]))


def ask_new(channel: Channel, meta: dict[str, object]) -> None:
    """The unit, the support (and its bounds) and the thresholds, into ``meta``."""
    from forecast.elicit.answers import parse_choice, parse_text

    meta["unit"] = ask(
        channel, "unit", "Unit: what the amount is counted in (USD million, tonnes)", parse_text
    )
    meta["support"] = ask(
        channel,
        "support",
        "Support: [p]ositive (above 0), [r]eal (any value) or [b]ounded",
        parse_choice(SUPPORTS),
        "positive",
    )
    if meta["support"] == "bounded":
        meta["bounds"] = ask(
            channel, "bounds", "Bounds: the lowest and highest possible values", parse_bounds
        )
    support = support_of(meta)
    meta["thresholds"] = ask(
        channel,
        "thresholds",
        "Thresholds t for P(X > t), the first is the headline (e.g. 1000 500)",
        lambda r: parse_thresholds(r, support),
    )


def judged(meta: Mapping[str, object]) -> tuple[str, AmountScale]:
    """What the first expert of a new file judges, and on which scale."""
    thresholds = meta["thresholds"]
    assert isinstance(thresholds, list)
    return str(meta["title"]), scale_of(str(meta["unit"]), support_of(meta), tuple(thresholds))


def new_body(meta: Mapping[str, object], doc: CommentedMap) -> None:
    """A new file's unit, support, bounds and thresholds, and an empty list of experts."""
    from ruamel.yaml.comments import CommentedSeq

    def seq(values: object) -> CommentedSeq:
        assert isinstance(values, list | tuple)
        s = CommentedSeq(values)
        s.fa.set_flow_style()
        return s

    doc["unit"] = meta["unit"]
    doc["support"] = meta["support"]
    if meta["support"] == "bounded":
        doc["bounds"] = seq(meta["bounds"])
    doc["thresholds"] = seq(meta["thresholds"])
    doc["experts"] = CommentedSeq()
