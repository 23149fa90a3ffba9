"""An elicitation session: the questions, their checks and the file it writes.

The session is independent of any user interface. It talks through a
:class:`Channel` (a terminal, a piped stdin, or a file of answers) and:

* asks who the expert is, then the extremes first (lowest and highest plausible
  probability: asking for the range before the middle avoids anchoring on a first
  number), then the median and quartiles, or a roulette grid of chips;
* after every answer shows the distribution fitted so far, what it implies and how
  well it fits, and lets the expert revise before accepting;
* for a new question asks its kind, title, resolution, deadline and what the kind needs
  (see :mod:`forecast.elicit.newfile`);
* adds experts to an existing question of any kind, saying first what is judged (the
  event by the deadline; with every driver off; at the next opportunity; or, for a
  continuous-hazard question, the median time to the event in years, elicited the same
  way on a positive scale and written under ``hazard.experts``);
* writes ``DIR/QUESTION.yaml`` once, at the end, atomically: an existing file keeps
  everything in it, comments included (a round-trip YAML writer appends the expert),
  and the result is validated by the same loader as ``forecast check`` before it is
  written. Stopping at any prompt leaves the file exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rich.console import Group, RenderableType
from rich.text import Text

from forecast.elicit.distributions import Fitted, implications
from forecast.elicit.fit import FitCache, fit_positive, fit_probability
from forecast.errors import ForecastError, UsageError
from forecast.render import fmt
from forecast.render.chart import density_chart, display_range

POOR_FIT = 0.01
"""A fit error (sum of squared probability differences) above this is called poor."""

OUTSIDE_RANGE = 0.10
"""More than this much fitted mass outside the plausible range earns a warning."""

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,119}$")
"""A question id: the priors file's name, short enough for every file system."""


class Invalid(ValueError):
    """An answer that cannot be used; the message is the one-line reason."""


class Channel(Protocol):
    """How the session reaches the expert."""

    def ask(self, key: str, text: str, default: str | None) -> str:
        """The raw answer to one question (raises EOFError when input ends)."""
        ...

    def reject(self, key: str, reason: str) -> None:
        """Tell the expert why an answer was refused (the question is asked again)."""
        ...

    def show(self, renderable: RenderableType) -> None:
        """Show a fitted distribution, a summary or a note."""
        ...


def ask[T](
    channel: Channel,
    key: str,
    text: str,
    parse: Callable[[str], T],
    default: str | None = None,
) -> T:
    """Ask until the answer parses; each refusal is one line and the same question again."""
    while True:
        raw = channel.ask(key, text, default).strip()
        if not raw and default is not None:
            raw = default
        try:
            return parse(raw)
        except Invalid as exc:
            channel.reject(key, str(exc))


# --- parsers ------------------------------------------------------------------------


def parse_probability(raw: str, *, lo: float = 0.0, hi: float = 1.0, what: str = "") -> float:
    """A probability written as 0.12 or 12%, within [lo, hi]."""
    text = raw.strip().replace(",", ".")
    if not text:
        raise Invalid("give a number between 0 and 1 (or a percentage such as 12%)")
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a number; give e.g. 0.12 or 12%") from None
    if not math.isfinite(value):
        raise Invalid(f"{raw!r} is not a finite number")
    if percent:
        value /= 100.0
    if not 0.0 <= value <= 1.0:
        shown = f"{value * 100:g}%" if percent else f"{value:g}"
        hint = f"; to mean {value:g}%, write {value:g}%" if 1 < value <= 100 and not percent else ""
        raise Invalid(f"a probability must be between 0 and 1 (got {shown}){hint}")
    name = f"{what} " if what else ""
    if value < lo or value > hi:
        raise Invalid(f"the {name}must lie between {lo:g} and {hi:g} (got {value:g})")
    return value


def parse_text(raw: str) -> str:
    """Non-empty text."""
    if not raw.strip():
        raise Invalid("an answer is required")
    return raw.strip()


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tags, each lower-case words joined by '-' (none when empty)."""
    tags = [t.strip().lower().replace(" ", "-") for t in raw.split(",") if t.strip()]
    for t in tags:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", t):
            raise Invalid(f"{t!r} is not a tag; use letters, digits, '-' and '_'")
    return tags


def parse_source(raw: str) -> dict[str, str] | None:
    """``Title https://...``: a title with an optional URL at its end (None when empty)."""
    text = raw.strip()
    if not text:
        return None
    m = re.fullmatch(r"(.*?)\s*(https?://\S+)", text)
    if m is None:
        return {"title": text}
    title, url = m.group(1).strip(), m.group(2)
    return {"title": title or url, "url": url}


def parse_date(raw: str, today: dt.date) -> dt.date:
    """A date in the future, written 2028-12-31."""
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a date; write it as 2028-12-31") from None
    if value <= today:
        raise Invalid(f"the deadline must be after today, {today.isoformat()} (got {value})")
    return value


def parse_choice(options: dict[str, str]) -> Callable[[str], str]:
    """One of ``options`` (keys or their first letters)."""

    def parse(raw: str) -> str:
        text = raw.strip().lower()
        for key, value in options.items():
            if text in (key, key[0]):
                return value
        raise Invalid(f"answer one of: {', '.join(options)} (got {raw!r})")

    return parse


def parse_edges(raw: str, lo: float, hi: float) -> list[float]:
    """Bin edges: at least three increasing probabilities."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    edges = [parse_probability(p) for p in parts]
    if len(edges) < 3:
        raise Invalid(f"give at least 3 edges (2 bins); got {len(edges)}")
    for a, b in itertools.pairwise(edges):
        if not b > a:
            raise Invalid(f"bin edges must increase ({b:g} after {a:g})")
    return edges


def parse_chips(raw: str, bins: int) -> list[int]:
    """One whole number of chips per bin."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    try:
        chips = [int(p) for p in parts]
    except ValueError:
        raise Invalid(f"chips are whole numbers, one per bin (got {raw!r})") from None
    if len(chips) != bins:
        raise Invalid(f"give one count per bin: {bins} bins, {len(chips)} counts given")
    if any(c < 0 for c in chips):
        raise Invalid("chip counts cannot be negative")
    if sum(1 for c in chips if c > 0) < 2:
        raise Invalid("put chips in at least 2 bins: one bin cannot show a spread")
    return chips


def parse_name(taken: set[str]) -> Callable[[str], str]:
    """An expert's name not yet in the file."""

    def parse(raw: str) -> str:
        name = parse_text(raw)
        if name in taken:
            raise Invalid(f"an expert named {name!r} is already in the file; give another name")
        return name

    return parse


def parse_positive(raw: str, *, lo: float = 0.0, hi: float = math.inf, what: str = "") -> float:
    """A positive number (such as a number of years), within (lo, hi]."""
    text = raw.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{raw!r} is not a number; give e.g. 8 or 2.5") from None
    if not math.isfinite(value) or value <= 0:
        raise Invalid(f"give a positive number (got {raw!r})")
    if value < lo or value > hi:
        raise Invalid(f"the {what or 'value'} must lie between {lo:g} and {hi:g} (got {value:g})")
    return value


# --- what is judged ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """What an expert's numbers are: a probability, or a positive quantity such as years."""

    short: str
    """How prompts name one value ("probability", "median time in years")."""
    parse: Callable[..., float]
    bounds: tuple[float, float]
    label: Callable[[float], str]
    key: str
    """The key the judgement is written under in the expert's entry."""

    @property
    def probability(self) -> bool:
        """Whether values are probabilities (then roulette chips are offered too)."""
        return self.key == "judgement"

    def fit(self, judgement: dict[str, Any]) -> Fitted:
        """The distribution fitted to a judgement on this scale (not cached on disk)."""
        from forecast.questions.judgement import MedianInterval, ProbabilityJudgement

        cache = FitCache(Path("-"))  # provisional fits are not worth keeping
        if self.probability:
            return fit_probability(ProbabilityJudgement.model_validate(judgement), cache)
        return fit_positive(MedianInterval.model_validate(judgement), cache)

    def says(self, fitted: Fitted) -> str:
        """What the fitted distribution says, read back in plain words."""
        lo, mid, hi = (float(fitted.ppf(x)) for x in (0.05, 0.5, 0.95))
        if self.probability:
            imp = implications(fitted)
            return (
                f"You are saying: the probability is about {fmt.pct(mid)} (median), "
                f"90% sure it lies in {fmt.interval(lo, hi)}, "
                f"and P(p > 50%) = {fmt.pct(imp['p_above'])}."
            )
        return (
            f"You are saying: about {mid:.3g} years (median), 90% sure it lies in "
            f"{lo:.3g} – {hi:.3g} years."
        )

    def interval(self, lo: float, hi: float) -> str:
        """A range of values on this scale, as text."""
        return fmt.interval(lo, hi) if self.probability else f"{lo:.3g} – {hi:.3g}"


PROBABILITY = Scale("probability", parse_probability, (0.0, 1.0), fmt.pct, "judgement")
YEARS = Scale(
    "median time in years", parse_positive, (0.0, math.inf), lambda v: f"{v:.3g}", "median_years"
)


# --- fitting and feedback -----------------------------------------------------------


def feedback(
    fitted: Fitted,
    extremes: tuple[float, float],
    marks: list[float],
    *,
    final: bool,
    scale: Scale = PROBABILITY,
) -> tuple[RenderableType, list[str]]:
    """The chart, what the fit implies, and warnings that state the rule and the values."""
    lo, hi = display_range(fitted.ppf, marks, scale.bounds)
    chart = density_chart(lambda x: fitted.frozen().pdf(x), lo, hi, marks=marks, label=scale.label)
    lines = [
        f"Fitted {fitted.describe()} ({fitted.method}); fit error "
        f"{fmt.fit_error(fitted.fit_error)}",
        scale.says(fitted),
    ]
    for c in fitted.checks:
        lines.append(f"  you said {c.statement} = {c.elicited:.3g}; the fit gives {c.fitted:.3f}")
    warnings: list[str] = []
    if fitted.fit_error > POOR_FIT:
        worst = max(fitted.checks, key=lambda c: abs(c.elicited - c.fitted))
        warnings.append(
            f"poor fit: the squared differences add to {fitted.fit_error:.3f} (above "
            f"{POOR_FIT:g}); worst is {worst.statement}: you said {worst.elicited:.3g}, "
            f"the fitted {fitted.family.capitalize()} gives {worst.fitted:.3f}. Consider "
            "revising the values."
        )
    if final:
        low, high = extremes
        outside = float(fitted.cdf(low)) + float(1.0 - fitted.cdf(high))
        if outside > OUTSIDE_RANGE:
            warnings.append(
                f"the fit puts {fmt.pct(outside)} outside your plausible range "
                f"{scale.interval(low, high)} (more than {fmt.pct(OUTSIDE_RANGE)}): widen "
                "the range or bring the quartiles in"
            )
    body = Group(chart, Text("\n".join(lines)), *(Text(f"⚠ {w}", style="yellow") for w in warnings))
    return body, warnings


def _provisional(
    extremes: tuple[float, float], given: dict[float, float], scale: Scale = PROBABILITY
) -> dict[str, Any]:
    """Quantiles so far, with the plausible extremes as the 1% and 99% points (an extreme
    at the scale's bound, such as a lowest probability of 0, is no quantile and is left
    out). The final judgement keeps them the same way, so the range is in the file."""
    low, high = extremes
    q = dict(given)
    if low > scale.bounds[0]:
        q[0.01] = low
    if high < scale.bounds[1]:
        q[0.99] = high
    return {"quantiles": dict(sorted(q.items()))}


def _show_fit(
    channel: Channel,
    judgement: dict[str, Any],
    extremes: tuple[float, float],
    marks: list[float],
    *,
    final: bool,
    scale: Scale = PROBABILITY,
) -> Fitted | None:
    try:
        fitted = scale.fit(judgement)
    except (ValueError, ForecastError) as exc:
        channel.show(Text(f"(no fit yet: {exc})", style="dim"))
        return None
    body, _ = feedback(fitted, extremes, marks, final=final, scale=scale)
    channel.show(body)
    return fitted


def _sig(x: float) -> float | int:
    """Four significant figures, and whole numbers written as such (0, not 0.0)."""
    v = float(f"{x:.4g}")
    return int(v) if v.is_integer() else v


@dataclass
class Answers:
    """What one expert said, as it will be written."""

    name: str
    judgement: dict[str, Any]
    fitted: Fitted | None = None
    extremes: tuple[float, float] = (0.0, 1.0)
    notes: list[str] = field(default_factory=list)


def elicit_quartiles(
    channel: Channel,
    extremes: tuple[float, float],
    prev: dict[str, str],
    scale: Scale = PROBABILITY,
) -> dict[str, Any]:
    """Median, then lower and upper quartiles, each checked against the others."""
    low, high = extremes
    what = scale.short
    median = ask(
        channel,
        "median",
        f"Median: the {what} you think is as likely to be too low as too high",
        lambda r: _strictly_between(scale.parse(r), low, high, "median"),
        prev.get("median"),
    )
    prev["median"] = f"{median:g}"
    _show_fit(
        channel,
        _provisional(extremes, {0.5: median}, scale),
        extremes,
        [median],
        final=False,
        scale=scale,
    )
    q1 = ask(
        channel,
        "lower_quartile",
        f"Lower quartile: 25% chance the {what} is below this",
        lambda r: _quartile(scale.parse(r), low, median, "lower quartile", below=True),
        prev.get("lower_quartile"),
    )
    prev["lower_quartile"] = f"{q1:g}"
    _show_fit(
        channel,
        _provisional(extremes, {0.25: q1, 0.5: median}, scale),
        extremes,
        [q1, median],
        final=False,
        scale=scale,
    )
    q3 = ask(
        channel,
        "upper_quartile",
        f"Upper quartile: 25% chance the {what} is above this",
        lambda r: _quartile(scale.parse(r), median, high, "upper quartile", below=False),
        prev.get("upper_quartile"),
    )
    prev["upper_quartile"] = f"{q3:g}"
    stated = {0.25: q1, 0.5: median, 0.75: q3}
    final = _provisional(extremes, stated, scale)["quantiles"]
    return {"quantiles": {k: _sig(v) for k, v in final.items()}}


def _strictly_between(v: float, lo: float, hi: float, what: str) -> float:
    if not lo < v < hi:
        raise Invalid(
            f"the {what} must lie strictly between your lowest and highest plausible values "
            f"{lo:g} and {hi:g} (got {v:g})"
        )
    return v


def _quartile(v: float, lo: float, hi: float, what: str, *, below: bool) -> float:
    # The extremes are the 1% and 99% points, so a quartile lies strictly inside them.
    if below and not lo < v < hi:
        raise Invalid(
            f"the {what} must be above the lowest plausible value {lo:g} (your 1% point) "
            f"and below the median {hi:g} (got {v:g})"
        )
    if not below and not lo < v < hi:
        raise Invalid(
            f"the {what} must be above the median {lo:g} and below the highest plausible "
            f"value {hi:g} (your 99% point) (got {v:g})"
        )
    return v


def _round_step(span: float, bins: int) -> float:
    """The round step (1, 2 or 5 times a power of ten) nearest ``span / bins``."""
    raw = span / bins
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda x: abs(x - raw))


def default_edges(low: float, high: float, bins: int = 10) -> list[float]:
    """About ``bins`` bins across the plausible range, inner edges at round values
    (0.05, 0.1, 0.15, ... or 0.02, 0.04, ...); the ends are the range's own."""
    if not high > low:
        return [low, high]
    step = _round_step(high - low, bins)
    k = math.floor(low / step) + 1
    inner = []
    while k * step < high - 1e-12 * step:
        inner.append(round(k * step, 12))
        k += 1
    inner = [e for e in inner if e > low + 1e-12]
    return [low, *inner, high]


def elicit_roulette(
    channel: Channel, extremes: tuple[float, float], prev: dict[str, str]
) -> dict[str, Any]:
    """Bin edges across the plausible range, then chips per bin."""
    low, high = extremes
    edges = ask(
        channel,
        "bins",
        "Bin edges (Enter keeps bins at round values across your plausible range)",
        lambda r: parse_edges(r, low, high),
        prev.get("bins") or " ".join(f"{e:g}" for e in default_edges(low, high)),
    )
    prev["bins"] = " ".join(f"{e:g}" for e in edges)
    bins = len(edges) - 1
    chips = ask(
        channel,
        "chips",
        f"Chips per bin: {bins} whole numbers, more chips where you think the probability is",
        lambda r: parse_chips(r, bins),
        prev.get("chips"),
    )
    prev["chips"] = " ".join(str(c) for c in chips)
    from forecast.render.chips import chips_histogram

    channel.show(chips_histogram(edges, chips))
    return {"roulette": {"bins": [_sig(e) for e in edges], "chips": chips}}


def elicit_expert(
    channel: Channel,
    taken: set[str],
    subject: str | None = None,
    scale: Scale = PROBABILITY,
) -> Answers:
    """Ask one expert for their judgement, with feedback, until they accept it.

    ``subject``: what is judged, shown before the first number is asked; ``scale``:
    a probability (quartiles or roulette) or a positive quantity (quartiles).
    """
    name = ask(channel, "expert", "Who is the expert (name or role)?", parse_name(taken))
    if subject:
        channel.show(Text(f"The {scale.short} to judge: {subject}", style="bold"))
    method = "quartiles"
    if scale.probability:
        method = ask(
            channel,
            "method",
            "Judge by [q]uartiles or by [r]oulette chips?",
            parse_choice({"quartiles": "quartiles", "roulette": "roulette"}),
            "quartiles",
        )
    what = scale.short
    prev: dict[str, str] = {}
    while True:
        low = ask(
            channel,
            "lowest",
            f"Lowest plausible {what} (taken as your 1% point: a 1 in 100 chance it is lower)",
            lambda r: scale.parse(
                r, hi=min(scale.bounds[1], 1e12) * 0.999999, what=f"lowest plausible {what}"
            ),
            prev.get("lowest"),
        )
        prev["lowest"] = f"{low:g}"
        high = ask(
            channel,
            "highest",
            f"Highest plausible {what} (taken as your 99% point: a 1 in 100 chance it is "
            "higher)",
            lambda r: _above(scale.parse(r), low, what),  # noqa: B023 - used at once
            prev.get("highest"),
        )
        prev["highest"] = f"{high:g}"
        extremes = (low, high)
        if method == "quartiles":
            judgement = elicit_quartiles(channel, extremes, prev, scale)
            marks = list(judgement["quantiles"].values())
        else:
            judgement = elicit_roulette(channel, extremes, prev)
            marks = []
        fitted = _show_fit(channel, judgement, extremes, marks, final=True, scale=scale)
        choice = ask(
            channel,
            "accept",
            "Accept this judgement? [y]es, or [r]evise (Enter keeps each earlier answer)",
            parse_choice({"yes": "yes", "revise": "revise"}),
            "yes",
        )
        if choice == "yes" and fitted is not None:
            return Answers(name, judgement, fitted, extremes)
        if choice == "yes":
            channel.reject("accept", "this judgement cannot be fitted; revise it")


def _above(v: float, low: float, what: str = "probability") -> float:
    if not v > low:
        raise Invalid(f"the highest plausible {what} must be above the lowest, {low:g} (got {v:g})")
    return v


# --- the file -------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a session wrote."""

    path: Path
    created: bool
    experts: list[str]
    total: int


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a line the user wrote
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _flow(data: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out = CommentedMap()
    for k, v in data.items():
        if isinstance(v, dict):
            out[k] = _flow(v)
        elif isinstance(v, list):
            seq = CommentedSeq(v)
            seq.fa.set_flow_style()
            out[k] = seq
        else:
            out[k] = v
    out.fa.set_flow_style()
    return out


def _expert_node(a: Answers, today: dt.date, key: str = "judgement") -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap()
    node["name"] = a.name
    node[key] = _flow(a.judgement)
    node["date"] = _date(today)
    return node


def _date(d: dt.date) -> dt.date:
    """A fresh date object: the writer would tie equal objects together with an anchor."""
    return dt.date.fromordinal(d.toordinal())


def render_file(
    existing: str | None,
    meta: dict[str, Any] | None,
    experts: list[Answers],
    today: dt.date,
    scale: Scale = PROBABILITY,
) -> str:
    """The new file's text: the existing one with the experts appended, or a new question.

    Probability judgements go to ``experts`` (each under ``judgement``); a hazard
    question's median times go to ``hazard.experts`` (each under ``median_years``).
    """
    from ruamel.yaml.comments import CommentedSeq

    y = _yaml()
    if existing is not None:
        doc = y.load(existing)
        parent = doc if scale.probability else doc["hazard"]
        if parent.get("experts") is None:
            parent["experts"] = CommentedSeq()
    else:
        from forecast.elicit.newfile import new_document

        assert meta is not None
        doc = new_document(meta, today, _flow, _date)
    target = doc["experts"] if scale.probability else doc["hazard"]["experts"]
    for a in experts:
        target.append(_expert_node(a, today, scale.key))
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def validate_text(text: str, shown: str) -> None:
    """Check the text as ``forecast check`` would (safe loader, full validation)."""
    from forecast import yamlio
    from forecast.questions.loader import validate

    data, marks = yamlio.loads(text, shown, go_on=True)
    validate(data, marks, shown)


def subject(spec: Any, today: dt.date | None = None) -> tuple[str, Scale]:
    """What an expert judges in a question of each kind, and on which scale.

    A scheduled question's "next opportunity" is the first after ``as_of``; when that is
    already past ``today`` the expert is told so, not shown a past date as the next one.
    """
    from forecast.questions.drivers import DriversQuestion
    from forecast.questions.tte import TimeToEventQuestion

    deadline = spec.deadline.isoformat()
    if isinstance(spec, DriversQuestion):
        drivers = ", ".join(d.id for d in spec.drivers)
        return (
            f"the event by {deadline} with every driver off ({drivers}); the drivers' "
            "odds ratios are in the file"
        ), PROBABILITY
    if isinstance(spec, TimeToEventQuestion):
        if spec.hazard is not None:
            return (
                f"years from {spec.hazard.since.isoformat()} to the event, as you would judge "
                "it without knowing how long it has already been (the time that passed "
                "without it is data)"
            ), YEARS
        after = [d for d in spec.opportunity_dates() if d > spec.as_of_date]
        off = " with every driver off" if spec.drivers else ""
        if after and today is not None and after[0] < today:
            return (
                f"the event at one opportunity{off}, as if none had passed; the "
                "opportunities that passed are data. The first after the file's facts "
                f"(as of {spec.as_of_date.isoformat()}), {after[0].isoformat()}, is already "
                f"past today ({today.isoformat()}), and the file does not say whether the "
                "event happened then"
            ), PROBABILITY
        nxt = f" ({after[0].isoformat()})" if after else ""
        return (
            f"the event at the next opportunity{nxt}{off}, as if none had passed; "
            "the opportunities that passed are data"
        ), PROBABILITY
    return f"the event by {deadline}", PROBABILITY


def run_session(
    question: str,
    directory: Path,
    channel: Channel,
    *,
    today: dt.date | None = None,
) -> Outcome:
    """Elicit one or more experts for ``question`` and write ``directory/question.yaml``.

    Raises
    ------
    UsageError
        For a question id that cannot be a file name.
    InputError
        When the existing file is invalid, or the result would be.
    EOFError, KeyboardInterrupt
        When input ends or the user stops; nothing is written.
    """
    from forecast import yamlio
    from forecast.questions.loader import load_question

    if today is None:
        from forecast.staleness import today as clock

        today = clock()
    if not _ID.match(question):
        raise UsageError(
            f"{question[:40]!r}{'...' if len(question) > 40 else ''} is not a question id",
            hint="use at most 120 lower-case letters, digits, '-' and '_', e.g. turkiye-joins-ots",
        )
    path = directory / f"{question}.yaml"
    existing: str | None = None
    meta: dict[str, Any] | None = None
    taken: set[str] = set()
    if path.exists():
        loaded = load_question(path)
        what, scale = subject(loaded.spec, today)
        existing = loaded.text
        spec: Any = loaded.spec
        experts = spec.experts if scale.probability else spec.hazard.experts
        taken = {e.name for e in experts}
        channel.show(
            Text.assemble(
                ("Adding an expert to ", ""),
                (loaded.spec.title, "bold"),
                (f"\n{path} · {len(taken)} expert(s) so far: {', '.join(sorted(taken))}", "dim"),
            )
        )
    else:
        if not directory.is_dir():
            raise UsageError(f"{directory} is not a directory", hint="create it or pass --dir")
        channel.show(Text(f"A new question: {path}", style="bold"))
        from forecast.elicit.newfile import ask_new, judged

        meta = ask_new(channel, today)
        what, scale = judged(meta)
    done: list[Answers] = []
    while True:
        answers = elicit_expert(channel, taken | {a.name for a in done}, what, scale)
        done.append(answers)
        more = ask(
            channel,
            "another",
            "Elicit another expert now? [y]es / [n]o",
            parse_choice({"yes": "yes", "no": "no"}),
            "no",
        )
        if more == "no":
            break
    # Re-read just before writing: an edit saved during the session is kept.
    if path.exists():
        existing = yamlio.read_text(path, str(path))
    text = render_file(existing, meta, done, today, scale)
    validate_text(text, str(path))
    yamlio.atomic_write(path, text)
    return Outcome(path, existing is None, [a.name for a in done], len(taken) + len(done))
